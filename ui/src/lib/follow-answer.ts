import { ApiError, type ChatRequestState, type ResponseEvent } from '@/api/client';
import { applyEvent, isFinal, type AnswerState } from './answer';

/**
 * Following one answer until its final event: its stream, opened again after the last event
 * applied when it drops, and its place in the queue while it waits. Plain TypeScript on
 * purpose: the gateway's routes and the passing of time come in as `FollowDeps`, so every
 * branch (a dropped stream, a gap, a queue, a stop) is unit-tested with a fake gateway and a
 * fake clock; the chat store gives it the real ones and a reactive answer to fill in.
 */

/** Delays between attempts to open a lost stream again, ms (then the last one, repeated). */
export const RECONNECT_DELAYS_MS = [500, 1000, 2000, 4000, 8000, 10000];
/** How often a queued request's place in the queue is asked for, ms. */
export const QUEUE_POLL_MS = 2500;

/** The two gateway routes an answer is followed through; `ApiClient` has both. */
export interface FollowApi {
  /** The request's events after `lastEventId` (none: from the start), ending with the final one. */
  events(requestId: string, lastEventId: number | undefined, signal: AbortSignal): AsyncIterable<ResponseEvent>;
  /** The request as the gateway has it now; only its place in the queue is read. */
  chatRequest(requestId: string, signal: AbortSignal): Promise<Pick<ChatRequestState, 'queuePosition' | 'estimatedWaitSeconds'>>;
}

export interface FollowDeps {
  api: FollowApi;
  /** Waits `ms`; it must end early once `signal` aborts (`waitUnlessWoken` in the browser). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** A number in [0, 1), to spread the reconnects of many tabs after an outage. @default Math.random */
  random?: () => number;
}

/**
 * How following ended. `final`: the final event arrived (the answer is done, failed or
 * cancelled). `stopped`: the caller aborted. `signed-out`: the gateway answered 401 (the
 * session ended; the sign-in page takes over). `gone`: the gateway no longer has the request
 * (404); the answer is marked failed.
 */
export type FollowEnd = 'final' | 'stopped' | 'signed-out' | 'gone';

/** The delay before reconnect attempt `attempt` (0 first), ms. */
export const reconnectDelay = (attempt: number): number =>
  RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)]!;

/**
 * Follows `answer` (changing it in place, event by event through `applyEvent`) until its final
 * event, or until `signal` aborts. While it waits in the queue its place is asked for beside
 * the stream, which the queue does not hold up.
 */
export async function followAnswer(answer: AnswerState, deps: FollowDeps, signal: AbortSignal): Promise<FollowEnd> {
  // The polling ends with the stream, however the stream ends.
  const local = new AbortController();
  const abort = () => local.abort();
  signal.addEventListener('abort', abort, { once: true });
  if (signal.aborted) abort();
  void pollQueuePlace(answer, deps, local.signal);
  try {
    return await readEvents(answer, deps, local.signal);
  } finally {
    local.abort();
    signal.removeEventListener('abort', abort);
  }
}

async function readEvents(answer: AnswerState, deps: FollowDeps, signal: AbortSignal): Promise<FollowEnd> {
  const random = deps.random ?? Math.random;
  let failures = 0;
  while (!signal.aborted && !isFinal(answer.status)) {
    try {
      const events = deps.api.events(answer.requestId, answer.lastSeq >= 0 ? answer.lastSeq : undefined, signal);
      let progressed = false;
      for await (const event of events) {
        answer.reconnecting = false;
        progressed = true;
        failures = 0;
        if (applyEvent(answer, event) === 'gap') break;
        if (isFinal(answer.status)) return 'final';
      }
      // Ended early (a restarted gateway, a gap): open it again after what we have; if it
      // keeps ending with nothing new, wait longer each time rather than ask in a loop.
      await deps.sleep(reconnectDelay(progressed ? 0 : failures++), signal);
    } catch (error) {
      if (signal.aborted) return 'stopped';
      if (error instanceof ApiError) {
        if (error.status === 401) return 'signed-out';
        if (error.status === 404) {
          answer.status = 'error';
          answer.error = { code: 'not_found', message: 'This answer is no longer available.' };
          answer.reconnecting = false;
          return 'gone';
        }
      }
      // Lost (offline, a gateway restarting): the page says it is reconnecting. The jitter
      // keeps the tabs that lost the same gateway from coming back at the same moment.
      answer.reconnecting = true;
      await deps.sleep(reconnectDelay(failures++) * (0.8 + random() * 0.4), signal);
    }
  }
  return isFinal(answer.status) ? 'final' : 'stopped';
}

async function pollQueuePlace(answer: AnswerState, deps: FollowDeps, signal: AbortSignal): Promise<void> {
  // Just posted, the place is known already; after a reload it is asked for at once.
  if (answer.queuePosition !== null) await deps.sleep(QUEUE_POLL_MS, signal);
  while (!signal.aborted && answer.status === 'queued') {
    try {
      const place = await deps.api.chatRequest(answer.requestId, signal);
      if (answer.status !== 'queued') return;
      answer.queuePosition = place.queuePosition;
      answer.estimatedWaitSeconds = place.estimatedWaitSeconds;
    } catch {
      // The stream's reconnecting says enough; try again on the next turn.
    }
    await deps.sleep(QUEUE_POLL_MS, signal);
  }
}

/**
 * The browser's wait between attempts: `ms`, or less when `signal` aborts or the browser comes
 * back online (then trying at once beats waiting out the delay).
 */
export function waitUnlessWoken(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      if (typeof window !== 'undefined') window.removeEventListener('online', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    if (typeof window !== 'undefined') window.addEventListener('online', done, { once: true });
  });
}
