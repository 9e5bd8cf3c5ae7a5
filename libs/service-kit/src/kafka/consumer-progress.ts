import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Admin } from 'kafkajs';
import { Gauge, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../metrics/metrics.module';
import { KAFKA_ADMIN } from './kafka-publisher';

/** Partitions a consumer of this replica holds, by topic. */
export type Assignment = Readonly<Record<string, readonly number[]>>;

/** How old a reading may be before a scrape reads Kafka again. */
const REFRESH_MS = 5_000;

/** A partition as last read: its group's committed offset, and since when nothing moved. */
export interface StallState {
  readonly committed: bigint;
  /** When the committed offset last moved, or the last reading with nothing waiting. */
  readonly since: number;
}

/**
 * Folds a new reading of one partition (`committed` offset, `end` = high watermark, at
 * `now` ms) into its state, and says for how long its committed offset has not moved while
 * records waited. An idle partition is never stalled: while nothing waits, `since` follows
 * the clock, so a record that arrives later counts only from the reading before it.
 */
export function readStall(
  previous: StallState | undefined,
  reading: { readonly committed: bigint; readonly end: bigint },
  now: number,
): { state: StallState; stalledSeconds: number } {
  const waiting = reading.end > reading.committed;
  if (!previous || previous.committed !== reading.committed || !waiting) {
    return { state: { committed: reading.committed, since: now }, stalledSeconds: 0 };
  }
  return { state: previous, stalledSeconds: Math.max(0, (now - previous.since) / 1000) };
}

/**
 * How far this replica's consumer groups have got, as gauges: the lag of each partition it
 * holds (dashboards; KEDA reads lag from Kafka itself), and for how long a partition's
 * committed offset has not moved while records waited on it: the alert for a partition
 * something stopped (one record failing over and over, a handler that never returns).
 * Each replica reports only the partitions it holds, so summing over replicas counts
 * nothing twice. Read from Kafka when scraped, at most every five seconds.
 */
@Injectable()
export class ConsumerProgress {
  private readonly lag: Gauge<'group' | 'topic' | 'partition'>;
  private readonly stalled: Gauge<'group' | 'topic' | 'partition'>;
  private readonly assignments = new Map<string, Assignment>();
  private readonly stalls = new Map<string, StallState>();
  private readAt = 0;
  private reading: Promise<void> | undefined;

  constructor(
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(ConsumerProgress.name);
    const refresh = () => this.refresh();
    this.lag = new Gauge({
      name: 'kafka_consumer_group_lag',
      help: 'Messages not yet processed by the consumer group, for the partitions this replica holds.',
      labelNames: ['group', 'topic', 'partition'],
      registers: [registry],
      collect: refresh,
    });
    this.stalled = new Gauge({
      name: 'kafka_consumer_partition_stalled_seconds',
      help: 'How long the committed offset of a partition this replica holds has not moved while records waited on it (0: moving or idle).',
      labelNames: ['group', 'topic', 'partition'],
      registers: [registry],
      collect: refresh,
    });
  }

  /** Called on every group join with the new assignment (a rebalance replaces the old one). */
  assigned(group: string, assignment: Assignment): void {
    this.assignments.set(group, assignment);
    this.readAt = 0;
  }

  /** One read for both gauges, however many scrapes come at once. */
  private refresh(): Promise<void> {
    if (Date.now() - this.readAt < REFRESH_MS) return this.reading ?? Promise.resolve();
    this.readAt = Date.now();
    this.reading = this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async read(): Promise<void> {
    this.lag.reset();
    this.stalled.reset();
    try {
      for (const [group, assignment] of this.assignments) {
        const topics = Object.keys(assignment);
        if (topics.length === 0) continue;
        const committed = await this.admin.fetchOffsets({ groupId: group, topics });
        for (const topic of topics) {
          const high = new Map((await this.admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p]));
          const offsets = new Map(
            (committed.find((c) => c.topic === topic)?.partitions ?? []).map((p) => [p.partition, p.offset]),
          );
          for (const partition of assignment[topic] ?? []) {
            const end = high.get(partition);
            if (!end) continue;
            const done = offsets.get(partition);
            // Nothing committed yet: everything from the start of the log is still to do.
            const from = done === undefined || BigInt(done) < 0n ? BigInt(end.low) : BigInt(done);
            const lag = BigInt(end.high) - from;
            const labels = { group, topic, partition: String(partition) };
            this.lag.set(labels, Number(lag > 0n ? lag : 0n));
            const key = `${group}\u0000${topic}\u0000${partition}`;
            const { state, stalledSeconds } = readStall(this.stalls.get(key), { committed: from, end: BigInt(end.high) }, Date.now());
            this.stalls.set(key, state);
            this.stalled.set(labels, stalledSeconds);
          }
        }
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not read consumer progress');
    }
  }
}
