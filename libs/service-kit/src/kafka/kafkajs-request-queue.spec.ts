import { KAFKAJS_REQUEST_QUEUE_FIXED, nothingToCheck } from './kafkajs-request-queue';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as new (options: Record<string, unknown>) => {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests(): void;
};

function queue() {
  return new RequestQueue({
    instrumentationEmitter: { emit: () => undefined },
    maxInFlightRequests: 1,
    requestTimeout: 1000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: '127.0.0.1:9092',
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    isConnected: () => true,
  });
}

describe('the kafkajs request queue fix', () => {
  it('schedules no check on an idle, unthrottled connection (kafkajs 2.2.4 spun a 1 ms timer forever)', () => {
    expect(KAFKAJS_REQUEST_QUEUE_FIXED).toBe(true);
    const idle = queue();
    idle.scheduleCheckPendingRequests();
    expect(idle.throttleCheckTimeoutId).toBeNull();
  });

  it('still schedules one while requests wait or the broker throttles', () => {
    const waiting = queue();
    waiting.pending.push({});
    waiting.scheduleCheckPendingRequests();
    expect(waiting.throttleCheckTimeoutId).not.toBeNull();
    clearTimeout(waiting.throttleCheckTimeoutId!);

    const throttled = queue();
    throttled.throttledUntil = Date.now() + 60_000;
    throttled.scheduleCheckPendingRequests();
    expect(throttled.throttleCheckTimeoutId).not.toBeNull();
    clearTimeout(throttled.throttleCheckTimeoutId!);
  });

  it('leaves a queue of another shape to kafkajs', () => {
    expect(nothingToCheck({ pending: [], throttledUntil: -1 }, 5)).toBe(true);
    expect(nothingToCheck({ pending: [], throttledUntil: 10 }, 5)).toBe(false);
    expect(nothingToCheck({ queued: [] } as never)).toBe(false);
  });
});
