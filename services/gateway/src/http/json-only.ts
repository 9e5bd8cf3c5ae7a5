import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RawServerDefault } from 'fastify';

/**
 * Request bodies are JSON or nothing. Fastify parses text/plain and Nest adds
 * application/x-www-form-urlencoded: both are content types a cross-site HTML form may post
 * without a CORS preflight, so a public route such as login would take a form submitted
 * from any page. With JSON the only parser, any other body is refused with 415 before a
 * route runs (the error filter makes it problem details).
 */
export function acceptJsonOnly(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  // Through Nest, so that its init does not add its own parsers back.
  app.useBodyParser<RawServerDefault>('application/json', {}, (request, body, done) =>
    parseJson(request, body.toString('utf8'), done),
  );
}
