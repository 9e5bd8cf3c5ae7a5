import { DomainException } from '@shoshizan/service-kit';
import {
  ENVELOPE_VERSION,
  ErrorCode,
  isFinalStatus,
  type ChatRequestStatus,
  type ErrorEvent,
  type ResponseEvent,
} from '@shoshizan/shared-interfaces';
import type { SseTranslation } from './sse-writer';

/**
 * One Server-Sent Event per response event: `id` is the event's seq (what a client sends
 * back as Last-Event-ID), `event` its type, `data` the whole event as JSON on one line.
 */
export function formatSse(event: ResponseEvent): string {
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** A comment line: keeps proxies from closing an idle stream; clients ignore it. */
export const SSE_KEEPALIVE = ': keep-alive\n\n';

/** An event seq, or -1 for "before the first". */
export const SEQ = /^(?:-1|\d{1,9})$/;

/** The seq a resumed stream starts after: a Last-Event-ID (or a query's) value, or -1 (from the start). */
export function afterSeqOf(value: string | undefined, name: string): number {
  if (value === undefined || value.trim() === '') return -1;
  if (!SEQ.test(value.trim())) {
    throw new DomainException(ErrorCode.ValidationFailed, `${name} must be an event seq.`, {
      issues: [{ path: name, message: 'must be a whole number, -1 or more' }],
    });
  }
  return Number(value);
}

/** The request a stream follows, as the event that says the stream was cut names it. */
export interface StreamedRequest {
  readonly requestId: string;
  readonly conversationId: string;
  readonly userId: string;
}

/**
 * The native stream (`/v1/chat`): every event as formatSse writes it, ending with a final
 * event or, when the events stop without one, with the `error` event of cutStreamEvent.
 * A resumed stream gives the seq it starts after and the request's status when it opened:
 * a request final by then has nothing more to come, so ending with nothing is not a cut
 * (the client had every event, or it was refused before it was queued).
 */
export function nativeSse(
  request: StreamedRequest,
  resumed: { afterSeq: number; status: ChatRequestStatus } | undefined = undefined,
): SseTranslation {
  let lastSeq = resumed?.afterSeq ?? -1;
  const complete = resumed !== undefined && isFinalStatus(resumed.status);
  return {
    format: (batch) => {
      lastSeq = batch.at(-1)?.seq ?? lastSeq;
      return batch.map(formatSse).join('');
    },
    end: (final) => {
      if (final || complete) return '';
      // Not one of the request's events: without an `id`, Last-Event-ID stays on the last real one.
      const cut = cutStreamEvent(request, lastSeq, new Date());
      return `event: ${cut.type}\ndata: ${JSON.stringify(cut)}\n\n`;
    },
  };
}

/**
 * What a stream cut before its final event ends with (the gateway shutting down, or no
 * longer following the request): the answer goes on, and resuming the stream gets the rest.
 * It carries the seq of the last event sent, not a new one: a client that orders events by
 * seq drops it as a repeat and resumes; one that reads `event: error` learns why it ended.
 */
export function cutStreamEvent(request: StreamedRequest, lastSeq: number, at: Date): ErrorEvent {
  return {
    version: ENVELOPE_VERSION,
    kind: 'chat.response',
    requestId: request.requestId,
    conversationId: request.conversationId,
    userId: request.userId,
    seq: Math.max(0, lastSeq),
    at: at.toISOString(),
    type: 'error',
    code: ErrorCode.UpstreamUnavailable,
    message:
      `The stream was cut before the answer ended; the request goes on. ` +
      `Resume it with GET /v1/chat/${request.requestId}/events and the last event id as Last-Event-ID.`,
    retriable: true,
  };
}
