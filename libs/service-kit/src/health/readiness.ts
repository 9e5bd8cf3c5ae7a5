import { Inject, Injectable } from '@nestjs/common';
import { parseWith, z } from '@shoshizan/shared-interfaces';

/**
 * One dependency that must answer before the service takes traffic. `check` resolves when
 * the dependency is usable and rejects with a reason when it is not.
 */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

/** The service's ReadinessChecks, in the order HealthModule.forRoot was given them. */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/** Longest wait for one check: a hung dependency fails the probe instead of hanging it. */
export const CHECK_TIMEOUT_MS = 3000;

/** What one check found. */
export interface DependencyState {
  readonly name: string;
  readonly state: 'up' | 'down';
  /** Why it is down. */
  readonly message?: string;
}

/** Rejects after `ms` so that a hung dependency fails the probe instead of hanging it. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the service's readiness checks: the one list of its dependencies (given to
 * HealthModule.forRoot) that /health/ready answers from and anything else reporting on them
 * reads (the gateway's status page), so that a check added there shows up everywhere.
 */
@Injectable()
export class ReadinessReport {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: readonly ReadinessCheck[]) {}

  /** Every check at once, each within `timeoutMs`; in the order of the list. */
  run(timeoutMs = CHECK_TIMEOUT_MS): Promise<DependencyState[]> {
    return Promise.all(
      this.checks.map(async (c): Promise<DependencyState> => {
        try {
          await withTimeout(c.check(), timeoutMs, c.name);
          return { name: c.name, state: 'up' };
        } catch (error) {
          return { name: c.name, state: 'down', message: (error as Error).message };
        }
      }),
    );
  }
}

/** The part of a /health/ready answer (Terminus's report, as HealthController sends it) that names each dependency. */
const readyAnswerSchema = z.object({
  details: z.record(z.string(), z.object({ status: z.string().optional(), message: z.string().optional() })),
});

/**
 * The dependencies in another service's /health/ready answer, as its ReadinessReport found
 * them; none when the body is no such answer (not JSON, a proxy's page).
 */
export function dependenciesInReadyAnswer(body: unknown): DependencyState[] {
  const answer = parseWith(readyAnswerSchema, body);
  if (!answer.ok) return [];
  return Object.entries(answer.value.details).map(([name, detail]) => ({
    name,
    state: detail.status === 'up' ? 'up' : 'down',
    ...(detail.message ? { message: detail.message } : {}),
  }));
}
