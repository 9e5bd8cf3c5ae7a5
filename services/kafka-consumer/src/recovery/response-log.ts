import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Admin, Kafka } from 'kafkajs';
import { KAFKA, KAFKA_ADMIN, partitionForKey, readPartitionRange } from '@shoshizan/service-kit';
import {
  decodeMessage,
  isFinalEvent,
  responseEventSchema,
  topicName,
  type ResponseEvent,
  type ToolCall,
} from '@shoshizan/shared-interfaces';
import { KAFKA_CONSUMER_CONFIG, type KafkaConsumerConfig } from '../config/kafka-consumer.config';

/** What the earlier attempts of a request wrote to the responses topic. */
export interface AnswerSoFar {
  /** Seq of the last event written; 0 when there was only `queued`, or nothing. */
  readonly lastSeq: number;
  /** Whether a `started` event was written. */
  readonly started: boolean;
  /** The model the first `started` event named (a `done` that ends the answer names it too). */
  readonly model?: string;
  /** The text of the token events, in order. */
  readonly text: string;
  /** How many token events there were (one per streamed piece, about a token each). */
  readonly tokens: number;
  /** The tool calls written, in order: an answer that has any is not generated again. */
  readonly toolCalls: readonly ToolCall[];
  /** The final event (done, error, cancelled) if an earlier attempt got that far. */
  readonly final?: ResponseEvent;
}

/** How far producers' clocks may be behind the request's timestamp. */
const CLOCK_SKEW_MS = 60_000;

/**
 * Reads back the response events of one request: the recovery path of a redelivered
 * request. The responses topic is keyed by request id, so they all sit on one partition,
 * written after the request itself; the scan runs from the request's timestamp to the end
 * of that partition. It is only run on redelivery, never on the normal path.
 */
@Injectable()
export class ResponseLog {
  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    @Inject(KAFKA_CONSUMER_CONFIG) private readonly config: KafkaConsumerConfig,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(ResponseLog.name);
  }

  /**
   * `reopen`: the request was redriven from the dead-letter topic, so the `error` that ended
   * it does not count as final (a `done` or `cancelled` still does).
   */
  async read(requestId: string, requestTimestampMs: number, reopen = false, timeoutMs = 30_000): Promise<AnswerSoFar> {
    const topic = topicName('responses', this.config.KAFKA_TOPIC_PREFIX);
    const metadata = await this.admin.fetchTopicMetadata({ topics: [topic] });
    const partitionCount = metadata.topics[0]?.partitions.length ?? 0;
    if (partitionCount === 0) throw new Error(`topic ${topic} has no partitions`);
    const partition = partitionForKey(topic, requestId, partitionCount);

    const startedAt = performance.now();
    const from = (await this.admin.fetchTopicOffsetsByTimestamp(topic, requestTimestampMs - CLOCK_SKEW_MS)).find(
      (p) => p.partition === partition,
    );
    const end = (await this.admin.fetchTopicOffsets(topic)).find((p) => p.partition === partition);
    if (!from || !end) throw new Error(`no offsets for ${topic}[${partition}]`);
    const events: ResponseEvent[] = [];
    const range = { topic, partition, from: from.offset, to: end.high, timeoutMs };
    await readPartitionRange(this.kafka, { ...range, groupPrefix: this.config.KAFKA_TOPIC_PREFIX }, (message) => {
      if (message.key?.toString() !== requestId) return;
      try {
        events.push(decodeMessage(responseEventSchema, message.value, 'response event'));
      } catch (error) {
        this.logger.warn({ requestId, offset: message.offset, err: error }, 'Skipped an invalid response event');
      }
    });
    const soFar = summarise(events, reopen);
    this.logger.info(
      {
        requestId,
        partition,
        from: from.offset,
        to: end.high,
        events: events.length,
        lastSeq: soFar.lastSeq,
        ms: Math.round(performance.now() - startedAt),
      },
      'Read back the answer so far',
    );
    return soFar;
  }
}

/** Folds the events of one request, in seq order, into what a resumed attempt needs. */
export function summarise(events: readonly ResponseEvent[], reopen = false): AnswerSoFar {
  const bySeq = new Map<number, ResponseEvent>();
  for (const event of events) if (!bySeq.has(event.seq)) bySeq.set(event.seq, event);
  const ordered = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  let text = '';
  let tokens = 0;
  let started = false;
  let model: string | undefined;
  const toolCalls: ToolCall[] = [];
  let final: ResponseEvent | undefined;
  for (const event of ordered) {
    if (event.type === 'token') {
      text += event.text;
      tokens++;
    } else if (event.type === 'tool_call') {
      toolCalls.push({ id: event.id, name: event.name, arguments: event.arguments });
    } else if (event.type === 'started') {
      started = true;
      model ??= event.model;
    } else if (isFinalEvent(event) && !(reopen && event.type === 'error')) {
      final ??= event;
    }
  }
  return {
    lastSeq: ordered.at(-1)?.seq ?? 0,
    started,
    ...(model !== undefined ? { model } : {}),
    text,
    tokens,
    toolCalls,
    ...(final ? { final } : {}),
  };
}
