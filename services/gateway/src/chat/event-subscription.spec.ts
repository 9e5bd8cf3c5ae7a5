import type { ResponseEvent } from '@shoshizan/shared-interfaces';
import { EventSubscription } from './event-subscription';

const base = {
  version: 1 as const,
  kind: 'chat.response' as const,
  requestId: '0b5ad8b4-6e53-4a8a-9d86-2f1f5a1b3c4d',
  conversationId: '6f1c2a9e-1b7d-4c5e-8f3a-2d4b6c8e0f12',
  userId: 'u1',
  at: '2026-01-01T00:00:00.000Z',
};
const token = (seq: number, text: string): ResponseEvent => ({ ...base, seq, type: 'token', text });
const done = (seq: number): ResponseEvent => ({
  ...base,
  seq,
  type: 'done',
  model: 'gemma3:270m',
  usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 },
  finishReason: 'stop',
  durationMs: 5,
});

async function collect(subscription: EventSubscription): Promise<number[]> {
  const seqs: number[] = [];
  for await (const event of subscription) seqs.push(event.seq);
  return seqs;
}

describe('EventSubscription', () => {
  it('delivers in order, drops duplicates and a late queued event, and ends at the final event', async () => {
    const subscription = new EventSubscription();
    const result = collect(subscription);
    subscription.push(token(1, 'a'));
    subscription.push({ ...base, seq: 0, type: 'queued' });
    subscription.push(token(2, 'b'));
    subscription.push(token(2, 'b'));
    subscription.push(done(3));
    subscription.push(token(4, 'after the end'));
    expect(await result).toEqual([1, 2, 3]);
  });

  it('buffers events pushed before iteration starts', async () => {
    const subscription = new EventSubscription();
    subscription.push({ ...base, seq: 0, type: 'queued' });
    subscription.push(done(1));
    expect(await collect(subscription)).toEqual([0, 1]);
  });

  it('ends when closed and calls onClose once', async () => {
    const onClose = jest.fn();
    const subscription = new EventSubscription(onClose);
    const result = collect(subscription);
    subscription.push(token(1, 'a'));
    await new Promise((resolve) => setImmediate(resolve));
    subscription.close();
    expect(await result).toEqual([1]);
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});

describe('EventSubscription resuming a stream', () => {
  it('delivers the stored events, then what arrived live while they were read, without a gap or a repeat', async () => {
    const subscription = new EventSubscription(undefined, { afterSeq: 2, held: true });
    // Live events arrive while the store is read; one of them is also in the store.
    subscription.push(token(5, 'e'));
    subscription.push(token(4, 'd'));
    subscription.release([token(3, 'c'), token(4, 'd')]);
    subscription.push(token(6, 'f'));
    subscription.push(done(7));
    expect(await collect(subscription)).toEqual([3, 4, 5, 6, 7]);
  });

  it('skips what the client already has', async () => {
    const subscription = new EventSubscription(undefined, { afterSeq: 4, held: true });
    subscription.release([token(3, 'c'), token(4, 'd'), token(5, 'e'), done(6)]);
    expect(await collect(subscription)).toEqual([5, 6]);
  });
});

describe('EventSubscription.batches', () => {
  it('gives what arrived meanwhile at once, stops at the final event, and signals its close', async () => {
    const subscription = new EventSubscription();
    subscription.push(token(1, 'a'));
    subscription.push(token(2, 'b'));
    const batches: number[][] = [];
    const reading = (async () => {
      for await (const batch of subscription.batches()) batches.push(batch.map((e) => e.seq));
    })();
    await new Promise((resolve) => setImmediate(resolve));
    subscription.push(token(3, 'c'));
    subscription.push(done(4));
    subscription.push(token(5, 'late'));
    await reading;
    expect(batches).toEqual([[1, 2], [3, 4]]);
    expect(subscription.closedSignal.aborted).toBe(true);
  });
});
