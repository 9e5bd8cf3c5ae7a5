import { isFinalEvent, responseEventSchema, type ResponseEvent } from '@shoshizan/shared-interfaces';
import { readSse } from '../../e2e/support/sse';
import { viaIngress } from './cluster';

/** Signs in through the Ingress; the access token. */
export async function signIn(username: string, password: string): Promise<string> {
  const response = await viaIngress('/v1/auth/login', { method: 'POST', body: JSON.stringify({ username, password }) });
  const body = await response.json<{ accessToken?: string }>();
  if (response.status !== 200 || !body.accessToken) throw new Error(`login answered ${response.status}: ${JSON.stringify(body)}`);
  return body.accessToken;
}

/** One answer as a client saw it: every event once, in order, and how often it resumed. */
export interface Answer {
  readonly requestId: string;
  readonly events: ResponseEvent[];
  /** Times the stream ended or broke before the final event and was resumed. */
  readonly resumes: number;
  /** ms from the POST to the first token event. */
  readonly firstTokenMs: number | undefined;
  /** How each resume that got no stream was answered: an HTTP status, or `network` (tried again). */
  readonly refusedResumes: string[];
}

/**
 * Asks for an answer through the Ingress and reads it to its final event as the UI does: a
 * stream that ends, breaks or is said to be cut early (a gateway pod replaced) is resumed
 * with Last-Event-ID.
 * Events are kept as they come, repeats included, so a test can see a doubled one.
 */
export async function ask(
  token: string,
  body: unknown,
  options: { onEvent?: (event: ResponseEvent) => void; maxResumes?: number } = {},
): Promise<Answer> {
  const started = Date.now();
  let firstTokenMs: number | undefined;
  const headers = { authorization: `Bearer ${token}` };
  const response = await viaIngress('/v1/chat', { method: 'POST', headers, body: JSON.stringify(body) });
  if (response.status !== 200) throw new Error(`POST /v1/chat answered ${response.status}: ${await response.text()}`);
  const requestId = String(response.headers['x-chat-request-id']);
  const events: ResponseEvent[] = [];
  let stream = response.body;
  let resumes = 0;
  const refusedResumes: string[] = [];
  for (;;) {
    try {
      for await (const sse of readSse(stream)) {
        // An event without an SSE id is not one of the request's: the gateway saying the
        // stream was cut before the answer ended (it is shutting down). Resume, as the UI does.
        if (sse.id === undefined) break;
        const event = responseEventSchema.parse(JSON.parse(sse.data));
        if (event.type === 'token' && firstTokenMs === undefined) firstTokenMs = Date.now() - started;
        events.push(event);
        options.onEvent?.(event);
      }
    } catch {
      // A broken connection: resumed below like one that ended.
    }
    if (events.some(isFinalEvent)) return { requestId, events, resumes, firstTokenMs, refusedResumes };
    if (++resumes > (options.maxResumes ?? 20)) throw new Error(`request ${requestId} did not finish after ${resumes - 1} resumes`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const last = events.at(-1)?.seq;
    const resumed = await viaIngress(`/v1/chat/${requestId}/events`, {
      headers: { ...headers, ...(last !== undefined ? { 'last-event-id': String(last) } : {}) },
    }).catch(() => undefined);
    if (!resumed || resumed.status !== 200) {
      refusedResumes.push(resumed ? String(resumed.status) : 'network');
      if (resumed) await resumed.text().catch(() => undefined);
      stream = new ReadableStream({ start: (c) => c.close() });
      continue;
    }
    stream = resumed.body;
  }
}

/** Seqs that rise by one with no gap and no repeat. */
export function contiguous(events: readonly ResponseEvent[]): boolean {
  return events.every((e, i) => i === 0 || e.seq === events[i - 1]!.seq + 1);
}

export function textOf(events: readonly ResponseEvent[]): string {
  return events.map((e) => (e.type === 'token' ? e.text : '')).join('');
}
