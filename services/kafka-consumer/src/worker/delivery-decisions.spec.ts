import { ErrorCode } from '@shoshizan/shared-interfaces';
import { afterFailure, afterStop, nextDeliveryStep, type DeliveryFacts } from './delivery-decisions';

const fresh: DeliveryFacts = { fromRequestsTopic: true, appendedAt: 1_000, enqueueBy: 2_000, redriven: false };

describe('nextDeliveryStep', () => {
  it('dead-letters a message that is not a chat request, before anything else', () => {
    expect(nextDeliveryStep({ ...fresh, unreadable: 'value: not JSON' })).toEqual({
      next: 'dead_letter_poison',
      reason: 'value: not JSON',
    });
  });

  it('voids a request the broker appended after its enqueue deadline, only from the requests topic', () => {
    expect(nextDeliveryStep({ ...fresh, appendedAt: 2_001 })).toEqual({ next: 'void' });
    expect(nextDeliveryStep({ ...fresh, appendedAt: 2_000 })).toEqual({ next: 'begin_attempt' });
    // A retry message is appended later by the worker itself: its deadline is not the enqueue's.
    expect(nextDeliveryStep({ ...fresh, fromRequestsTopic: false, appendedAt: 9_000 })).toEqual({ next: 'begin_attempt' });
    const { enqueueBy: _omitted, ...noDeadline } = fresh;
    expect(nextDeliveryStep({ ...noDeadline, appendedAt: 9_000 })).toEqual({ next: 'begin_attempt' });
  });

  it('answers a first delivery', () => {
    expect(nextDeliveryStep({ ...fresh, attempt: { number: 1, finished: false } })).toEqual({ next: 'answer' });
  });

  it('skips a redelivery of a request that was final, unless an admin redrove it', () => {
    expect(nextDeliveryStep({ ...fresh, attempt: { number: 3, finished: true } })).toEqual({ next: 'skip_duplicate', finish: false });
    expect(nextDeliveryStep({ ...fresh, redriven: true, attempt: { number: 3, finished: true } })).toEqual({
      next: 'read_answer_so_far',
    });
  });

  it('reads a redelivery\'s answer so far, then resumes it or, if final, marks it finished and skips it', () => {
    const again = { ...fresh, attempt: { number: 2, finished: false } };
    expect(nextDeliveryStep(again)).toEqual({ next: 'read_answer_so_far' });
    expect(nextDeliveryStep({ ...again, soFar: { final: false, lastSeq: 17, toolCalls: 0, model: 'm' } })).toEqual({
      next: 'resume',
      afterSeq: 17,
    });
    expect(nextDeliveryStep({ ...again, soFar: { final: true, lastSeq: 40, toolCalls: 0, model: 'm' } })).toEqual({
      next: 'skip_duplicate',
      finish: true,
    });
  });

  it('ends a redelivery whose earlier attempt wrote tool calls with them, without the model', () => {
    const again = { ...fresh, attempt: { number: 2, finished: false } };
    expect(nextDeliveryStep({ ...again, soFar: { final: false, lastSeq: 9, toolCalls: 2, model: 'm' } })).toEqual({
      next: 'finish_tool_calls',
      afterSeq: 9,
      model: 'm',
    });
    // Final already: nothing more, calls or not.
    expect(nextDeliveryStep({ ...again, soFar: { final: true, lastSeq: 10, toolCalls: 2, model: 'm' } })).toEqual({
      next: 'skip_duplicate',
      finish: true,
    });
    // A redriven request's calls stand too: its error was set aside, not its answer.
    const redriven = { ...fresh, redriven: true, attempt: { number: 4, finished: true } };
    expect(nextDeliveryStep({ ...redriven, soFar: { final: false, lastSeq: 11, toolCalls: 1, model: 'm' } })).toEqual({
      next: 'finish_tool_calls',
      afterSeq: 11,
      model: 'm',
    });
    // No `started` to take the model from: resumed as text (gpt-api starts every stream with one).
    expect(nextDeliveryStep({ ...again, soFar: { final: false, lastSeq: 9, toolCalls: 2 } })).toEqual({ next: 'resume', afterSeq: 9 });
  });
});

describe('afterFailure', () => {
  const delaysMs = [5_000, 30_000, 120_000];

  it('sends a failure that may pass to the next retry topic while retries are left', () => {
    expect(afterFailure({ code: ErrorCode.UpstreamUnavailable, message: 'down', retries: 0, delaysMs })).toEqual({
      next: 'retry',
      topic: 'requestsRetry1',
      retry: 1,
      delayMs: 5_000,
    });
    expect(afterFailure({ code: ErrorCode.UpstreamTimeout, message: 'slow', retries: 2, delaysMs })).toMatchObject({
      next: 'retry',
      topic: 'requestsRetry3',
      delayMs: 120_000,
    });
  });

  it('gives up after the last retry, says so, and dead-letters', () => {
    expect(afterFailure({ code: ErrorCode.UpstreamUnavailable, message: 'down', retries: 3, delaysMs })).toEqual({
      next: 'give_up',
      message: 'down (gave up after 3 retries)',
      retriable: true,
      deadLetter: true,
    });
  });

  it('dead-letters a failure no retry can help at once, without retrying', () => {
    expect(afterFailure({ code: ErrorCode.ModelNotFound, message: 'no such model', retries: 0, delaysMs })).toEqual({
      next: 'give_up',
      message: 'no such model',
      retriable: false,
      deadLetter: true,
    });
  });

  it('tells the client of a quota or a cancel but keeps it out of the dead-letter topic', () => {
    expect(afterFailure({ code: ErrorCode.QuotaExceeded, message: 'quota', retries: 0, delaysMs })).toMatchObject({
      next: 'give_up',
      deadLetter: false,
    });
    expect(afterFailure({ code: ErrorCode.Cancelled, message: 'stop', retries: 0, delaysMs })).toMatchObject({ deadLetter: false });
  });

  it('with retries off (RETRY_DELAYS_MS=none) gives up at once, message unchanged', () => {
    expect(afterFailure({ code: ErrorCode.UpstreamUnavailable, message: 'down', retries: 0, delaysMs: [] })).toEqual({
      next: 'give_up',
      message: 'down',
      retriable: true,
      deadLetter: true,
    });
  });
});

describe('afterStop', () => {
  it('hands back at a shutdown and when the partition went elsewhere', () => {
    expect(afterStop({ kind: 'shutdown' })).toEqual({ next: 'hand_back' });
    expect(afterStop({ kind: 'revoked' })).toEqual({ next: 'hand_back' });
  });

  it('writes nothing more once superseded; expires at the deadline; cancels with the reason', () => {
    expect(afterStop({ kind: 'superseded' })).toEqual({ next: 'superseded' });
    expect(afterStop({ kind: 'deadline' })).toEqual({ next: 'expired' });
    expect(afterStop({ kind: 'cancelled', reason: 'user stopped it' })).toEqual({ next: 'cancelled', reason: 'user stopped it' });
    expect(afterStop(undefined)).toEqual({ next: 'cancelled', reason: 'cancelled' });
  });
});
