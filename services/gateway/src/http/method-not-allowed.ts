import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode } from '@shoshizan/shared-interfaces';

/** The methods the gateway's routes use (OPTIONS is the CORS preflight's, on every path). */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * A path that exists, asked with a method it does not take, is answered 405 with `Allow`
 * (RFC 9110 §15.5.6), as problem details, instead of the router's 404: the client learns
 * that the path is right and which methods it takes.
 */
export function answerWrongMethodsWith405(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!request.is404) {
      done();
      return;
    }
    const allowed = METHODS.filter((method) => fastify.findRoute({ method, url: request.url }) !== null);
    if (allowed.length === 0) {
      done();
      return;
    }
    void reply.header('allow', allowed.join(', '));
    const path = request.url.split('?', 1)[0];
    done(new DomainException(ErrorCode.MethodNotAllowed, `${request.method} is not a method of ${path}; it takes ${allowed.join(', ')}.`));
  });
}
