import { z } from 'zod';
import {
  ENVELOPE_VERSION,
  chatMessagesSchema,
  generationOptionsSchema,
  idSchema,
  isoDateTimeSchema,
  modelNameSchema,
  rolesSchema,
  traceContextSchema,
  userIdSchema,
} from '../common';
import { HEADERS } from './topics';

/** Priority 0 (lowest) to 9 (highest). */
export const DEFAULT_PRIORITY = 5;

/**
 * A chat request on the requests topic (key = conversation id).
 * Written by kafka-producer, read by kafka-consumer; both validate it with this schema.
 */
export const chatRequestEnvelopeSchema = z.strictObject({
  version: z.literal(ENVELOPE_VERSION),
  kind: z.literal('chat.request'),
  requestId: idSchema,
  userId: userIdSchema,
  roles: rolesSchema.default([]),
  conversationId: idSchema,
  /** Absent: gpt-api picks its default model. */
  model: modelNameSchema.optional(),
  messages: chatMessagesSchema,
  options: generationOptionsSchema.default({}),
  priority: z.int().min(0).max(9).default(DEFAULT_PRIORITY),
  /** After this instant the request is dropped instead of answered. */
  deadline: isoDateTimeSchema,
  /**
   * The request counts as accepted only if the broker appended it by this instant (its
   * LogAppendTime). Past it, the gateway has told the client 503; a late append, from a
   * send that the client stopped waiting for, is void and workers drop it unanswered.
   */
  enqueueBy: isoDateTimeSchema.optional(),
  createdAt: isoDateTimeSchema,
  trace: traceContextSchema.default({}),
});
export type ChatRequestEnvelope = z.infer<typeof chatRequestEnvelopeSchema>;
/** What a writer may leave out (defaults fill it in). */
export type ChatRequestEnvelopeInput = z.input<typeof chatRequestEnvelopeSchema>;

/** The headers a request message carries: its id, schema version and trace context. */
export function requestHeaders(envelope: ChatRequestEnvelope): Record<string, string> {
  return {
    [HEADERS.requestId]: envelope.requestId,
    [HEADERS.schemaVersion]: String(envelope.version),
    ...(envelope.trace.traceparent ? { [HEADERS.traceparent]: envelope.trace.traceparent } : {}),
    ...(envelope.trace.tracestate ? { [HEADERS.tracestate]: envelope.trace.tracestate } : {}),
  };
}
