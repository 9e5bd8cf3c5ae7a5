import type { ReadinessCheck } from '../health/readiness';

/**
 * Ready when another service answers 2xx at `url` (its /health/ready, or /health/live when
 * only its being up matters). Rejects with the status it answered, or the reason it could not
 * be asked; within `timeoutMs`, under the 3 s HealthModule gives a check.
 */
export class HttpReadiness implements ReadinessCheck {
  constructor(
    readonly name: string,
    private readonly url: URL | string,
    private readonly timeoutMs = 2500,
  ) {}

  async check(): Promise<void> {
    const response = await fetch(this.url, { signal: AbortSignal.timeout(this.timeoutMs) });
    // Only the status matters; not reading the body would keep the connection until collected.
    await response.body?.cancel();
    if (!response.ok) throw new Error(`${this.name} is not ready (${response.status})`);
  }
}
