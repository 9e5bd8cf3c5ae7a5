import { EventEmitter } from 'node:events';
import type { Consumer, ConsumerRunConfig, EachBatchPayload } from 'kafkajs';
import pino from 'pino';
import { ParallelConsumer, type ParallelRecord } from './parallel-consumer';

/** A kafkajs consumer as far as ParallelConsumer uses it; batches are handed in by the test. */
class FakeConsumer extends EventEmitter {
  readonly events = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' };
  config: ConsumerRunConfig | undefined;
  readonly paused = new Set<number>();
  readonly commits: { partition: number; offset: string }[][] = [];
  readonly resolved: string[] = [];

  run(config: ConsumerRunConfig): Promise<void> {
    this.config = config;
    return Promise.resolve();
  }
  pause(topics: { topic: string; partitions: number[] }[]): void {
    for (const { partitions } of topics) for (const p of partitions) this.paused.add(p);
  }
  resume(topics: { topic: string; partitions: number[] }[]): void {
    for (const { partitions } of topics) for (const p of partitions) this.paused.delete(p);
  }
  commitOffsets(offsets: { topic: string; partition: number; offset: string }[]): Promise<void> {
    this.commits.push(offsets.map(({ partition, offset }) => ({ partition, offset })));
    return Promise.resolve();
  }
  join(assignment: Record<string, number[]>): void {
    this.emit(this.events.GROUP_JOIN, { payload: { memberAssignment: assignment } });
  }
  /** Hands a batch to eachBatch as kafkajs would; resolves when eachBatch returned. */
  async batch(partition: number, messages: { offset: number; key: string }[]): Promise<void> {
    await this.config?.eachBatch?.({
      batch: {
        topic: 't',
        partition,
        messages: messages.map(({ offset, key }) => ({ offset: String(offset), key: Buffer.from(key), value: null, timestamp: '0', attributes: 0, headers: {} })),
      },
      resolveOffset: (offset: string) => this.resolved.push(`${partition}:${offset}`),
      heartbeat: () => Promise.resolve(),
      isRunning: () => true,
      isStale: () => false,
    } as unknown as EachBatchPayload);
  }
  lastCommit(partition: number): string | undefined {
    for (let i = this.commits.length - 1; i >= 0; i--) {
      const found = this.commits[i]?.find((c) => c.partition === partition);
      if (found) return found.offset;
    }
    return undefined;
  }
}

/** A handler whose records the test finishes one by one. */
function controllable() {
  const started: string[] = [];
  const finishers = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  const handle = (record: ParallelRecord) =>
    new Promise<void>((resolve, reject) => {
      const name = `${record.partition}:${record.message.offset}`;
      started.push(name);
      finishers.set(name, { resolve, reject });
      record.revoked.addEventListener('abort', () => reject(new Error('revoked')));
    });
  const finish = async (name: string) => {
    finishers.get(name)?.resolve();
    await flush();
  };
  return { started, finishers, handle, finish };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));
const logger = pino({ level: 'silent' });

async function setUp(maxInFlight: number, handle: (r: ParallelRecord) => Promise<void>, maxTakenIn?: number) {
  const fake = new FakeConsumer();
  const parallel = new ParallelConsumer(fake as unknown as Consumer, {
    name: 'test',
    maxInFlight,
    ...(maxTakenIn ? { maxTakenIn } : {}),
    handle,
    logger,
    retryDelayMs: () => 1,
  });
  await parallel.run();
  fake.join({ t: [0, 1] });
  return { fake, parallel };
}

describe('ParallelConsumer', () => {
  it('returns from eachBatch at once and runs different keys of one partition at once', async () => {
    const h = controllable();
    const { fake } = await setUp(8, h.handle);
    await fake.batch(0, [
      { offset: 0, key: 'a' },
      { offset: 1, key: 'b' },
      { offset: 2, key: 'c' },
    ]);
    expect(h.started).toEqual(['0:0', '0:1', '0:2']);
    expect(fake.resolved).toEqual(['0:0', '0:1', '0:2']);
  });

  it('runs a key one record after another, and a slow record holds only its key', async () => {
    const h = controllable();
    const { fake } = await setUp(8, h.handle);
    await fake.batch(0, [
      { offset: 0, key: 'slow' },
      { offset: 1, key: 'slow' },
      { offset: 2, key: 'fast' },
    ]);
    expect(h.started).toEqual(['0:0', '0:2']);
    await h.finish('0:2');
    expect(h.started).toEqual(['0:0', '0:2']);
    await h.finish('0:0');
    expect(h.started).toEqual(['0:0', '0:2', '0:1']);
  });

  it('commits a partition only up to its lowest record not yet final', async () => {
    const h = controllable();
    const { fake } = await setUp(8, h.handle);
    await fake.batch(1, [
      { offset: 5, key: 'a' },
      { offset: 6, key: 'b' },
      { offset: 7, key: 'c' },
    ]);
    await h.finish('1:6');
    await h.finish('1:7');
    // 5 is not final: nothing past it may be committed (5 itself may be).
    expect(Number(fake.lastCommit(1) ?? 5)).toBe(5);
    await h.finish('1:5');
    expect(fake.lastCommit(1)).toBe('8');
  });

  it('pauses a partition when full and takes the rest of the batch after a resume, once each', async () => {
    const h = controllable();
    const { fake } = await setUp(2, h.handle, 2);
    const batch = [0, 1, 2, 3].map((offset) => ({ offset, key: `k${offset}` }));
    await fake.batch(0, batch);
    expect(h.started).toEqual(['0:0', '0:1']);
    expect(fake.paused.has(0)).toBe(true);
    expect(fake.resolved).toEqual(['0:0', '0:1']);
    await h.finish('0:0');
    expect(fake.paused.has(0)).toBe(false);
    await fake.batch(0, batch); // kafkajs fetches again from the last resolved offset... or earlier
    expect(h.started).toEqual(['0:0', '0:1', '0:2']);
  });

  it('runs a record again after a failure of the world, holding its key', async () => {
    let tries = 0;
    const { fake } = await setUp(4, async () => {
      tries++;
      if (tries < 3) throw new Error('PostgreSQL is down');
    });
    await fake.batch(0, [{ offset: 0, key: 'a' }]);
    for (let i = 0; i < 20 && fake.lastCommit(0) === undefined; i++) await new Promise((r) => setTimeout(r, 5));
    expect(tries).toBe(3);
    expect(fake.lastCommit(0)).toBe('1');
  });

  it('hands back the records of a partition that went elsewhere and commits none of them', async () => {
    const h = controllable();
    const { fake } = await setUp(1, h.handle, 4);
    await fake.batch(0, [
      { offset: 0, key: 'a' },
      { offset: 1, key: 'b' },
    ]);
    await fake.batch(1, [{ offset: 0, key: 'c' }]);
    expect(h.started).toEqual(['0:0']);
    fake.join({ t: [1] }); // partition 0 went to another member
    await flush();
    // 0:0 was revoked (its handler rejected), 0:1 dropped unstarted; 1:0 takes the slot.
    expect(h.started).toEqual(['0:0', '1:0']);
    expect(Number(fake.lastCommit(0) ?? 0)).toBe(0);
    await h.finish('1:0');
    expect(fake.lastCommit(1)).toBe('1');
  });

  it('does not run again the records of a partition it keeps after a rebalance', async () => {
    const h = controllable();
    const { fake } = await setUp(4, h.handle);
    await fake.batch(0, [
      { offset: 0, key: 'a' },
      { offset: 1, key: 'b' },
    ]);
    await h.finish('0:1');
    fake.join({ t: [0, 1] });
    await fake.batch(0, [
      { offset: 0, key: 'a' },
      { offset: 1, key: 'b' },
      { offset: 2, key: 'c' },
    ]); // from the committed offset, 0
    expect(h.started).toEqual(['0:0', '0:1', '0:2']);
  });

  it('fetches a partition it paused, lost and got back (kafkajs keeps a pause across rebalances)', async () => {
    const h = controllable();
    const { fake } = await setUp(2, h.handle, 2);
    await fake.batch(1, [
      { offset: 0, key: 'a' },
      { offset: 1, key: 'b' },
      { offset: 2, key: 'c' },
    ]);
    expect(fake.paused.has(1)).toBe(true); // full: partition 1 paused
    fake.join({ t: [0] }); // 1 went to another member while paused
    await flush();
    fake.join({ t: [0, 1] }); // and came back
    await flush();
    expect(fake.paused.has(1)).toBe(false);
    await fake.batch(1, [{ offset: 0, key: 'a' }]);
    expect(h.started).toEqual(['1:0', '1:1', '1:0']);
  });
});
