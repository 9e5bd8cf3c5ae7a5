import type { ResponseEvent } from '@shoshizan/shared-interfaces';
import { isFinalEvent } from '@shoshizan/shared-interfaces';

/**
 * The events of one request, as an async iterable, in `seq` order with no duplicates: an
 * event whose seq is not above the last one delivered is dropped. (The `queued` event, seq 0,
 * comes from kafka-producer and can land after the worker's `started`; it is then dropped.)
 * Iteration ends after a final event or when the subscription is closed.
 *
 * To resume a stream, a subscription starts `held` after the seq the client has: live
 * events wait while the stored ones are read, then `release(stored)` delivers the stored
 * ones and the live ones after them, in order, without a gap or a repeat.
 */
export class EventSubscription implements AsyncIterable<ResponseEvent> {
  private readonly buffer: ResponseEvent[] = [];
  private held: ResponseEvent[] | undefined;
  private lastSeq: number;
  private closed = false;
  private wake?: () => void;
  private readonly closing = new AbortController();

  constructor(
    private readonly onClose: () => void = () => undefined,
    options: { readonly afterSeq?: number; readonly held?: boolean } = {},
  ) {
    this.lastSeq = options.afterSeq ?? -1;
    if (options.held) this.held = [];
  }

  push(event: ResponseEvent): void {
    if (this.held) {
      this.held.push(event);
      return;
    }
    if (this.closed || event.seq <= this.lastSeq) return;
    this.lastSeq = event.seq;
    this.buffer.push(event);
    this.wake?.();
  }

  /** Ends the hold: delivers `stored` (in seq order), then what arrived live meanwhile. */
  release(stored: readonly ResponseEvent[]): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const event of [...stored, ...held].sort((a, b) => a.seq - b.seq)) this.push(event);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    this.onClose();
    this.wake?.();
  }

  /** Aborted once the subscription is closed (the client left, the gateway stops, or it ended). */
  get closedSignal(): AbortSignal {
    return this.closing.signal;
  }

  /**
   * Like iterating, but everything that arrived since the last step at once (up to and
   * including a final event): a stream writer makes one write of it, not one a token.
   */
  async *batches(): AsyncGenerator<ResponseEvent[]> {
    try {
      for (;;) {
        if (this.buffer.length > 0) {
          const finalAt = this.buffer.findIndex(isFinalEvent);
          yield this.buffer.splice(0, finalAt >= 0 ? finalAt + 1 : this.buffer.length);
          if (finalAt >= 0) return;
          continue;
        }
        if (this.closed) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    } finally {
      this.close();
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ResponseEvent> {
    try {
      for (;;) {
        const event = this.buffer.shift();
        if (event) {
          yield event;
          if (isFinalEvent(event)) return;
          continue;
        }
        if (this.closed) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    } finally {
      this.close();
    }
  }
}
