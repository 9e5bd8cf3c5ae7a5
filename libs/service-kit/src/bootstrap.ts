import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { ConfigValidationError } from './config/load-config';
import { REQUEST_ID_HEADER, requestIdOf } from './logging/logger';
import { ProblemDetailsFilter } from './errors/problem-details.filter';
import { HttpMetrics } from './metrics/metrics.module';

export interface BootstrapOptions {
  readonly module: unknown;
  readonly host: string;
  readonly port: number;
  /** Largest request body accepted, in bytes. @default 1 MiB */
  readonly bodyLimitBytes?: number;
  /** Runs after the app is created and before it listens (Swagger, CORS, ...). */
  readonly configure?: (app: NestFastifyApplication) => void | Promise<void>;
}

/**
 * Creates and starts a service: Fastify, JSON logs, problem-details errors, HTTP metrics
 * and shutdown hooks, so that SIGTERM stops taking work and runs every module's clean-up.
 */
export async function bootstrapService(options: BootstrapOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    trustProxy: true,
    genReqId: requestIdOf,
  });
  const app = await NestFactory.create<NestFastifyApplication>(options.module as never, adapter, {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();

  const metrics = app.get(HttpMetrics);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      if (route !== '/metrics') {
        metrics.observe(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
      }
      done();
    });

  await options.configure?.(app);
  await app.listen(options.port, options.host);
  return app;
}

/**
 * The body of every `main.ts`: runs `start` and turns a configuration error into one clear
 * message and exit code 1, instead of a stack trace.
 */
export function runService(start: () => Promise<unknown>): void {
  start().catch((error: unknown) => {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    }
    process.exit(1);
  });
}
