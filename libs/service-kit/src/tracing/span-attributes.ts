import type { Attributes } from '@opentelemetry/api';
import { REQUEST_ID_ATTRIBUTE } from './tracing';

/**
 * Span names and attributes, by OpenTelemetry's semantic conventions where they name one
 * (HTTP, messaging, gen_ai), under `shoshizan.` where they do not. Pure, so each mapping is
 * unit-tested (span-attributes.spec.ts) and the spans of every service agree.
 */

/** An HTTP server span's name: `METHOD /route/{param}`, or only the method before routing. */
export function httpServerSpanName(method: string, route: string | undefined): string {
  return route ? `${method} ${route}` : method;
}

export function httpServerAttributes(request: { method: string; path: string; route?: string | undefined }): Attributes {
  return {
    'http.request.method': request.method,
    'url.path': request.path,
    ...(request.route ? { 'http.route': request.route } : {}),
  };
}

/** A response's attributes; 5xx is the server's failure (4xx is the caller's, not an error here). */
export function httpResponseAttributes(statusCode: number): { attributes: Attributes; failed: boolean } {
  return {
    attributes: { 'http.response.status_code': statusCode, ...(statusCode >= 500 ? { 'error.type': String(statusCode) } : {}) },
    failed: statusCode >= 500,
  };
}

/** An HTTP client span's name and attributes, for a call to one of our services or to Ollama. */
export function httpClientSpan(method: string, url: URL): { name: string; attributes: Attributes } {
  return {
    name: method,
    attributes: {
      'http.request.method': method,
      'server.address': url.hostname,
      'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      'url.full': `${url.origin}${url.pathname}`,
    },
  };
}

/** A Kafka record a span sends or processes. */
export interface KafkaRecordFacts {
  readonly topic: string;
  readonly partition?: number | undefined;
  readonly offset?: string | undefined;
  readonly key?: string | undefined;
  /** The chat request id: the record's id (x-request-id), too. */
  readonly requestId?: string | undefined;
}

/** `send <topic>` (PRODUCER) or `process <topic>` (CONSUMER), as the messaging conventions name them. */
export function messagingSpanName(operation: 'send' | 'process', topic: string): string {
  return `${operation} ${topic}`;
}

export function messagingAttributes(operation: 'send' | 'process', record: KafkaRecordFacts): Attributes {
  return {
    'messaging.system': 'kafka',
    'messaging.operation.type': operation,
    'messaging.operation.name': operation,
    'messaging.destination.name': record.topic,
    ...(record.partition !== undefined ? { 'messaging.destination.partition.id': String(record.partition) } : {}),
    ...(record.offset !== undefined && /^\d+$/.test(record.offset) ? { 'messaging.kafka.offset': Number(record.offset) } : {}),
    ...(record.key !== undefined ? { 'messaging.kafka.message.key': record.key } : {}),
    ...(record.requestId !== undefined ? { 'messaging.message.id': record.requestId, [REQUEST_ID_ATTRIBUTE]: record.requestId } : {}),
  };
}

/** The attribute naming an attempt at a request (1 for the first delivery, n for the n-th). */
export const ATTEMPT_ATTRIBUTE = 'shoshizan.attempt';
/** How a span's work ended, in the words of the service's metrics (done, error, retried, ...). */
export const OUTCOME_ATTRIBUTE = 'shoshizan.outcome';

/** What a model call asked for and got. */
export interface ModelCallFacts {
  readonly model: string;
  readonly serverAddress: string;
  readonly serverPort: number;
  readonly responseModel?: string | undefined;
  readonly inputTokens?: number | undefined;
  readonly outputTokens?: number | undefined;
  readonly finishReason?: string | undefined;
}

/** `chat <model>`: the gen_ai conventions' name of an inference span. */
export function modelCallSpanName(model: string): string {
  return `chat ${model}`;
}

export function modelCallAttributes(call: ModelCallFacts): Attributes {
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'ollama',
    'gen_ai.request.model': call.model,
    'server.address': call.serverAddress,
    'server.port': call.serverPort,
    ...answerAttributes(call),
  };
}

/**
 * What an answer came to, in the gen_ai names: on the model call's span and on the spans
 * of the worker and gpt-api that carried it.
 */
export function answerAttributes(answer: Omit<ModelCallFacts, 'model' | 'serverAddress' | 'serverPort'>): Attributes {
  return {
    ...(answer.responseModel !== undefined ? { 'gen_ai.response.model': answer.responseModel } : {}),
    ...(answer.inputTokens !== undefined ? { 'gen_ai.usage.input_tokens': answer.inputTokens } : {}),
    ...(answer.outputTokens !== undefined ? { 'gen_ai.usage.output_tokens': answer.outputTokens } : {}),
    ...(answer.finishReason !== undefined ? { 'gen_ai.response.finish_reasons': [answer.finishReason] } : {}),
  };
}
