import type { OutgoingMessage } from '@shoshizan/service-kit';
import { ResponseEmitter } from './response-emitter';

const request = {
  requestId: '0b5ad8b4-6e53-4a8a-9d86-2f1f5a1b3c4d',
  conversationId: '6f1c2a9e-1b7d-4c5e-8f3a-2d4b6c8e0f12',
  userId: 'u',
};

/** A publisher whose sends finish only when the test says so. */
function slowPublisher() {
  const sends: { messages: OutgoingMessage[]; done: () => void; fail: (e: Error) => void }[] = [];
  return {
    sends,
    seqs: (i: number) => sends[i]!.messages.map((m) => (JSON.parse(m.value.toString()) as { seq: number }).seq),
    sendTogether: (_topic: string, messages: readonly OutgoingMessage[]) =>
      new Promise<never[]>((resolve, reject) =>
        sends.push({ messages: [...messages], done: () => resolve([]), fail: reject }),
      ),
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('ResponseEmitter', () => {
  it('sends tokens that arrive during a send together in the next one, in order', async () => {
    const publisher = slowPublisher();
    const emitter = new ResponseEmitter(publisher, request);
    await emitter.emit({ type: 'token', text: 'a' }); // seq 1: its send starts at once
    await emitter.emit({ type: 'token', text: 'b' });
    await emitter.emit({ type: 'token', text: 'c' });
    expect(publisher.sends).toHaveLength(1);
    expect(publisher.seqs(0)).toEqual([1]);
    publisher.sends[0]!.done();
    await tick();
    expect(publisher.seqs(1)).toEqual([2, 3]);
  });

  it('reports a final event only once it and every token before it are acknowledged', async () => {
    const publisher = slowPublisher();
    const emitter = new ResponseEmitter(publisher, request);
    await emitter.emit({ type: 'token', text: 'a' });
    let finished = false;
    const done = emitter
      .emit({ type: 'cancelled', reason: 'stop' })
      .then(() => (finished = true));
    publisher.sends[0]!.done();
    await tick();
    expect(finished).toBe(false);
    expect(publisher.seqs(1)).toEqual([2]);
    publisher.sends[1]!.done();
    await done;
    expect(finished).toBe(true);
  });

  it('holds tool calls until the final event, so an answer\'s calls and its done go in one produce', async () => {
    const publisher = slowPublisher();
    const emitter = new ResponseEmitter(publisher, request);
    await emitter.emit({ type: 'token', text: 'Looking.', logprobs: [{ token: 'Looking.', logprob: -0.5 }] });
    await emitter.emit({ type: 'tool_call', index: 0, id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo\u0000"}' });
    await emitter.emit({ type: 'tool_call', index: 1, id: 'call_2', name: 'get_weather', arguments: '{"city":"Bergen"}' });
    publisher.sends[0]!.done();
    await tick();
    // The token went; the calls wait for what ends them.
    expect(publisher.sends).toHaveLength(1);
    let finished = false;
    const done = emitter
      .emit({
        type: 'done',
        model: 'm',
        usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 },
        finishReason: 'tool_calls',
        durationMs: 1,
      })
      .then(() => (finished = true));
    await tick();
    const second = publisher.sends[1]!.messages.map((m) => JSON.parse(m.value.toString()) as Record<string, unknown>);
    expect(second).toMatchObject([
      // The call's arguments made storable, as a token's text is.
      { seq: 2, type: 'tool_call', index: 0, id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo\uFFFD"}' },
      { seq: 3, type: 'tool_call', index: 1, id: 'call_2' },
      { seq: 4, type: 'done', finishReason: 'tool_calls' },
    ]);
    expect(JSON.parse(publisher.sends[0]!.messages[0]!.value.toString())).toMatchObject({
      logprobs: [{ token: 'Looking.', logprob: -0.5 }],
    });
    expect(finished).toBe(false);
    publisher.sends[1]!.done();
    await done;
    expect(finished).toBe(true);
  });

  it('writes the trace id on every event but tokens', async () => {
    const publisher = slowPublisher();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const emitter = new ResponseEmitter(publisher, request, 1, traceId);
    await emitter.emit({ type: 'started', model: 'm' });
    await emitter.emit({ type: 'token', text: 'a' });
    const done = emitter.emit({ type: 'cancelled', reason: 'stop' });
    publisher.sends[0]!.done();
    await tick();
    publisher.sends[1]!.done();
    await done;
    const events = publisher.sends.flatMap((send) => send.messages.map((m) => JSON.parse(m.value.toString()) as Record<string, unknown>));
    expect(events.map((e) => [e.type, e.traceId])).toEqual([
      ['started', traceId],
      ['token', undefined],
      ['cancelled', traceId],
    ]);
  });

  it('turns a failed send into an error on the next emit, and sends nothing after it', async () => {
    const publisher = slowPublisher();
    const emitter = new ResponseEmitter(publisher, request);
    await emitter.emit({ type: 'token', text: 'a' });
    publisher.sends[0]!.fail(new Error('broker down'));
    await tick();
    await expect(emitter.emit({ type: 'token', text: 'b' })).rejects.toThrow('broker down');
    await expect(emitter.flush()).rejects.toThrow('broker down');
    expect(publisher.sends).toHaveLength(1);
  });
});

describe('ResponseEmitter.abandon', () => {
  it('drops what is queued and unsent, and sends nothing more', async () => {
    const publisher = slowPublisher();
    const emitter = new ResponseEmitter(publisher, request);
    await emitter.emit({ type: 'token', text: 'a' }); // under way
    await emitter.emit({ type: 'token', text: 'b' }); // queued behind it
    emitter.abandon();
    publisher.sends[0]!.done();
    await new Promise((resolve) => setImmediate(resolve));
    expect(publisher.sends).toHaveLength(1);
    await expect(emitter.emit({ type: 'token', text: 'c' })).rejects.toThrow(/abandoned/);
  });
});
