/**
 * What a replica last heard about each session: a live one is believed for `ttlMs` (then
 * PostgreSQL is asked again), an ended one for good (sessions do not come back). Bounded:
 * past `maxEntries` the entry written longest ago goes. Clock passed in, for tests.
 */
export class SessionCache {
  private readonly entries = new Map<string, { live: boolean; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** Whether the session is live, or undefined when it has to be asked. */
  get(sessionId: string, nowMs: number): boolean | undefined {
    const entry = this.entries.get(sessionId);
    if (!entry) return undefined;
    if (entry.live && nowMs >= entry.until) {
      this.entries.delete(sessionId);
      return undefined;
    }
    return entry.live;
  }

  /** A live answer never replaces an end (it may have been read before the end was written). */
  set(sessionId: string, live: boolean, nowMs: number): void {
    if (live && (this.ttlMs === 0 || this.entries.get(sessionId)?.live === false)) return;
    this.entries.delete(sessionId);
    this.entries.set(sessionId, { live, until: live ? nowMs + this.ttlMs : Infinity });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
