import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Consumer, Kafka } from 'kafkajs';
import {
  ConsumerProgress,
  KAFKA,
  Quarantine,
  isTransientError,
  keepRunning,
  type ConsumedRecord,
  type ReadinessCheck,
} from '@shoshizan/service-kit';
import {
  SchemaValidationError,
  decodeMessage,
  isFinalEvent,
  responseEventSchema,
  topicName,
  type ResponseEvent,
} from '@shoshizan/shared-interfaces';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { ChatRequestsRepository } from './chat-requests.repository';
import { EventSubscription } from './event-subscription';
import { RESPONSE_EVENT_LISTENERS, type ResponseEventListener } from './response-event-listener';

/** How often the group's offsets are committed to Kafka, at most. */
const COMMIT_EVERY_MS = 1000;
/** How often how far a partition was stored is written to PostgreSQL, at most. */
const STORED_OFFSET_EVERY_MS = 250;

/**
 * Reads the responses topic, stores each event, has the RESPONSE_EVENT_LISTENERS apply it
 * (all but tokens), and hands it to the streams waiting for its request.
 * Every gateway replica reads every event (a group of its own), because the client that
 * asked may be connected to any of them. Each replica stores what it read and notes how
 * far it got; one that starts goes back to the furthest point any replica stored, so the
 * events written while no gateway ran (a restart of the only replica) are stored as well.
 */
@Injectable()
export class ResponseHub implements OnApplicationBootstrap, BeforeApplicationShutdown, ReadinessCheck {
  readonly name = 'responses-stream';
  private readonly consumer: Consumer;
  private readonly subscriptions = new Map<string, Set<EventSubscription>>();
  /** When how far each partition was stored was last noted (performance.now() ms). */
  private readonly offsetsStoredAt = new Map<string, number>();
  /** Notes waiting for STORED_OFFSET_EVERY_MS to pass, by partition. */
  private readonly unnoted = new Map<string, { topic: string; partition: number; nextOffset: string }>();
  private noteTimer: NodeJS.Timeout | undefined;
  private fetching = false;
  private readonly stopping = new AbortController();
  /** Names this replica's reader in the quarantine headers. */
  private readonly consumerName = `gateway.responses@${hostname()}`;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly repository: ChatRequestsRepository,
    private readonly quarantine: Quarantine,
    private readonly progress: ConsumerProgress,
    private readonly logger: PinoLogger,
    /** Who reacts to each event (the request's record, its conversation message): see chat.module.ts. */
    @Inject(RESPONSE_EVENT_LISTENERS) private readonly listeners: readonly ResponseEventListener[],
  ) {
    logger.setContext(ResponseHub.name);
    this.consumer = kafka.consumer({
      groupId: `${config.KAFKA_TOPIC_PREFIX}shoshizan.gateway.${hostname()}.${randomUUID()}`,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100, // tokens should reach the browser without batching delay
    });
    // Ready only once a fetch ran: from then on no event of a new request can be missed.
    this.consumer.on(this.consumer.events.FETCH, () => (this.fetching = true));
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) =>
      this.progress.assigned(event.payload.groupId, event.payload.memberAssignment),
    );
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      this.fetching = false;
      this.logger.error({ err: event.payload.error, restart: event.payload.restart }, 'The responses consumer crashed');
    });
  }

  /**
   * Subscribe before the request is produced, so no event can come first. To resume after
   * `afterSeq`, subscribe `held` and `release()` with the stored events read afterwards.
   */
  subscribe(requestId: string, options: { afterSeq?: number; held?: boolean } = {}): EventSubscription {
    const subscription = new EventSubscription(() => {
      const set = this.subscriptions.get(requestId);
      set?.delete(subscription);
      if (set?.size === 0) this.subscriptions.delete(requestId);
    }, options);
    const set = this.subscriptions.get(requestId) ?? new Set();
    set.add(subscription);
    this.subscriptions.set(requestId, set);
    return subscription;
  }

  get activeStreams(): number {
    let count = 0;
    for (const set of this.subscriptions.values()) count += set.size;
    return count;
  }

  async onApplicationBootstrap(): Promise<void> {
    const topic = topicName('responses', this.config.KAFKA_TOPIC_PREFIX);
    const stored = await this.repository.responsesRead(topic);
    await this.consumer.connect();
    await this.consumer.subscribe({ topic, fromBeginning: false });
    await keepRunning(this.consumer, {
      partitionsConsumedConcurrently: 4,
      // kafkajs' auto-commit sends a commit after every batch, and a stream's batch is often
      // one token: the group's offset (for lag and new partitions; this hub reads on from
      // what it stored) is committed at most once a second instead.
      autoCommit: false,
      autoCommitInterval: COMMIT_EVERY_MS,
      // A batch at a time: its events are stored in one statement, and stored before any
      // live stream sees them, so a stream resumed from the store never misses one. No
      // record can stop a partition: one that cannot be read or stored is set aside.
      eachBatch: async (payload) => {
        const { batch } = payload;
        const heartbeat = () => payload.heartbeat();
        const received: { record: ConsumedRecord; event: ResponseEvent }[] = [];
        for (const message of batch.messages) {
          const record = { topic: batch.topic, partition: batch.partition, message };
          try {
            received.push({ record, event: decodeMessage(responseEventSchema, message.value, 'response event') });
          } catch (error) {
            if (!(error instanceof SchemaValidationError)) throw error;
            await this.quarantine.setAsideUnreadable(record, this.consumerName, error.message);
          }
        }
        // The whole batch in one statement; if PostgreSQL refuses it for one event's sake,
        // one event at a time below finds that event and sets it aside.
        let stored = false;
        try {
          await this.repository.storeEvents(received.map((r) => r.event));
          stored = true;
        } catch (error) {
          if (isTransientError(error)) throw error;
        }
        for (const { record, event } of received) {
          // A stored token needs nothing more (the common case, a few thousand a second
          // under load): straight to its streams.
          // A stream sees only what was stored, so a resumed stream never misses an event.
          const toStreams = () => {
            for (const subscription of this.subscriptions.get(event.requestId) ?? []) subscription.push(event);
          };
          // A stored event that is not final goes to its streams at once: its records (the
          // request's status, the conversation's message) need not hold up the tokens after it.
          const early = stored && !isFinalEvent(event);
          if (early) toStreams();
          if (stored && event.type === 'token') continue;
          const kept = await this.quarantine.guard(
            record,
            this.consumerName,
            async () => {
              if (!stored) await this.repository.storeEvents([event]);
              // A final event's records first: once a client has it, GET /v1/chat/:id agrees.
              if (event.type !== 'token') {
                for (const listener of this.listeners) await listener.applyEvent(event);
              }
            },
            { heartbeat },
          );
          if (kept && !early) toStreams();
        }
        const last = batch.messages.at(-1);
        if (last) {
          await this.noteStored(batch.topic, batch.partition, (BigInt(last.offset) + 1n).toString());
          payload.resolveOffset(last.offset);
          await payload.commitOffsetsIfNecessary();
        }
        await heartbeat();
      },
    }, {
      name: 'responses',
      logger: this.logger.logger,
      stopping: this.stopping.signal,
      // After a crash (a broker restart) too: the group commits at most once a second, so
      // without this the events written while the consumer was down would be skipped.
      afterRestart: async () => {
        await this.noteWaiting();
        this.seekToStored(topic, await this.repository.responsesRead(topic));
      },
    });
    this.seekToStored(topic, stored);
  }

  /**
   * Read again from where the stored events end (storing is idempotent, and a stream drops an
   * event it already has), not only from what is written after this start.
   */
  private seekToStored(topic: string, stored: readonly { partition: number; nextOffset: string }[]): void {
    for (const { partition, nextOffset } of stored) this.consumer.seek({ topic, partition, offset: nextOffset });
    if (stored.length > 0) this.logger.info({ topic, partitions: stored.length }, 'Read on from the stored response offsets');
  }

  async check(): Promise<void> {
    if (!this.fetching) throw new Error('not reading the responses topic yet');
  }

  /**
   * Notes in PostgreSQL how far a partition is stored, at most every STORED_OFFSET_EVERY_MS
   * (a write a batch, and a stream's batch is often one token, was a query a token): a later
   * note waits for a timer, and a shutdown writes what waits. After a crash the events since
   * the last note are read and stored again, which changes nothing (one row per request and
   * seq); at most STORED_OFFSET_EVERY_MS of them.
   */
  private async noteStored(topic: string, partition: number, nextOffset: string): Promise<void> {
    const key = `${topic}/${partition}`;
    const now = performance.now();
    if (now - (this.offsetsStoredAt.get(key) ?? -Infinity) >= STORED_OFFSET_EVERY_MS) {
      this.unnoted.delete(key);
      await this.repository.markResponsesRead(topic, partition, nextOffset);
      this.offsetsStoredAt.set(key, now);
      return;
    }
    this.unnoted.set(key, { topic, partition, nextOffset });
    this.noteTimer ??= setTimeout(() => {
      this.noteTimer = undefined;
      void this.noteWaiting().catch((error: unknown) => this.logger.warn({ err: error }, 'Could not note the stored response offsets'));
    }, STORED_OFFSET_EVERY_MS);
  }

  private async noteWaiting(): Promise<void> {
    const waiting = [...this.unnoted.entries()];
    this.unnoted.clear();
    for (const [key, { topic, partition, nextOffset }] of waiting) {
      await this.repository.markResponsesRead(topic, partition, nextOffset);
      this.offsetsStoredAt.set(key, performance.now());
    }
  }

  /** Before the pool closes (onApplicationShutdown): stops reading, then notes what waits. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    for (const set of this.subscriptions.values()) for (const s of set) s.close();
    await this.consumer.disconnect();
    clearTimeout(this.noteTimer);
    this.noteTimer = undefined;
    await this.noteWaiting();
  }
}
