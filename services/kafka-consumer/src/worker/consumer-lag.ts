import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Admin } from 'kafkajs';
import { Gauge, type Registry } from 'prom-client';
import { KAFKA_ADMIN, METRICS_REGISTRY } from '@shoshizan/service-kit';

/** Partitions a consumer of this replica holds, by topic. */
export type Assignment = Readonly<Record<string, readonly number[]>>;

/** How old a lag reading may be before a scrape reads it again. */
const REFRESH_MS = 5_000;

/**
 * Consumer-group lag as a gauge, for dashboards and for the autoscaler (KEDA reads lag
 * from Kafka itself; this is what humans see). Each replica reports the partitions it is
 * assigned, so summing over replicas gives the group's lag without counting twice.
 */
@Injectable()
export class ConsumerLag {
  private readonly gauge: Gauge<'group' | 'topic' | 'partition'>;
  private readonly assignments = new Map<string, Assignment>();
  private readAt = 0;

  constructor(
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(ConsumerLag.name);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- prom-client calls collect() with the gauge as `this`
    const self = this;
    this.gauge = new Gauge({
      name: 'kafka_consumer_group_lag',
      help: 'Messages not yet processed by the consumer group, for the partitions this replica holds.',
      labelNames: ['group', 'topic', 'partition'],
      registers: [registry],
      async collect() {
        await self.refresh();
      },
    });
  }

  /** Called on every group join with the new assignment (a rebalance replaces the old one). */
  assigned(group: string, assignment: Assignment): void {
    this.assignments.set(group, assignment);
    this.readAt = 0;
  }

  private async refresh(): Promise<void> {
    if (Date.now() - this.readAt < REFRESH_MS) return;
    this.readAt = Date.now();
    this.gauge.reset();
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
            this.gauge.set({ group, topic, partition: String(partition) }, Number(lag > 0n ? lag : 0n));
          }
        }
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not read consumer lag');
    }
  }
}
