/**
 * A fix for kafkajs 2.2.4's request queue, applied once when service-kit's Kafka client is
 * loaded. After every response a broker connection's queue schedules its next check with
 * `setTimeout(check, throttledUntil - Date.now())`; unthrottled, that is about -1.7e12 ms,
 * which Node runs after 1 ms (and, from Node 24, warns about: the TimeoutNegativeWarning the
 * services printed). The check schedules the next one the same way, so every connection
 * that ever had a response woke its process a thousand times a second, forever: measured
 * here, ~4,500 timers and ~190 ms of CPU in 5 idle seconds for one admin connection, 12 ms
 * with this fix. A check is only needed while requests wait (pending) or the broker
 * throttles us; kafkajs itself checks again whenever a response frees a slot.
 */
// kafkajs ships no types for its internals; this is the one it exports at this path.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as {
  prototype: { scheduleCheckPendingRequests: (this: QueueState) => void };
};

interface QueueState {
  readonly pending?: unknown;
  readonly throttledUntil?: unknown;
}

const original = RequestQueue.prototype.scheduleCheckPendingRequests;

/** True when the queue's check would wait for nothing (the case the fix skips). */
export function nothingToCheck(queue: QueueState, now = Date.now()): boolean {
  if (!Array.isArray(queue.pending) || typeof queue.throttledUntil !== 'number') return false; // not the shape we know
  return queue.pending.length === 0 && queue.throttledUntil <= now;
}

RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: QueueState): void {
  if (nothingToCheck(this)) return;
  original.call(this);
};

export const KAFKAJS_REQUEST_QUEUE_FIXED = true;
