import { z } from 'zod';
import { ErrorCode } from '../errors';
import { text } from '../text';
import {
  ENVELOPE_VERSION,
  finishReasonSchema,
  idSchema,
  isoDateTimeSchema,
  modelNameSchema,
  storedIntSchema,
  tokenLogprobSchema,
  toolCallSchema,
  traceIdSchema,
  usageSchema,
  userIdSchema,
} from '../common';
import { isFinalEventType, type LifecycleEventType } from '../lifecycle';

/**
 * Fields every response event carries. `seq` numbers the events of one request from 0
 * without gaps, whatever their type; a client resumes after the last `seq` it saw.
 */
const base = {
  version: z.literal(ENVELOPE_VERSION),
  kind: z.literal('chat.response'),
  requestId: idSchema,
  conversationId: idSchema,
  userId: userIdSchema,
  seq: storedIntSchema,
  at: isoDateTimeSchema,
  /**
   * The trace the request's spans belong to, for a client or the UI to quote when it reports
   * a problem. On every event but `token` (absent on events written before traces were).
   */
  traceId: traceIdSchema.optional(),
};

/** The request is durable in the queue. */
export const queuedEventSchema = z.strictObject({
  ...base,
  type: z.literal('queued'),
});

/** A worker took the request and the model started. */
export const startedEventSchema = z.strictObject({
  ...base,
  type: z.literal('started'),
  model: modelNameSchema,
});

/**
 * The request was delivered again, and this attempt carries on with it: after the worker
 * answering it stopped (a crash, a rebalance), after a retry delay, or after an admin
 * redrove it from the dead-letter topic. The answer is not started again: every event up
 * to `afterSeq` stands, and the tokens that follow continue the text already sent.
 */
export const resumedEventSchema = z.strictObject({
  ...base,
  type: z.literal('resumed'),
  /** Which delivery of the request this is: 2 for the first redelivery. */
  attempt: storedIntSchema.min(2),
  /** The last event of the earlier attempts; a client that has it misses nothing. */
  afterSeq: storedIntSchema,
});

/**
 * The attempt failed for a reason that may pass (gpt-api or Ollama unreachable, a timeout);
 * the request waits `delayMs` in a retry topic and is tried again. Not final: a `resumed`
 * event follows when the next attempt starts.
 */
export const retryingEventSchema = z.strictObject({
  ...base,
  type: z.literal('retrying'),
  /** Which retry comes next: 1 for the first. */
  retry: storedIntSchema.min(1),
  delayMs: storedIntSchema,
  code: z.enum(ErrorCode),
  message: text(),
});

/** A piece of the answer, in order; with `logprobs` when the request asked for them. */
export const tokenEventSchema = z.strictObject({
  ...base,
  type: z.literal('token'),
  text: text(),
  logprobs: z.array(tokenLogprobSchema).optional(),
});

/**
 * A whole tool call of the answer (the model's calls come whole, never in pieces: a
 * resumed answer never holds half of one). `index` numbers the calls of one answer from 0.
 */
export const toolCallEventSchema = z.strictObject({
  ...base,
  type: z.literal('tool_call'),
  index: z.int().min(0).max(127),
  ...toolCallSchema.shape,
});

/** The answer is complete. */
export const doneEventSchema = z.strictObject({
  ...base,
  type: z.literal('done'),
  model: modelNameSchema,
  usage: usageSchema,
  finishReason: finishReasonSchema,
  durationMs: z.number().min(0).max(2_147_483_647),
});

/** The request ended in an error; `retriable` says whether sending it again may work. */
export const errorEventSchema = z.strictObject({
  ...base,
  type: z.literal('error'),
  code: z.enum(ErrorCode),
  message: text(),
  retriable: z.boolean(),
});

/** The request was cancelled; the model stopped. */
export const cancelledEventSchema = z.strictObject({
  ...base,
  type: z.literal('cancelled'),
  reason: text().max(500),
});

export const responseEventSchema = z.discriminatedUnion('type', [
  queuedEventSchema,
  startedEventSchema,
  resumedEventSchema,
  retryingEventSchema,
  tokenEventSchema,
  toolCallEventSchema,
  doneEventSchema,
  errorEventSchema,
  cancelledEventSchema,
]);
export type ResponseEvent = z.infer<typeof responseEventSchema>;
export type ResponseEventType = ResponseEvent['type'];
export type QueuedEvent = z.infer<typeof queuedEventSchema>;
export type StartedEvent = z.infer<typeof startedEventSchema>;
export type ResumedEvent = z.infer<typeof resumedEventSchema>;
export type RetryingEvent = z.infer<typeof retryingEventSchema>;
export type TokenEvent = z.infer<typeof tokenEventSchema>;
export type ToolCallEvent = z.infer<typeof toolCallEventSchema>;
export type DoneEvent = z.infer<typeof doneEventSchema>;
export type ErrorEvent = z.infer<typeof errorEventSchema>;
export type CancelledEvent = z.infer<typeof cancelledEventSchema>;

/** Events after which no other event of the same request follows (lifecycle.ts says which). */
export function isFinalEvent(event: ResponseEvent): boolean {
  return isFinalEventType(event.type);
}

/** The lifecycle names every event type, and no other: a new type fails to compile until it has its place there. */
const lifecycleNamesEveryEvent: [ResponseEventType] extends [LifecycleEventType]
  ? [LifecycleEventType] extends [ResponseEventType]
    ? true
    : never
  : never = true;
void lifecycleNamesEveryEvent;
