import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Consumer, Kafka } from 'kafkajs';
import { KAFKA, type ReadinessCheck } from '@shoshizan/service-kit';
import {
  cancellationEnvelopeSchema,
  consumerGroup,
  decodeMessage,
  topicName,
} from '@shoshizan/shared-interfaces';
import { CancellationRegistry } from '../cancellation/cancellation.registry';
import { KAFKA_CONSUMER_CONFIG, type KafkaConsumerConfig } from '../config/kafka-consumer.config';
import { ChatRequestHandler } from './chat-request.handler';

/**
 * Runs two consumers: the shared worker group on the requests topic, and a private group
 * on the cancellations topic (every replica must see every cancellation).
 */
@Injectable()
export class ChatWorkerService implements OnApplicationBootstrap, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'kafka-consumer-group';
  private readonly requests: Consumer;
  private readonly cancellations: Consumer;
  private joined = false;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(KAFKA_CONSUMER_CONFIG) private readonly config: KafkaConsumerConfig,
    private readonly handler: ChatRequestHandler,
    private readonly registry: CancellationRegistry,
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
    this.cancellations = kafka.consumer({
      groupId: `${config.KAFKA_TOPIC_PREFIX}shoshizan.cancellations.${hostname()}.${randomUUID()}`,
      maxWaitTimeInMs: 1000,
      allowAutoTopicCreation: false,
    });
    this.requests.on(this.requests.events.GROUP_JOIN, (event) => {
      this.joined = true;
      this.logger.info({ assignment: event.payload.memberAssignment }, 'Joined the worker group');
    });
    this.requests.on(this.requests.events.CRASH, (event) => {
      this.joined = false;
      this.logger.error({ err: event.payload.error, restart: event.payload.restart }, 'The requests consumer crashed');
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const prefix = this.config.KAFKA_TOPIC_PREFIX;
    await this.cancellations.connect();
    await this.cancellations.subscribe({ topic: topicName('cancellations', prefix), fromBeginning: false });
    await this.cancellations.run({
      eachMessage: async ({ message }) => {
        try {
          const cancel = decodeMessage(cancellationEnvelopeSchema, message.value, 'cancellation');
          const here = this.registry.cancel(cancel.requestId, cancel.reason);
          this.logger.info({ requestId: cancel.requestId, runningHere: here }, 'Received a cancellation');
        } catch (error) {
          this.logger.warn({ err: error, offset: message.offset }, 'Ignored an invalid cancellation');
        }
      },
    });

    await this.requests.connect();
    await this.requests.subscribe({ topic: topicName('requests', prefix), fromBeginning: true });
    await this.requests.run({
      partitionsConsumedConcurrently: this.config.WORKER_CONCURRENCY,
      // The offset is committed after eachMessage returns, i.e. once the request is final.
      eachMessage: (payload) =>
        this.handler.handle({
          topic: payload.topic,
          partition: payload.partition,
          message: payload.message,
          heartbeat: () => payload.heartbeat(),
        }),
    });
  }

  async check(): Promise<void> {
    if (!this.joined) throw new Error('not a member of the worker group yet');
  }

  /** Stops fetching, lets in-flight requests finish, then leaves the group. */
  async onApplicationShutdown(): Promise<void> {
    this.logger.info({ inflight: this.registry.size }, 'Stopping the workers');
    await this.requests.disconnect();
    await this.cancellations.disconnect();
  }
}
