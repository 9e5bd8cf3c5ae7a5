import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { apiSchemaComponents } from './api-schemas';

/**
 * The gateway's OpenAPI document: the routes Nest knows, with the answers' schemas as
 * components. OpenAPI 3.1, whose Schema Object is JSON Schema 2020-12, what zod emits
 * (3.0's dialect has no numeric `exclusiveMinimum`, no `const`, no type arrays). Needs no
 * running dependency (the UI's snapshot test builds it in preview mode).
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setOpenAPIVersion('3.1.0')
      .setTitle('Shoshizan gateway')
      .setDescription('Chat requests through a durable queue to Ollama, answers streamed back as Server-Sent Events.')
      .setVersion('0.1.0')
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'An access token (from /v1/auth/login or the OpenID Connect issuer) or an API key (`shz_...`).',
      })
      .build(),
  );
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...apiSchemaComponents() },
  };
  return document;
}

/** Swagger UI at /docs and the OpenAPI document at /docs-json. */
export function setUpSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}
