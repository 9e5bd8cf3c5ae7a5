/**
 * The offsets of one partition a parallel consumer has taken in, and how far it may commit.
 *
 * Records of a partition finish out of order when they run at once, but a Kafka group keeps
 * one committed offset a partition. The ledger keeps the offsets taken in and not yet final
 * (`open`), so the position to commit is the lowest of them: a crash or a rebalance then hands
 * back exactly the unfinished records (and the finished ones above the lowest unfinished,
 * which the handler answers as duplicates). With nothing open it is one past the highest
 * offset taken. Pure: no Kafka, no clock.
 */
export class PartitionLedger {
  private readonly open = new Set<bigint>();
  private highest: bigint | undefined;
  private committed: bigint | undefined;
  /** Set when the partition went to another member: nothing of it may be committed here. */
  lost = false;

  /**
   * True when `offset` was taken in already (running, waiting or finished). After a
   * rebalance that leaves this member the partition, Kafka hands back everything from the
   * committed offset, and what runs here or finished here must not run a second time.
   */
  seen(offset: string | bigint): boolean {
    return this.highest !== undefined && BigInt(offset) <= this.highest;
  }

  /** Takes `offset` in; offsets arrive in increasing order. */
  take(offset: string | bigint): void {
    const value = BigInt(offset);
    if (this.highest !== undefined && value <= this.highest) {
      throw new Error(`offset ${value} taken after ${this.highest}: offsets must increase`);
    }
    this.open.add(value);
    this.highest = value;
  }

  /** The record at `offset` is final (answered, dead-lettered, set aside). */
  finish(offset: string | bigint): void {
    this.open.delete(BigInt(offset));
  }

  /** Records taken in and not yet final. */
  get openCount(): number {
    return this.open.size;
  }

  /** The offset to commit: the lowest open one, or one past the highest taken. */
  position(): bigint | undefined {
    if (this.highest === undefined) return undefined;
    let lowest = this.highest + 1n;
    for (const offset of this.open) if (offset < lowest) lowest = offset;
    return lowest;
  }

  /** The position when it is ahead of the last commit (and the partition still ours), else undefined. */
  toCommit(): bigint | undefined {
    if (this.lost) return undefined;
    const position = this.position();
    if (position === undefined || (this.committed !== undefined && position <= this.committed)) return undefined;
    return position;
  }

  /** Kafka took a commit of `position`. */
  committedAt(position: bigint): void {
    if (this.committed === undefined || position > this.committed) this.committed = position;
  }
}
