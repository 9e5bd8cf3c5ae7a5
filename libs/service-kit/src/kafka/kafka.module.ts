import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Admin, Kafka, SASLOptions } from 'kafkajs';
import type { TopicKey } from '@shoshizan/shared-interfaces';
import { createKafka, ensureTopics } from './kafka-client';
import { KAFKA, KAFKA_ADMIN, KAFKA_OPTIONS, KafkaPublisher } from './kafka-publisher';
import { KafkaReadiness } from './kafka.readiness';
import { ConsumerProgress } from './consumer-progress';
import { Quarantine } from './quarantine';

export interface KafkaModuleOptions {
  readonly clientId: string;
  readonly brokers: readonly string[];
  /** Prefix of every topic name and group id. */
  readonly topicPrefix: string;
  /** Topics created at start-up when missing; `false` leaves topics to the platform. */
  readonly ensureTopics: readonly TopicKey[] | false;
  /** TLS to the brokers. @default false */
  readonly ssl?: boolean;
  /** SASL credentials. @default none */
  readonly sasl?: SASLOptions;
  /** How long one produce waits for acknowledgement by all in-sync replicas. @default 10000 */
  readonly produceTimeoutMs?: number;
}

@Injectable()
class KafkaLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions,
    private readonly publisher: KafkaPublisher,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('Kafka');
  }

  async onModuleInit(): Promise<void> {
    await this.admin.connect();
    if (this.options.ensureTopics) {
      await ensureTopics(this.admin, this.options.topicPrefix, this.options.ensureTopics, this.logger.logger);
    }
    await this.publisher.producer.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.producer.disconnect();
    await this.admin.disconnect();
  }
}

/** Kafka client, admin, publisher and readiness check for one service. */
@Global()
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaModuleOptions): DynamicModule {
    return {
      module: KafkaModule,
      providers: [
        { provide: KAFKA_OPTIONS, useValue: options },
        {
          provide: KAFKA,
          useFactory: (logger: PinoLogger) =>
            createKafka({
              clientId: options.clientId,
              brokers: options.brokers,
              logger: logger.logger,
              ...(options.ssl ? { ssl: true } : {}),
              ...(options.sasl ? { sasl: options.sasl } : {}),
            }),
          inject: [PinoLogger],
        },
        { provide: KAFKA_ADMIN, useFactory: (kafka: Kafka) => kafka.admin(), inject: [KAFKA] },
        { provide: KafkaReadiness, useFactory: (admin: Admin) => new KafkaReadiness(admin), inject: [KAFKA_ADMIN] },
        KafkaPublisher,
        KafkaLifecycle,
        Quarantine,
        ConsumerProgress,
      ],
      exports: [KAFKA, KAFKA_ADMIN, KAFKA_OPTIONS, KafkaReadiness, KafkaPublisher, Quarantine, ConsumerProgress],
    };
  }
}
