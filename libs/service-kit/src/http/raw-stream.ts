import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

/**
 * Takes over the response for a long-lived stream (SSE, NDJSON). Headers already set on the
 * reply by hooks (request id, CORS) are kept.
 */
export function openRawStream(reply: FastifyReply, headers: Record<string, string>): ServerResponse {
  reply.hijack();
  const raw = reply.raw;
  const inherited: Record<string, string | number | string[]> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) inherited[name] = value;
  }
  raw.writeHead(200, { ...inherited, 'cache-control': 'no-store', ...headers });
  return raw;
}

/**
 * Writes and, when the socket buffer is full, waits until it drains, the peer has gone, or
 * `stop` aborts (a shutdown must not wait for a client that stopped reading).
 */
export async function writeWithBackpressure(raw: ServerResponse, data: string, stop?: AbortSignal): Promise<void> {
  if (raw.destroyed || raw.writableEnded) return;
  if (raw.write(data) || stop?.aborted) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      raw.off('drain', done);
      raw.off('close', done);
      stop?.removeEventListener('abort', done);
      resolve();
    };
    raw.once('drain', done);
    raw.once('close', done);
    stop?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Ends a stream: politely when what was written has gone out, at once (the connection
 * dropped) when the client stopped reading, so a shutdown never waits on it.
 */
export function endRawStream(raw: ServerResponse): void {
  if (raw.writableNeedDrain) raw.destroy();
  else raw.end();
}
