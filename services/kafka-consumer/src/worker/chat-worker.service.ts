import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Consumer, Kafka } from 'kafkajs';
import {
  ConsumerProgress,
  KAFKA,
  ParallelConsumer,
  Quarantine,
  SpanKind,
  headerText,
  inSpan,
  keepRunning,
  messagingAttributes,
  messagingSpanName,
  recordTraceContext,
  withRequestId,
  type ParallelRecord,
  type ReadinessCheck,
} from '@shoshizan/service-kit';
import {
  HEADERS,
  RETRY_TOPICS,
  SchemaValidationError,
  TOPICS,
  cancellationEnvelopeSchema,
  consumerGroup,
  decodeMessage,
  topicName,
} from '@shoshizan/shared-interfaces';
import { CancellationRegistry } from '../cancellation/cancellation.registry';
import { KAFKA_CONSUMER_CONFIG, type KafkaConsumerConfig } from '../config/kafka-consumer.config';
import { ChatRequestHandler, HandedBack, type MessageContext } from './chat-request.handler';

/**
 * Runs three consumers: the shared worker group on the requests topic, many requests at
 * once (ParallelConsumer: one conversation's requests in order, up to WORKER_MAX_IN_FLIGHT
 * in all, offsets committed up to the lowest request not yet final); a second shared
 * group on the retry topics, where each message waits out its tier's delay before it is
 * handled like a new delivery; and a private group on the cancellations topic (every
 * replica must see every cancellation).
 */
@Injectable()
export class ChatWorkerService implements OnApplicationBootstrap, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'kafka-consumer-group';
  private readonly requests: Consumer;
  private readonly parallel: ParallelConsumer;
  private readonly cancellations: Consumer;
  private readonly retries: Consumer;
  /** Aborted at shutdown: a retry still waiting for its time goes back to its topic. */
  private readonly stopping = new AbortController();
  private joined = false;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(KAFKA_CONSUMER_CONFIG) private readonly config: KafkaConsumerConfig,
    private readonly handler: ChatRequestHandler,
    private readonly registry: CancellationRegistry,
    private readonly progress: ConsumerProgress,
    private readonly quarantine: Quarantine,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(ChatWorkerService.name);
    this.requests = kafka.consumer({
      groupId: consumerGroup('chatWorkers', config.KAFKA_TOPIC_PREFIX),
      sessionTimeout: config.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatInterval: 3000,
      // A fetch waits at most this long for data; it bounds how long a shutdown waits for
      // an idle fetch to return (kafkajs' 5 s default made every stop take 10 s).
      maxWaitTimeInMs: 1000,
      allowAutoTopicCreation: false,
    });
    this.parallel = new ParallelConsumer(this.requests, {
      name: 'requests',
      maxInFlight: config.WORKER_MAX_IN_FLIGHT,
      handle: (record) => this.handleGuarded('requests', toContext(record)),
      handedBack: (error) => error instanceof HandedBack,
      logger: logger.logger,
    });
    this.retries = kafka.consumer({
      groupId: consumerGroup('chatRetryWorkers', config.KAFKA_TOPIC_PREFIX),
      sessionTimeout: config.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: 1000,
      allowAutoTopicCreation: false,
    });
    this.cancellations = kafka.consumer({
      groupId: `${config.KAFKA_TOPIC_PREFIX}shoshizan.cancellations.${hostname()}.${randomUUID()}`,
      maxWaitTimeInMs: 1000,
      allowAutoTopicCreation: false,
    });
    this.requests.on(this.requests.events.GROUP_JOIN, (event) => {
      this.joined = true;
      this.progress.assigned(event.payload.groupId, event.payload.memberAssignment);
      this.logger.info({ assignment: event.payload.memberAssignment }, 'Joined the worker group');
    });
    this.retries.on(this.retries.events.GROUP_JOIN, (event) => {
      this.progress.assigned(event.payload.groupId, event.payload.memberAssignment);
    });
    this.requests.on(this.requests.events.CRASH, (event) => {
      this.joined = false;
      this.logger.error({ err: event.payload.error, restart: event.payload.restart }, 'The requests consumer crashed');
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const prefix = this.config.KAFKA_TOPIC_PREFIX;
    await this.cancellations.connect();
    // From the start of the topic: a cancellation made while this replica was down still
    // stops its request if the request reaches this replica later.
    await this.cancellations.subscribe({ topic: topicName('cancellations', prefix), fromBeginning: true });
    const supervision = (name: string) => ({ name, logger: this.logger.logger, stopping: this.stopping.signal });
    await keepRunning(this.cancellations, {
      eachMessage: async ({ topic, partition, message }) => {
        let cancel;
        try {
          cancel = decodeMessage(cancellationEnvelopeSchema, message.value, 'cancellation');
        } catch (error) {
          if (!(error instanceof SchemaValidationError)) throw error;
          await this.quarantine.setAsideUnreadable({ topic, partition, message }, this.consumerName('cancellations'), error.message);
          return;
        }
        const here = this.registry.cancel(cancel.requestId, cancel.reason, Date.parse(cancel.at));
        this.logger.info({ requestId: cancel.requestId, runningHere: here }, 'Received a cancellation');
      },
    }, supervision('cancellations'));

    await this.requests.connect();
    await this.requests.subscribe({ topic: topicName('requests', prefix), fromBeginning: true });
    // A request's offset counts as done once it is final (or set aside: no message can
    // stop its partition); a world failure (Kafka, PostgreSQL down) runs it again.
    await this.parallel.run();

    const delays = this.config.RETRY_DELAYS_MS;
    if (delays.length > 0) {
      await this.retries.connect();
      for (const key of RETRY_TOPICS) await this.retries.subscribe({ topic: topicName(key, prefix), fromBeginning: true });
      await keepRunning(this.retries, {
        // A waiting retry holds its partition only; every partition gets a slot of its own.
        partitionsConsumedConcurrently: RETRY_TOPICS.reduce((sum, key) => sum + TOPICS[key].partitions, 0),
        eachMessage: async (payload) => {
          const tier = RETRY_TOPICS.findIndex((key) => topicName(key, prefix) === payload.topic);
          const delayMs = delays[Math.min(tier, delays.length - 1)] ?? 0;
          await this.waitUntil(Number(payload.message.timestamp) + delayMs, () => payload.heartbeat());
          await this.handleGuarded('retries', {
            topic: payload.topic,
            partition: payload.partition,
            message: payload.message,
            heartbeat: () => payload.heartbeat(),
          });
        },
      }, supervision('retries'));
    }
  }

  /**
   * Handles one request message. A failure of the world (Kafka or PostgreSQL down) and a
   * shutdown's hand-back go to the consumer loop, which leaves the offset uncommitted; a
   * failure of the message's own is tried a few times, then the message is dead-lettered
   * with the reason and its client told, so the partition moves on.
   *
   * Each delivery is a CONSUMER span, a child of the trace context in the record's headers:
   * a retry (the same headers on a retry topic) or a redelivery after a crash or a hand-back
   * continues the request's trace, one span per attempt (its number: ATTEMPT_ATTRIBUTE).
   */
  private async handleGuarded(consumer: string, ctx: MessageContext): Promise<void> {
    const requestId = headerText(ctx.message.headers, HEADERS.requestId) ?? undefined;
    const record = {
      topic: ctx.topic,
      partition: ctx.partition,
      offset: ctx.message.offset,
      key: ctx.message.key?.toString(),
      requestId,
    };
    const handle = () => this.handleGuardedIn(consumer, ctx);
    await inSpan(
      messagingSpanName('process', ctx.topic),
      SpanKind.CONSUMER,
      messagingAttributes('process', record),
      () => (requestId ? withRequestId(requestId, handle) : handle()),
      recordTraceContext(ctx.message.headers),
    );
  }

  private async handleGuardedIn(consumer: string, ctx: MessageContext): Promise<void> {
    await this.quarantine.guard(ctx, this.consumerName(consumer), () => this.handler.handle(ctx), {
      heartbeat: ctx.heartbeat,
      passThrough: (error) => error instanceof HandedBack,
      setAside: (error, tries) => this.handler.giveUp(ctx, error, tries),
    });
  }

  private consumerName(consumer: string): string {
    return `kafka-consumer.${consumer}@${hostname()}`;
  }

  /**
   * Sleeps until `dueAt`, heartbeating, so a retry is not taken before its delay. Throws at
   * shutdown, so the offset is not committed and the retry stays in its topic.
   */
  private async waitUntil(dueAt: number, heartbeat: () => Promise<void>): Promise<void> {
    const signal = this.stopping.signal;
    while (Date.now() < dueAt) {
      if (signal.aborted) throw new Error('shutting down; the retry stays in its topic');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(1000, dueAt - Date.now()));
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
      await heartbeat().catch(() => undefined);
    }
  }

  async check(): Promise<void> {
    if (!this.joined) throw new Error('not a member of the worker group yet');
  }

  /**
   * Hands in-flight requests back (their offsets stay uncommitted, so the group gives them
   * to another replica, which resumes each answer where this one stopped), stops waiting
   * retries, then leaves the groups. A long answer never holds a shutdown up.
   */
  async onApplicationShutdown(): Promise<void> {
    this.logger.info({ inflight: this.registry.size }, 'Stopping the workers; handing back what runs');
    this.registry.stopAllForShutdown();
    this.stopping.abort();
    // Commits what finished before leaving the group (a commit needs the consumer running).
    await this.parallel.stop();
    await Promise.all([this.requests.disconnect(), this.retries.disconnect()]);
    await this.cancellations.disconnect();
  }
}

function toContext(record: ParallelRecord): MessageContext {
  return {
    topic: record.topic,
    partition: record.partition,
    message: record.message,
    heartbeat: record.heartbeat,
    revoked: record.revoked,
  };
}
