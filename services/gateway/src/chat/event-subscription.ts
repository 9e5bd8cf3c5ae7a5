import type { ResponseEvent } from '@shoshizan/shared-interfaces';
import { isFinalEvent } from '@shoshizan/shared-interfaces';

/**
 * The events of one request, as an async iterable, in `seq` order with no duplicates: an
 * event whose seq is not above the last one delivered is dropped. (The `queued` event, seq 0,
 * comes from kafka-producer and can land after the worker's `started`; it is then dropped.)
 * Iteration ends after a final event or when the subscription is closed.
 */
export class EventSubscription implements AsyncIterable<ResponseEvent> {
  private readonly buffer: ResponseEvent[] = [];
  private lastSeq = -1;
  private closed = false;
  private wake?: () => void;

  constructor(private readonly onClose: () => void = () => undefined) {}

  push(event: ResponseEvent): void {
    if (this.closed || event.seq <= this.lastSeq) return;
    this.lastSeq = event.seq;
    this.buffer.push(event);
    this.wake?.();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    this.wake?.();
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
