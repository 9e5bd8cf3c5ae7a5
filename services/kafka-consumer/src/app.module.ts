import { Module, type DynamicModule } from '@nestjs/common';
import {
  ConfigModule,
  DatabaseModule,
  HealthModule,
  KafkaModule,
  KafkaReadiness,
  MetricsModule,
  PostgresReadiness,
  createRegistry,
  kafkaSecurity,
  loggerModule,
} from '@shoshizan/service-kit';
import { RETRY_TOPICS } from '@shoshizan/shared-interfaces';
import { KAFKA_CONSUMER_CONFIG, type KafkaConsumerConfig } from './config/kafka-consumer.config';
import { KAFKA_CONSUMER_MIGRATIONS } from './database/migrations';
import { GptApiClient } from './gpt-api/gpt-api.client';
import { GptApiModule } from './gpt-api/gpt-api.module';
import { ChatWorkerService } from './worker/chat-worker.service';
import { WorkerModule } from './worker/worker.module';

@Module({})
export class AppModule {
  static forRoot(config: KafkaConsumerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(KAFKA_CONSUMER_CONFIG, config),
        loggerModule('kafka-consumer', config.LOG_LEVEL),
        MetricsModule.forRoot(createRegistry('kafka-consumer')),
        KafkaModule.forRoot({
          clientId: config.KAFKA_CLIENT_ID,
          brokers: config.KAFKA_BROKERS,
          ...kafkaSecurity('kafka-consumer', config),
          topicPrefix: config.KAFKA_TOPIC_PREFIX,
          ensureTopics: config.KAFKA_ENSURE_TOPICS
            ? ['requests', 'responses', 'cancellations', 'deadLetter', 'quarantine', ...RETRY_TOPICS]
            : false,
        }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          applicationName: 'kafka-consumer',
          schema: 'kafka_consumer',
          migrations: KAFKA_CONSUMER_MIGRATIONS,
        }),
        WorkerModule,
        HealthModule.forRoot({
          imports: [WorkerModule, GptApiModule],
          checks: [KafkaReadiness, PostgresReadiness, ChatWorkerService, GptApiClient],
        }),
      ],
    };
  }
}
