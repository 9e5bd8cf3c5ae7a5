import 'reflect-metadata';
import type { ExceptionFilter } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { ConfigValidationError } from './config/load-config';
import { REQUEST_ID_HEADER, requestIdOf } from './logging/logger';
import { ProblemDetailsFilter, sendProblem } from './errors/problem-details.filter';
import { HttpMetrics, METRICS_REGISTRY } from './metrics/metrics.module';
import { startMetricsServer } from './metrics/metrics.server';
import { isDraining, loadDrainDelayMs, startDraining } from './shutdown/drain';
import { traceHttpRequests } from './tracing/http-server-spans';
import { startTracing, type Tracing } from './tracing/tracing';
import { loadTracingConfig } from './tracing/tracing.config';

export interface BootstrapOptions {
  /** The service's name: its spans' service.name unless OTEL_SERVICE_NAME says otherwise. */
  readonly service: string;
  readonly module: unknown;
  readonly host: string;
  readonly port: number;
  /** Port of `GET /metrics`, on `host` too; the API's port has no /metrics. */
  readonly metricsPort: number;
  /** Largest request body accepted, in bytes. @default 1 MiB */
  readonly bodyLimitBytes?: number;
  /**
   * Which hops' word to take for `request.ip`: a function of the address and its hop (0: the
   * connection's peer, then X-Forwarded-For from the right), or true for all (the leftmost
   * address, which a client can write itself). @default true
   */
  readonly trustProxy?: boolean | ((address: string, hop: number) => boolean);
  /**
   * The one filter every error reaches, Fastify's own (a body too large or not JSON) included.
   * @default new ProblemDetailsFilter()
   */
  readonly errorFilter?: ExceptionFilter;
  /** Runs after the app is created and before it listens (Swagger, CORS, ...). */
  readonly configure?: (app: NestFastifyApplication) => void | Promise<void>;
}

/**
 * Creates and starts a service: Fastify, JSON logs, problem-details errors, HTTP metrics
 * served on a port of their own, and graceful shutdown, so that SIGTERM stops taking work
 * and runs every module's clean-up.
 */
export async function bootstrapService(options: BootstrapOptions): Promise<NestFastifyApplication> {
  // First: every span, outgoing trace header and log line after this point needs its context.
  const tracing = startTracing(loadTracingConfig(options.service));
  const drainDelayMs = loadDrainDelayMs(options.service);
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    trustProxy: options.trustProxy ?? true,
    genReqId: requestIdOf,
    // A path parameter up to this long reaches its route, whose own validation answers it
    // (a malformed id is a 400 there, in the route's error shape); Fastify's default of 100
    // would answer a longer one with 414 before any route. Beyond this: 400 (problem-details.filter.ts).
    routerOptions: { maxParamLength: MAX_PATH_PARAMETER_LENGTH },
    // A URL Fastify cannot decode (or a parameter over its length limit) is answered before
    // any route or hook: as problem details too, not as Fastify's own JSON.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => sendProblem(error, request, reply),
  });
  const app = await NestFactory.create<NestFastifyApplication>(options.module as never, adapter, {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(options.errorFilter ?? new ProblemDetailsFilter());
  exitGracefullyOnSignals(app, tracing, drainDelayMs);

  const logger = app.get(Logger);
  const metrics = app.get(HttpMetrics);
  const fastify = app.getHttpAdapter().getInstance();
  traceHttpRequests(fastify);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    // A client on a kept-alive connection (another service's fetch) would go on sending to
    // this pod through the whole drain, its readiness checks answered 503 each time, and
    // meet a closed socket after it: closing each connection once answered sends its next
    // request through the Service again, to a pod that stays.
    if (isDraining()) void reply.header('connection', 'close');
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observe(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  await options.configure?.(app);
  const metricsServer = await startMetricsServer(app.get(METRICS_REGISTRY), {
    host: options.host,
    port: options.metricsPort,
    onError: (error) => logger.error(`Collecting metrics failed: ${(error as Error)?.stack ?? String(error)}`),
  });
  // app.close() closes Fastify, which runs this: the metrics stop with the API, after the
  // modules' destroy hooks have handed work back, so a drain can still be watched.
  fastify.addHook('onClose', (_instance, done) => {
    metricsServer.close().then(() => done(), done);
  });
  await app.listen(options.port, options.host);
  logger.log(`Serving metrics on http://${options.host}:${metricsServer.port}/metrics`);
  if (tracing.exporting) logger.log('Exporting traces with OTLP/HTTP');
  return app;
}

/** Characters a path parameter may have before the router refuses it (no id of ours comes near). */
const MAX_PATH_PARAMETER_LENGTH = 2048;

/** Longest a graceful shutdown may take; under Kubernetes' default 30 s grace period. */
const SHUTDOWN_TIMEOUT_MS = 25_000;

/**
 * SIGTERM or SIGINT first drains (readiness fails while the app keeps serving for
 * `drainDelayMs`: shutdown/drain.ts), then closes the app (Nest runs every module's destroy
 * and shutdown hooks: the HTTP server stops accepting, Kafka consumers leave their groups,
 * pools close) and exits with 0, so a supervisor can tell a clean stop from a crash. Nest's
 * own enableShutdownHooks() re-raises the signal instead, which ends the process "killed".
 * A second signal, or a shutdown that hangs past the timeout (the drain included), exits at
 * once with 1.
 */
function exitGracefullyOnSignals(app: NestFastifyApplication, tracing: Tracing, drainDelayMs: number): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    const logger = app.get(Logger);
    if (closing) {
      logger.warn(`${signal} again during shutdown; exiting now`);
      process.exit(1);
    }
    closing = true;
    startDraining();
    logger.log(drainDelayMs > 0 ? `${signal} received; draining for ${drainDelayMs} ms, then shutting down` : `${signal} received; shutting down`);
    const timer = setTimeout(() => {
      logger.error(`shutdown did not finish within ${SHUTDOWN_TIMEOUT_MS} ms; exiting`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    // The spans of what the shutdown finished or handed back are sent before the exit.
    new Promise((resolve) => setTimeout(resolve, drainDelayMs))
      .then(() => app.close())
      .then(() => tracing.shutdown())
      .then(
        () => {
          logger.log('shut down cleanly');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error(`shutdown failed: ${(error as Error)?.stack ?? String(error)}`);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
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
