import type { ErrorCode, ResponseEvent } from '@/api/client';
// The request lifecycle and how an answer shows it: one definition with the gateway's.
import { answerStatusOf, answerStatusOfMessage, isFinalAnswerStatus, statusAfterEvent, type AnswerStatus } from '../../../shared-interfaces/src/lifecycle';

/** An answer as the page shows it (the `data-status` of its message). */
export type { AnswerStatus };

/**
 * One answer rebuilt from its request's events. Its text is made only from `token` events,
 * each applied once in seq order, so reading the stream again (a reload, a reconnect with
 * Last-Event-ID, a second subscription) can neither lose nor double a piece of it.
 */
export interface AnswerState {
  requestId: string;
  /** The seq of the last event applied; -1 before any (what Last-Event-ID resumes after). */
  lastSeq: number;
  text: string;
  /** The tools the answer called so far (from `tool_call` events, each applied once like a token). */
  toolCalls: { id: string; name: string; arguments: string }[];
  status: AnswerStatus;
  model: string | null;
  /** Requests ahead of this one while it waits in the queue. */
  queuePosition: number | null;
  estimatedWaitSeconds: number | null;
  /** The last transient failure, while the request waits for its next attempt. */
  retrying: { retry: number; delayMs: number; message: string } | null;
  /** A worker took the request over again after the previous one stopped. */
  resumed: boolean;
  error: { code: ErrorCode; message: string } | null;
  /** The request's trace, for a person to quote when they report a problem. */
  traceId: string | null;
  cancelReason: string | null;
  usage: { promptTokens: number; completionTokens: number } | null;
  /** The stream was lost and is being opened again. */
  reconnecting: boolean;
  /** Stop was pressed; the cancelled event has not come yet. */
  stopping: boolean;
}

export function newAnswer(requestId: string, fields: Partial<AnswerState> = {}): AnswerState {
  return {
    requestId,
    lastSeq: -1,
    text: '',
    toolCalls: [],
    status: 'queued',
    model: null,
    queuePosition: null,
    estimatedWaitSeconds: null,
    retrying: null,
    resumed: false,
    error: null,
    traceId: null,
    cancelReason: null,
    usage: null,
    reconnecting: false,
    stopping: false,
    ...fields,
  };
}

export const isFinal: (status: AnswerStatus) => boolean = isFinalAnswerStatus;

/** How an answer shows whose stored message has this status (pending: queued, running: streaming). */
export { answerStatusOfMessage };

/**
 * Applies one event. `duplicate`: seen already (ignored). `gap`: events are missing before
 * it (not applied; read again after `lastSeq`). Events after a final one are ignored.
 */
export function applyEvent(answer: AnswerState, event: ResponseEvent): 'applied' | 'duplicate' | 'gap' {
  if (event.seq <= answer.lastSeq) return 'duplicate';
  if (event.seq > answer.lastSeq + 1) return 'gap';
  answer.lastSeq = event.seq;
  if (event.traceId) answer.traceId = event.traceId;
  if (isFinal(answer.status)) return 'applied';
  const status = statusAfterEvent(event.type);
  if (status !== null) answer.status = answerStatusOf(status);
  switch (event.type) {
    case 'queued':
      break;
    case 'started':
      answer.model = event.model;
      answer.queuePosition = null;
      answer.estimatedWaitSeconds = null;
      break;
    case 'resumed':
      answer.resumed = true;
      answer.retrying = null;
      answer.queuePosition = null;
      break;
    case 'retrying':
      answer.retrying = { retry: event.retry, delayMs: event.delayMs, message: event.message };
      break;
    case 'token':
      answer.retrying = null;
      answer.text += event.text;
      break;
    case 'tool_call':
      answer.retrying = null;
      answer.toolCalls.push({ id: event.id, name: event.name, arguments: event.arguments });
      break;
    case 'done':
      answer.model = event.model;
      answer.usage = { promptTokens: event.usage.promptTokens, completionTokens: event.usage.completionTokens };
      answer.retrying = null;
      answer.stopping = false;
      break;
    case 'error':
      answer.error = { code: event.code, message: event.message };
      answer.retrying = null;
      answer.stopping = false;
      break;
    case 'cancelled':
      answer.cancelReason = event.reason;
      answer.retrying = null;
      answer.stopping = false;
      break;
  }
  return 'applied';
}
