import { Writable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { Registry } from 'prom-client';
import { ENVELOPE_VERSION, type ResponseEvent } from '@shoshizan/shared-interfaces';
import type { GatewayConfig } from '../config/gateway.config';
import { ChatMetrics } from './chat.metrics';
import { EventSubscription } from './event-subscription';
import { SseWriter, type SseStreamOptions } from './sse-writer';

const base = {
  version: ENVELOPE_VERSION,
  kind: 'chat.response',
  requestId: '0b5ad8b4-6e53-4a8a-9d86-2f1f5a1b3c4d',
  conversationId: '6f1c2a9e-1b7d-4c5e-8f3a-2d4b6c8e0f12',
  userId: 'u1',
  at: '2026-01-01T00:00:00.000Z',
} as const;
const token = (seq: number): ResponseEvent => ({ ...base, seq, type: 'token', text: `t${seq}` });
const cancelled = (seq: number): ResponseEvent => ({ ...base, seq, type: 'cancelled', reason: 'x' });

/** A client connection: records what is written; `reading: false` stops taking bytes, as a stalled client does. */
class Connection extends Writable {
  readonly written: string[] = [];
  headers: Record<string, string> = {};
  constructor(reading = true) {
    super({ highWaterMark: 8 });
    if (!reading) this._write = () => undefined;
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.written.push(chunk.toString());
    done();
  }
  writeHead(_status: number, headers: Record<string, string>): this {
    this.headers = headers;
    return this;
  }
}
const replyOn = (raw: Connection) => ({ raw, hijack: () => undefined, getHeaders: () => ({}) }) as unknown as FastifyReply;

function writer(keepaliveMs = 60_000) {
  const metrics = new ChatMetrics(new Registry());
  return { metrics, sse: new SseWriter(metrics, { SSE_KEEPALIVE_MS: keepaliveMs } as GatewayConfig) };
}
const gauge = async (metrics: ChatMetrics) => (await metrics.activeStreams.get()).values[0]?.value;

/** Records which final event `end` was given. */
function translation(): SseStreamOptions & { ends: (ResponseEvent | undefined)[] } {
  const ends: (ResponseEvent | undefined)[] = [];
  return {
    ends,
    headers: { 'x-chat-request-id': base.requestId },
    open: () => 'open;',
    format: (batch) => batch.map((e) => `${e.type}${e.seq};`).join(''),
    end: (final) => {
      ends.push(final);
      return final ? 'end;' : 'cut;';
    },
  };
}

describe('SseWriter', () => {
  it('writes the opening, one write a batch, and the end given the final event; counts the stream while it is open', async () => {
    const { sse, metrics } = writer();
    const raw = new Connection();
    const events = new EventSubscription();
    const options = translation();
    events.push(token(0));
    events.push(token(1));
    const streaming = sse.stream(replyOn(raw), events, options);
    expect(await gauge(metrics)).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    events.push(cancelled(2));
    await streaming;
    expect(raw.written).toEqual(['open;', 'token0;token1;', 'cancelled2;', 'end;']);
    expect(options.ends).toEqual([cancelled(2)]);
    expect(raw.headers).toMatchObject({ 'content-type': 'text/event-stream; charset=utf-8', 'x-chat-request-id': base.requestId });
    expect(raw.writableEnded).toBe(true);
    expect(await gauge(metrics)).toBe(0);
  });

  it('gives end no final event when the subscription closes first (a shutdown), and its text is written', async () => {
    const { sse } = writer();
    const raw = new Connection();
    const events = new EventSubscription();
    const options = translation();
    const streaming = sse.stream(replyOn(raw), events, options);
    events.push(token(0));
    await new Promise((resolve) => setImmediate(resolve));
    events.close();
    await streaming;
    expect(options.ends).toEqual([undefined]);
    expect(raw.written.at(-1)).toBe('cut;');
  });

  it('closes the subscription when the client leaves', async () => {
    const { sse } = writer();
    const raw = new Connection();
    const events = new EventSubscription();
    const streaming = sse.stream(replyOn(raw), events, translation());
    raw.destroy();
    await streaming;
    expect(events.closedSignal.aborted).toBe(true);
  });

  it('does not wait for a client that stopped reading once the subscription closes, and drops its connection', async () => {
    const { sse, metrics } = writer();
    const raw = new Connection(false);
    const events = new EventSubscription();
    const streaming = sse.stream(replyOn(raw), events, translation());
    events.push(token(0)); // over the connection's buffer: the writer waits for a drain that never comes
    await new Promise((resolve) => setImmediate(resolve));
    expect(await gauge(metrics)).toBe(1);
    events.close();
    await streaming;
    expect(raw.destroyed).toBe(true);
    expect(await gauge(metrics)).toBe(0);
  });

  it('sends keep-alive comments while idle', async () => {
    const { sse } = writer(5);
    const raw = new Connection();
    const events = new EventSubscription();
    const streaming = sse.stream(replyOn(raw), events, translation());
    await new Promise((resolve) => setTimeout(resolve, 30));
    events.push(cancelled(0));
    await streaming;
    expect(raw.written).toContain(': keep-alive\n\n');
  });

  it('observes the time to the first token only for a stream of a request just accepted', async () => {
    const { sse, metrics } = writer();
    const count = async () => (await metrics.timeToFirstToken.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value;
    for (const acceptedAt of [undefined, performance.now()]) {
      const events = new EventSubscription();
      events.push(token(0));
      events.push(token(1));
      events.push(cancelled(2));
      await sse.stream(replyOn(new Connection()), events, { ...translation(), ...(acceptedAt !== undefined ? { acceptedAt } : {}) });
    }
    expect(await count()).toBe(1);
  });
});
