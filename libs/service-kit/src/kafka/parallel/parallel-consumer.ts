import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type pino from 'pino';
import type { Assignment } from '../consumer-progress';
import type { ConsumedRecord } from '../quarantine';
import { keepRunning } from '../keep-running';
import { KeyOrderedQueue } from './key-ordered-queue';
import { PartitionLedger } from './partition-ledger';

/** A record as the handler gets it. */
export interface ParallelRecord extends ConsumedRecord {
  /**
   * Does nothing: the fetch loop is never held here, so kafkajs heartbeats on its own (after
   * every fetch, and while every partition is paused). Kept so a handler written for a
   * consumer that holds its loop works unchanged; a heartbeat from each of many running
   * records would only add requests, and errors during every rebalance.
   */
  readonly heartbeat: () => Promise<void>;
  /** Aborted when the record's partition went to another member: stop and hand it back. */
  readonly revoked: AbortSignal;
}

export interface ParallelConsumerOptions {
  /** For logs. */
  readonly name: string;
  /** Records handled at once by this replica. */
  readonly maxInFlight: number;
  /**
   * Records taken in at once, running and waiting for their key; past it the partitions
   * pause until some finish. @default twice maxInFlight
   */
  readonly maxTakenIn?: number;
  /**
   * Runs one record. Resolving means the record is final and its offset may be committed.
   * Rejecting with an error `handedBack` recognises (or any error once the record's
   * partition is gone or the consumer stops) leaves it uncommitted for whoever gets the
   * partition; any other rejection is a failure of the world (Kafka or PostgreSQL down), and
   * the record is run again after a pause, for as long as it takes, holding its key.
   */
  readonly handle: (record: ParallelRecord) => Promise<void>;
  readonly handedBack?: (error: unknown) => boolean;
  readonly logger: pino.Logger;
  /** Pause before running a record again after its n-th failure. @default 1 s doubling, at most 30 s */
  readonly retryDelayMs?: (failures: number) => number;
}

interface Taken {
  readonly key: string;
  readonly record: ParallelRecord;
  readonly ledger: PartitionLedger;
  readonly revoke: AbortController;
}

/** Pause before running a record again after a failure of the world: 1 s, doubling, at most 30 s. */
const defaultRetryDelayMs = (failures: number) => Math.min(30_000, 1000 * 2 ** (failures - 1));

const noHeartbeat = () => Promise.resolve();

const partitionId = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * Runs many records of a kafkajs consumer's partitions at once, key by key (Confluent's
 * Parallel Consumer model on kafkajs):
 *
 * - The fetch loop is never held. `eachBatch` takes the batch's records in and returns at
 *   once; kafkajs 2 fetches again only after every partition's batch of the last fetch was
 *   handled, so one long handler would stall all partitions (it did: a worker ran 3-4
 *   answers at once out of 6 partitions).
 * - Records of one key run one after another, in offset order; records of different keys
 *   run at once, up to `maxInFlight` (see KeyOrderedQueue). A slow record holds its key,
 *   not its partition.
 * - Backpressure: past `maxTakenIn` records taken in, the partition being read pauses and
 *   the rest of its batch is left unread (kafkajs fetches it again after the resume).
 * - Offsets: a partition's committed offset is its lowest record not yet final (see
 *   PartitionLedger), committed as it moves, one commit at a time. kafkajs' own commits are
 *   off (autoCommit: false); its fetch position moves with each record taken in.
 * - A rebalance: partitions that stay keep their records; records of partitions that went
 *   elsewhere are dropped if waiting and revoked if running (their `revoked` signal aborts),
 *   and are not committed here.
 */
export class ParallelConsumer {
  private readonly queue: KeyOrderedQueue<Taken>;
  private readonly maxTakenIn: number;
  private readonly ledgers = new Map<string, PartitionLedger>();
  private readonly paused = new Map<string, { topic: string; partition: number }>();
  /** Records running now, and the promise of each. */
  private readonly running = new Map<Taken, Promise<void>>();
  private readonly stopping = new AbortController();
  private committing: Promise<void> | undefined;
  private commitAgain = false;

  constructor(
    private readonly consumer: Consumer,
    private readonly options: ParallelConsumerOptions,
  ) {
    this.queue = new KeyOrderedQueue<Taken>(options.maxInFlight);
    this.maxTakenIn = Math.max(options.maxInFlight, options.maxTakenIn ?? options.maxInFlight * 2);
    consumer.on(consumer.events.GROUP_JOIN, (event) => this.assigned(event.payload.memberAssignment));
  }

  /** Records running now. */
  get inFlight(): number {
    return this.queue.running;
  }

  /** Records taken in: running and waiting for their key or a slot. */
  get takenIn(): number {
    return this.queue.size;
  }

  /** Starts consuming (after subscribing), restarting the consumer if it crashes for good. */
  async run(): Promise<void> {
    await keepRunning(
      this.consumer,
      {
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async (payload) => this.takeIn(payload),
      },
      { name: this.options.name, logger: this.options.logger, stopping: this.stopping.signal },
    );
  }

  /**
   * Stops taking and starting records, waits up to `graceMs` for the running ones to return
   * (the caller has told them to hand back), and commits what finished. Call before
   * disconnecting the consumer: a commit needs it running.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping.abort();
    this.queue.close();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.running.values()]),
      new Promise((resolve) => (timer = setTimeout(resolve, graceMs))),
    ]);
    clearTimeout(timer);
    await this.commit();
  }

  private takeIn(payload: EachBatchPayload): void {
    const { topic, partition } = payload.batch;
    const ledger = this.ledgers.get(partitionId(topic, partition));
    // A batch of a partition this member no longer holds (fetched before the rebalance).
    if (!ledger || ledger.lost) return;
    for (const message of payload.batch.messages) {
      if (!payload.isRunning() || payload.isStale() || this.stopping.signal.aborted) break;
      if (ledger.seen(message.offset)) {
        payload.resolveOffset(message.offset);
        continue;
      }
      if (this.queue.size >= this.maxTakenIn) {
        this.pause(topic, partition);
        break;
      }
      ledger.take(message.offset);
      payload.resolveOffset(message.offset);
      const revoke = new AbortController();
      const taken: Taken = {
        key: keyOf(topic, message),
        ledger,
        revoke,
        record: { topic, partition, message, heartbeat: noHeartbeat, revoked: revoke.signal },
      };
      this.start(this.queue.add(taken));
    }
  }

  private start(items: readonly Taken[]): void {
    for (const taken of items) {
      const run = this.runUntilFinal(taken).finally(() => {
        this.running.delete(taken);
        this.start(this.queue.done(taken));
        this.resumeIfRoom();
      });
      this.running.set(taken, run);
    }
  }

  /** Runs a record until it is final or handed back; never rejects. */
  private async runUntilFinal(taken: Taken): Promise<void> {
    const { record, ledger } = taken;
    for (let failures = 1; ; failures++) {
      try {
        await this.options.handle(record);
        ledger.finish(record.message.offset);
        void this.commit();
        return;
      } catch (error) {
        if (this.options.handedBack?.(error) || record.revoked.aborted || this.stopping.signal.aborted) return;
        const delayMs = (this.options.retryDelayMs ?? defaultRetryDelayMs)(failures);
        this.options.logger.warn(
          { consumer: this.options.name, topic: record.topic, partition: record.partition, offset: record.message.offset, err: error, delayMs },
          'Handling a record failed for a reason outside it; trying it again',
        );
        await this.sleep(delayMs, record.revoked);
        if (record.revoked.aborted || this.stopping.signal.aborted) return;
      }
    }
  }

  private sleep(ms: number, revoked: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        revoked.removeEventListener('abort', done);
        this.stopping.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      revoked.addEventListener('abort', done, { once: true });
      this.stopping.signal.addEventListener('abort', done, { once: true });
    });
  }

  /** A new assignment (after every join): keeps the partitions that stay, lets go of the rest. */
  private assigned(assignment: Assignment): void {
    const now = new Set<string>();
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        const id = partitionId(topic, partition);
        now.add(id);
        if (!this.ledgers.has(id)) this.ledgers.set(id, new PartitionLedger());
      }
    }
    const unpause = new Map<string, number[]>();
    for (const [id, ledger] of this.ledgers) {
      if (now.has(id)) continue;
      ledger.lost = true;
      this.ledgers.delete(id);
      // kafkajs keeps a partition's pause across rebalances: one paused here and assigned
      // back later would never be fetched again. Resumed as it goes (a resume of a partition
      // not held only clears that flag).
      const paused = this.paused.get(id);
      if (paused) unpause.set(paused.topic, [...(unpause.get(paused.topic) ?? []), paused.partition]);
      this.paused.delete(id);
    }
    if (unpause.size > 0) this.consumer.resume([...unpause].map(([topic, partitions]) => ({ topic, partitions })));
    const dropped = this.queue.removeWaiting((taken) => taken.ledger.lost);
    let revoked = 0;
    for (const taken of this.running.keys()) {
      if (taken.ledger.lost) {
        taken.revoke.abort();
        revoked++;
      }
    }
    if (dropped.length > 0 || revoked > 0) {
      this.options.logger.info(
        { consumer: this.options.name, dropped: dropped.length, revoked },
        'Partitions went to another member; their records are handed back',
      );
    }
    // Paused partitions that stay are fetched afresh by the new generation.
    this.resumeIfRoom();
    void this.commit();
  }

  private pause(topic: string, partition: number): void {
    const id = partitionId(topic, partition);
    if (this.paused.has(id)) return;
    this.paused.set(id, { topic, partition });
    this.consumer.pause([{ topic, partitions: [partition] }]);
  }

  private resumeIfRoom(): void {
    if (this.paused.size === 0 || this.queue.size >= this.maxTakenIn || this.stopping.signal.aborted) return;
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of this.paused.values()) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
    this.paused.clear();
    this.consumer.resume([...byTopic].map(([topic, partitions]) => ({ topic, partitions })));
  }

  /**
   * Commits each partition's position where it moved. One commit at a time: completions
   * during a commit are gathered into the next, so a busy replica commits a few times a
   * second, not once a record. A failed commit (a rebalance under way) is left to the next.
   */
  private commit(): Promise<void> {
    if (this.committing) {
      this.commitAgain = true;
      return this.committing;
    }
    this.committing = (async () => {
      do {
        this.commitAgain = false;
        const offsets: { topic: string; partition: number; offset: string }[] = [];
        const positions: [PartitionLedger, bigint][] = [];
        for (const [id, ledger] of this.ledgers) {
          const position = ledger.toCommit();
          if (position === undefined) continue;
          const [topic = '', partition = '0'] = id.split('\u0000');
          offsets.push({ topic, partition: Number(partition), offset: position.toString() });
          positions.push([ledger, position]);
        }
        if (offsets.length === 0) break;
        try {
          await this.consumer.commitOffsets(offsets);
          for (const [ledger, position] of positions) ledger.committedAt(position);
        } catch (error) {
          this.options.logger.debug({ consumer: this.options.name, err: error }, 'A commit failed; the next one carries it');
          break;
        }
      } while (this.commitAgain);
    })().finally(() => {
      this.committing = undefined;
    });
    return this.committing;
  }
}

/** The ordering key of a record: its Kafka key, or (no key) the record itself. */
function keyOf(topic: string, message: KafkaMessage): string {
  return message.key ? `${topic}\u0000${message.key.toString('latin1')}` : `${topic}\u0000@${message.offset}`;
}
