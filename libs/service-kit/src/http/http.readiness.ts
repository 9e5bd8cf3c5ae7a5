import type { ReadinessCheck } from '../health/health.module';

/** Ready when an HTTP dependency answers 2xx at `url`. */
export class HttpReadiness implements ReadinessCheck {
  constructor(
    readonly name: string,
    private readonly url: string,
  ) {}

  async check(): Promise<void> {
    const response = await fetch(this.url, { signal: AbortSignal.timeout(2500) });
    if (!response.ok) throw new Error(`${this.url} answered ${response.status}`);
  }
}
