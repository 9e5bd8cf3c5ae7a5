/** What the queue needs of an item: the key whose items run one after another. */
export interface Keyed {
  readonly key: string;
}

/**
 * Decides which records run, key by key: items of one key one after another in the order
 * they were added, items of different keys at once, at most `limit` running. Confluent's
 * Parallel Consumer calls this key ordering; it is what lets one partition carry many
 * conversations at once while each conversation's messages are answered in order. Pure:
 * `add` and `done` say which items to start now, the caller starts them.
 */
export class KeyOrderedQueue<T extends Keyed> {
  /** Items waiting, in the order added. */
  private readonly waiting: T[] = [];
  /** Keys with an item running. */
  private readonly busy = new Set<string>();
  private runningCount = 0;

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`the in-flight limit must be a whole number >= 1, got ${limit}`);
  }

  /** Adds an item; returns the items to start now (it, if its key is free and a slot is). */
  add(item: T): T[] {
    this.waiting.push(item);
    return this.startable();
  }

  /** An item finished (or was dropped while running); returns the items to start now. */
  done(item: T): T[] {
    if (this.busy.delete(item.key)) this.runningCount--;
    return this.startable();
  }

  /** Removes the waiting items `drop` picks (their partition went elsewhere); returns them. */
  removeWaiting(drop: (item: T) => boolean): T[] {
    const removed: T[] = [];
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const item = this.waiting[i] as T;
      if (drop(item)) removed.unshift(...this.waiting.splice(i, 1));
    }
    return removed;
  }

  /** Stops starting items (a shutdown): `add` and `done` return nothing from now on. */
  close(): void {
    this.closed = true;
  }

  get running(): number {
    return this.runningCount;
  }

  /** Items taken in: running and waiting. */
  get size(): number {
    return this.runningCount + this.waiting.length;
  }

  private closed = false;

  /**
   * The waiting items that may start: the first waiting item of each key not running, in
   * the order added, while slots are free. A later item of a key never overtakes an earlier
   * one: the earlier one is met first, and once it starts its key is busy.
   */
  private startable(): T[] {
    if (this.closed) return [];
    const started: T[] = [];
    for (let i = 0; i < this.waiting.length && this.runningCount < this.limit; ) {
      const item = this.waiting[i] as T;
      if (this.busy.has(item.key)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.busy.add(item.key);
      this.runningCount++;
      started.push(item);
    }
    return started;
  }
}
