import { Injectable } from '@nestjs/common';
import { TOPICS } from '@shoshizan/shared-interfaces';

/** Why a running request was stopped. */
export type StopReason =
  | { readonly kind: 'cancelled'; readonly reason: string }
  | { readonly kind: 'deadline' }
  /** A later attempt of the same request took it over (see AttemptsRepository). */
  | { readonly kind: 'superseded' }
  /** This replica is shutting down and hands the request back to the group. */
  | { readonly kind: 'shutdown' }
  /** The request's partition went to another replica (a rebalance), which goes on with it. */
  | { readonly kind: 'revoked' };

export class RequestStopped extends Error {
  constructor(readonly stop: StopReason) {
    super(stop.kind === 'cancelled' ? stop.reason : stop.kind === 'deadline' ? 'deadline exceeded' : stop.kind);
    this.name = 'RequestStopped';
  }
}

/**
 * The requests this replica is answering, so a cancellation can stop one. A cancellation
 * that arrives before its request (still queued, or waiting for a retry) is remembered as
 * long as the cancellations topic keeps it, so the request is skipped when it comes. A
 * replica reads the topic from the start when it starts, so it knows them all.
 */
@Injectable()
export class CancellationRegistry {
  private readonly running = new Map<string, AbortController>();
  /** In arrival order, so the oldest are first to go. */
  private readonly early = new Map<string, { reason: string; at: number }>();
  private shuttingDown = false;

  constructor(
    private readonly rememberMs = Number(TOPICS.cancellations.config['retention.ms']),
    private readonly maxRemembered = 200_000,
  ) {}

  /** Registers a request; the returned controller aborts with a RequestStopped reason. */
  register(requestId: string): AbortController {
    const controller = new AbortController();
    if (this.shuttingDown) controller.abort(new RequestStopped({ kind: 'shutdown' }));
    const early = this.early.get(requestId);
    if (early) {
      this.early.delete(requestId);
      controller.abort(new RequestStopped({ kind: 'cancelled', reason: early.reason }));
    }
    this.running.set(requestId, controller);
    return controller;
  }

  unregister(requestId: string): void {
    this.running.delete(requestId);
  }

  /**
   * Returns true when the request runs here and was stopped. `at` is when the cancellation
   * was made; `now` is the clock (both for tests).
   */
  cancel(requestId: string, reason: string, at = Date.now(), now = Date.now()): boolean {
    const controller = this.running.get(requestId);
    if (controller) {
      controller.abort(new RequestStopped({ kind: 'cancelled', reason }));
      return true;
    }
    this.forgetOld(now);
    if (now - at <= this.rememberMs) this.early.set(requestId, { reason, at });
    return false;
  }

  /** Stops every running request, and every one registered from now on, to hand it back. */
  stopAllForShutdown(): void {
    this.shuttingDown = true;
    for (const controller of this.running.values()) controller.abort(new RequestStopped({ kind: 'shutdown' }));
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  get size(): number {
    return this.running.size;
  }

  private forgetOld(now: number): void {
    for (const [id, entry] of this.early) {
      if (now - entry.at <= this.rememberMs && this.early.size < this.maxRemembered) break;
      this.early.delete(id);
    }
  }
}
