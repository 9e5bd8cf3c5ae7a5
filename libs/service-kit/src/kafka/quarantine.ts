import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { KafkaMessage } from 'kafkajs';
import { Counter, type Registry } from 'prom-client';
import { ErrorCode, HEADERS } from '@shoshizan/shared-interfaces';
import { METRICS_REGISTRY } from '../metrics/metrics.module';
import { KafkaPublisher } from './kafka-publisher';
import { afterRecordFailure } from './record-failure';

/** A record as a consumer got it. */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
}

export interface GuardOptions {
  /** Tries before the record is set aside. @default 3 */
  readonly maxTries?: number;
  /** Called between tries, so a slow series of tries keeps the consumer in its group. */
  readonly heartbeat?: () => Promise<void>;
  /** Errors that are the consumer's own business (a shutdown handing work back): rethrown untouched. */
  readonly passThrough?: (error: unknown) => boolean;
  /** Where the record goes instead of the quarantine topic (requests go to the dead-letter topic). */
  readonly setAside?: (error: unknown, tries: number) => Promise<void>;
}

/** Pause before try n + 1: short, since only record-specific failures are tried again here. */
const backoffMs = (tries: number) => 200 * 2 ** (tries - 1);

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 1000);
}

/**
 * Keeps one record from stopping a partition. Every consumer runs its per-record work
 * through `guard`: a failure that is the world's (PostgreSQL or Kafka down) goes back to
 * the consumer loop, which tries again for as long as it takes; a failure that is the
 * record's is tried a bounded number of times, then the record is set aside in the
 * quarantine topic with its reason, counted, logged once, and the partition moves on.
 */
@Injectable()
export class Quarantine {
  private readonly quarantined: Counter<'topic' | 'code'>;
  private readonly failures: Counter<'topic'>;

  constructor(
    private readonly publisher: KafkaPublisher,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(Quarantine.name);
    this.quarantined = new Counter({
      name: 'kafka_records_quarantined_total',
      help: 'Records a consumer could not process and set aside (quarantine or dead-letter topic), by source topic and error code.',
      labelNames: ['topic', 'code'],
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'kafka_record_failures_total',
      help: 'Failed tries at processing a record, outages included, by source topic.',
      labelNames: ['topic'],
      registers: [registry],
    });
  }

  /**
   * Runs `work` for `record`. Resolves true when it succeeded, false when the record was
   * set aside; rejects with a transient or pass-through error, or when setting aside failed
   * (then the consumer loop tries the record again, and nothing is lost).
   */
  async guard(record: ConsumedRecord, consumer: string, work: () => Promise<void>, options: GuardOptions = {}): Promise<boolean> {
    const maxTries = options.maxTries ?? 3;
    for (let tries = 1; ; tries++) {
      try {
        await work();
        return true;
      } catch (error) {
        if (options.passThrough?.(error)) throw error;
        this.failures.inc({ topic: record.topic });
        const next = afterRecordFailure(error, tries, maxTries);
        if (next === 'rethrow') throw error;
        if (next === 'set_aside') {
          if (options.setAside) await options.setAside(error, tries);
          else await this.setAside(record, consumer, ErrorCode.Internal, describe(error), tries);
          this.count(record.topic, ErrorCode.Internal);
          return false;
        }
        this.logger.debug({ ...where(record), tries, err: error }, 'Processing a record failed; trying it again');
        await new Promise((resolve) => setTimeout(resolve, backoffMs(tries)));
        await options.heartbeat?.().catch(() => undefined);
      }
    }
  }

  /**
   * Writes `record` to the quarantine topic as it was (key, value, headers) plus why, and
   * logs it once. Throws if Kafka does not take it, so the caller does not move on.
   */
  async setAside(record: ConsumedRecord, consumer: string, code: ErrorCode, reason: string, tries = 1): Promise<void> {
    const { message } = record;
    await this.publisher.send('quarantine', [
      {
        // Keyed by where it came from: every replica that reads a topic (the gateway's
        // response hub, the cancellation readers) sets the same record aside, and the
        // admin's list shows it once with each consumer that gave up on it.
        key: quarantineKey(record),
        value: message.value ?? Buffer.alloc(0),
        headers: {
          ...message.headers,
          ...(message.key ? { [HEADERS.quarantineSourceKey]: message.key } : {}),
          [HEADERS.quarantineReason]: reason.slice(0, 1000),
          [HEADERS.quarantineErrorCode]: code,
          [HEADERS.quarantineConsumer]: consumer,
          [HEADERS.quarantineSourceTopic]: record.topic,
          [HEADERS.quarantineSourcePartition]: String(record.partition),
          [HEADERS.quarantineSourceOffset]: message.offset,
          [HEADERS.quarantineTries]: String(tries),
        },
      },
    ]);
    this.logger.error({ ...where(record), consumer, code, reason, tries }, 'Set a record aside in the quarantine topic');
  }

  /** Counts a record set aside elsewhere (a poison request dead-lettered). */
  count(topic: string, code: ErrorCode): void {
    this.quarantined.inc({ topic, code });
  }

  /** A record that cannot even be read: set aside at once (no try can change that) and counted. */
  async setAsideUnreadable(record: ConsumedRecord, consumer: string, reason: string): Promise<void> {
    await this.setAside(record, consumer, ErrorCode.PoisonMessage, reason);
    this.count(record.topic, ErrorCode.PoisonMessage);
  }
}

/** The quarantine topic's key for a record: its source topic, partition and offset. */
export function quarantineKey(record: ConsumedRecord): string {
  return `${record.topic}/${record.partition}/${record.message.offset}`;
}

function where(record: ConsumedRecord): Record<string, unknown> {
  return { topic: record.topic, partition: record.partition, offset: record.message.offset };
}
