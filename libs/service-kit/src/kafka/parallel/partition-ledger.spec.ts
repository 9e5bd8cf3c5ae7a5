import { PartitionLedger } from './partition-ledger';

describe('PartitionLedger', () => {
  it('commits up to the lowest record not yet final', () => {
    const ledger = new PartitionLedger();
    for (const offset of ['10', '11', '12', '13']) ledger.take(offset);
    ledger.finish('11');
    ledger.finish('13');
    expect(ledger.position()).toBe(10n);
    ledger.finish('10');
    expect(ledger.position()).toBe(12n);
    ledger.finish('12');
    expect(ledger.position()).toBe(14n);
    expect(ledger.openCount).toBe(0);
  });

  it('has nothing to commit before a record is taken, and nothing twice', () => {
    const ledger = new PartitionLedger();
    expect(ledger.toCommit()).toBeUndefined();
    ledger.take('5');
    ledger.finish('5');
    expect(ledger.toCommit()).toBe(6n);
    ledger.committedAt(6n);
    expect(ledger.toCommit()).toBeUndefined();
    ledger.take('6');
    expect(ledger.toCommit()).toBeUndefined(); // 6 is open: the position stays at 6
  });

  it('knows the records it took in, so a rebalance that keeps the partition runs none twice', () => {
    const ledger = new PartitionLedger();
    ledger.take('3');
    ledger.take('7');
    expect(ledger.seen('3')).toBe(true);
    expect(ledger.seen('5')).toBe(true); // below the highest taken: a gap (compaction) or finished
    expect(ledger.seen('8')).toBe(false);
    expect(() => ledger.take('6')).toThrow(/must increase/);
  });

  it('commits nothing of a partition that went elsewhere', () => {
    const ledger = new PartitionLedger();
    ledger.take('1');
    ledger.finish('1');
    ledger.lost = true;
    expect(ledger.toCommit()).toBeUndefined();
  });

  it('keeps offsets past 2^53 exact', () => {
    const ledger = new PartitionLedger();
    ledger.take('9007199254740993');
    ledger.finish('9007199254740993');
    expect(ledger.position()).toBe(9007199254740994n);
  });
});
