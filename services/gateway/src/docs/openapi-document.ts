import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { AppModule } from '../app.module';
import { gatewayConfigSchema } from '../config/gateway.config';
import { buildOpenApiDocument } from './swagger';

/**
 * The OpenAPI document exactly as the running gateway serves it at /docs-json, built
 * without starting anything: Nest's preview mode scans the modules and routes but creates
 * no provider, so no database or broker is needed. The UI's client is generated from it.
 */
export async function createOpenApiDocument(): Promise<OpenAPIObject> {
  // Placeholders: in preview mode nothing connects, but the config must still parse.
  const config = gatewayConfigSchema.parse({
    JWT_SECRET: 'preview-mode-only-never-used-to-sign-anything',
    KAFKA_BROKERS: '127.0.0.1:9',
    DATABASE_URL: 'postgres://preview@127.0.0.1:9/preview',
  });
  const app = await NestFactory.create(AppModule.forRoot(config), new FastifyAdapter(), { preview: true, logger: false });
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}
