import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode } from '@shoshizan/shared-interfaces';

/** The methods the gateway's routes use (OPTIONS is the CORS preflight's, on every path). */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * A path that exists, asked with a method it does not take, is answered 405 with `Allow`
 * (RFC 9110 §15.5.6), as problem details, instead of the router's 404: the client learns
 * that the path is right and which methods it takes.
 *
 * A path that is a route of its own is that route's resource even where a parameter of
 * another method's route could also take it: `GET /v1/chat/completions` is a 405 (the path
 * takes POST), not `GET /v1/chat/:requestId` with `completions` for an id.
 */
export function answerWrongMethodsWith405(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    const path = request.url.split('?', 1)[0]!;
    // A route of exactly this path (had the request's method one, the router would have taken it).
    const ownRoute = () => METHODS.filter((method) => fastify.hasRoute({ method, url: path }));
    let allowed: string[] = [];
    if (request.is404) {
      allowed = ownRoute();
      if (allowed.length === 0) allowed = METHODS.filter((method) => fastify.findRoute({ method, url: request.url }) !== null);
    } else if (request.routeOptions.url?.includes(':')) {
      allowed = ownRoute();
    }
    if (allowed.length === 0) {
      done();
      return;
    }
    void reply.header('allow', allowed.join(', '));
    done(new DomainException(ErrorCode.MethodNotAllowed, `${request.method} is not a method of ${path}; it takes ${allowed.join(', ')}.`));
  });
}
