import { describe, expect, it } from 'vitest';
import { parseSse, type SseMessage } from './sse';

function body(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function all(chunks: string[]): Promise<SseMessage[]> {
  const messages: SseMessage[] = [];
  for await (const message of parseSse(body(chunks))) messages.push(message);
  return messages;
}

describe('parseSse', () => {
  it('reads id, event and data, skipping keep-alive comments', async () => {
    const messages = await all([': keep-alive\n\n', 'id: 0\nevent: queued\ndata: {"seq":0}\n\n', 'id: 1\nevent: token\ndata: {"seq":1}\n\n']);
    expect(messages).toEqual([
      { id: '0', event: 'queued', data: '{"seq":0}' },
      { id: '1', event: 'token', data: '{"seq":1}' },
    ]);
  });

  it('puts events together across arbitrary chunk boundaries and CRLF line ends', async () => {
    const text = 'id: 7\r\nevent: token\r\ndata: {"text":"a\\nb"}\r\n\r\nid: 8\nevent: done\ndata: {}\n\n';
    const chunks = text.split('').reduce<string[]>((acc, c, i) => (i % 3 === 0 ? [...acc, c] : [...acc.slice(0, -1), acc.at(-1)! + c]), []);
    expect(await all(chunks)).toEqual([
      { id: '7', event: 'token', data: '{"text":"a\\nb"}' },
      { id: '8', event: 'done', data: '{}' },
    ]);
  });

  it('joins multi-line data and drops an unfinished event at the end', async () => {
    expect(await all(['data: one\ndata: two\n\n', 'data: cut off'])).toEqual([{ id: undefined, event: 'message', data: 'one\ntwo' }]);
  });
});
