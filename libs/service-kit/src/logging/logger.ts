import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { logCorrelation } from '../tracing/tracing';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Accept a caller's request id only when it looks like one, so logs cannot be forged. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id of an incoming request: the caller's `x-request-id` when valid, else a new
 * UUID. Computed once and kept on the request, so Fastify, the logger and the response
 * header all agree.
 */
export function requestIdOf(req: IncomingMessage): string {
  const holder = req as IncomingMessage & { shoshizanRequestId?: string };
  if (holder.shoshizanRequestId) return holder.shoshizanRequestId;
  const header = req.headers[REQUEST_ID_HEADER];
  const value = Array.isArray(header) ? header[0] : header;
  holder.shoshizanRequestId = value && REQUEST_ID_PATTERN.test(value) ? value : randomUUID();
  return holder.shoshizanRequestId;
}

/**
 * Structured JSON logs for one service: every line names the service, every line logged
 * while handling an HTTP request carries its request id (`req.id`), and every line logged in
 * a trace or for a chat request carries `traceId`, `spanId` and `requestId` (from the async
 * context: tracing.ts), the worker's and gpt-api's included, so one search finds a request's
 * lines in every service.
 */
export function loggerModule(service: string, level: string) {
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label: string) => ({ level: label }) },
      mixin: logCorrelation,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const id = requestIdOf(req);
        res.setHeader(REQUEST_ID_HEADER, id);
        return id;
      },
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      // Probes would drown everything else (scrapes go to the metrics port, not through here).
      autoLogging: {
        ignore: (req: IncomingMessage) => /^\/health/.test(req.url ?? ''),
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  });
}

/** A plain pino logger for code outside a Nest context (bootstrap, Kafka client logs). */
export function createRootLogger(service: string, level: string): pino.Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    mixin: logCorrelation,
  });
}
