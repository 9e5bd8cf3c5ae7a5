import { ErrorCode, RETRY_TOPICS, isRetriable } from '@shoshizan/shared-interfaces';
import type { StopReason } from '../cancellation/cancellation.registry';

/**
 * The decisions ChatRequestHandler makes about a delivery of a request, as pure functions:
 * it gathers the facts (the message, its attempt row, the answer so far) and does what these
 * say. Each runs in microseconds and is unit-tested case by case.
 */

/** What is known about a delivery so far; later facts are added as the handler reads them. */
export interface DeliveryFacts {
  /** Why the message cannot be read as a chat request, if it cannot. */
  readonly unreadable?: string;
  /** It came from the requests topic (not a retry topic). */
  readonly fromRequestsTopic: boolean;
  /** When the broker appended it, in ms. */
  readonly appendedAt: number;
  /** The request's enqueue deadline, in ms: its client was told 503 if the broker appended it later. */
  readonly enqueueBy?: number;
  /** An admin redrove it from the dead-letter topic. */
  readonly redriven: boolean;
  /** The request's attempt row, once begun: this delivery's number, and whether an earlier one was final. */
  readonly attempt?: { readonly number: number; readonly finished: boolean };
  /** What earlier attempts wrote to the responses topic, once read. */
  readonly soFar?: {
    readonly final: boolean;
    readonly lastSeq: number;
    /** Tool calls written. */
    readonly toolCalls: number;
    /** The model their `started` event named. */
    readonly model?: string;
  };
}

export type DeliveryStep =
  /** Not a chat request: to the dead-letter topic with the reason. */
  | { readonly next: 'dead_letter_poison'; readonly reason: string }
  /** Appended after its enqueue deadline: its client was refused, so nobody waits for it. */
  | { readonly next: 'void' }
  /** Count this delivery in PostgreSQL (AttemptsRepository.begin). */
  | { readonly next: 'begin_attempt' }
  /** Read what earlier attempts wrote (ResponseLog.read). */
  | { readonly next: 'read_answer_so_far' }
  /** Answered already; `finish` says the attempt row must still be marked final. */
  | { readonly next: 'skip_duplicate'; readonly finish: boolean }
  /** Go on after the last event an earlier attempt wrote. */
  | { readonly next: 'resume'; readonly afterSeq: number }
  /** An earlier attempt wrote tool calls: end the answer with them (`done`, finish reason tool_calls), without the model. */
  | { readonly next: 'finish_tool_calls'; readonly afterSeq: number; readonly model: string }
  /** A first delivery: answer it. */
  | { readonly next: 'answer' };

/** The next step for a delivery, given what is known of it. */
export function nextDeliveryStep(facts: DeliveryFacts): DeliveryStep {
  if (facts.unreadable !== undefined) return { next: 'dead_letter_poison', reason: facts.unreadable };
  if (facts.fromRequestsTopic && facts.enqueueBy !== undefined && facts.appendedAt > facts.enqueueBy) return { next: 'void' };
  const { attempt, soFar } = facts;
  if (!attempt) return { next: 'begin_attempt' };
  // A redriven request was final (dead-lettered) on purpose; its error is not the end.
  if (attempt.finished && !facts.redriven) return { next: 'skip_duplicate', finish: false };
  if (attempt.number === 1) return { next: 'answer' };
  if (!soFar) return { next: 'read_answer_so_far' };
  if (soFar.final) return { next: 'skip_duplicate', finish: true };
  // The model cannot go on from tool calls as it goes on from text: asked again it would make
  // them again (the client would see each twice) or make others, so the calls written are
  // the answer. A `done` must name a model, from the `started` event; gpt-api starts every
  // stream with one, so calls without it do not happen and are left to the resume below.
  if (soFar.toolCalls > 0 && soFar.model !== undefined) {
    return { next: 'finish_tool_calls', afterSeq: soFar.lastSeq, model: soFar.model };
  }
  return { next: 'resume', afterSeq: soFar.lastSeq };
}

/** Failures a redrive cannot help: the dead-letter topic is for what an admin can act on. */
const NOT_DEAD_LETTERED: ReadonlySet<ErrorCode> = new Set([ErrorCode.QuotaExceeded, ErrorCode.Cancelled]);

export type FailureStep =
  /** To the next retry topic, the client told `retrying`. */
  | { readonly next: 'retry'; readonly topic: (typeof RETRY_TOPICS)[number]; readonly retry: number; readonly delayMs: number }
  /** The client gets an error event; the request goes to the dead-letter topic if `deadLetter`. */
  | { readonly next: 'give_up'; readonly message: string; readonly retriable: boolean; readonly deadLetter: boolean };

/**
 * What follows a failed attempt: a failure that may pass (gpt-api or Ollama down, a timeout)
 * goes to the next retry topic while retries are left; otherwise the client gets the error,
 * and the request goes to the dead-letter topic unless a redrive could not help it.
 */
export function afterFailure(failure: {
  readonly code: ErrorCode;
  readonly message: string;
  /** Retries so far: 0 from the requests topic, n from the n-th retry topic. */
  readonly retries: number;
  readonly delaysMs: readonly number[];
}): FailureStep {
  const { code, retries, delaysMs } = failure;
  const retriable = isRetriable(code);
  const topic = RETRY_TOPICS[retries];
  if (retriable && retries < delaysMs.length && topic) {
    return { next: 'retry', topic, retry: retries + 1, delayMs: delaysMs[retries] ?? 0 };
  }
  const message = retriable && delaysMs.length > 0 ? `${failure.message} (gave up after ${retries} retries)` : failure.message;
  return { next: 'give_up', message, retriable, deadLetter: !NOT_DEAD_LETTERED.has(code) };
}

export type StopStep =
  /** Leave it unanswered and uncommitted: another replica (or this one, later) goes on with it. */
  | { readonly next: 'hand_back' }
  /** A later attempt took it over: write nothing more. */
  | { readonly next: 'superseded' }
  | { readonly next: 'expired' }
  | { readonly next: 'cancelled'; readonly reason: string };

/** What a stopped generation means, from the reason its AbortController was aborted with. */
export function afterStop(stop: StopReason | undefined): StopStep {
  switch (stop?.kind) {
    case 'shutdown':
    case 'revoked':
      return { next: 'hand_back' };
    case 'superseded':
      return { next: 'superseded' };
    case 'deadline':
      return { next: 'expired' };
    case 'cancelled':
      return { next: 'cancelled', reason: stop.reason };
    case undefined:
      return { next: 'cancelled', reason: 'cancelled' };
  }
}
