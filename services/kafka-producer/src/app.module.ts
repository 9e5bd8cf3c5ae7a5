import { Module, type DynamicModule } from '@nestjs/common';
import {
  ConfigModule,
  HealthModule,
  KafkaModule,
  KafkaReadiness,
  MetricsModule,
  createRegistry,
  kafkaSecurity,
  loggerModule,
} from '@shoshizan/service-kit';
import { KAFKA_PRODUCER_CONFIG, type KafkaProducerConfig } from './config/kafka-producer.config';
import { RequestsModule } from './requests/requests.module';

@Module({})
export class AppModule {
  static forRoot(config: KafkaProducerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(KAFKA_PRODUCER_CONFIG, config),
        loggerModule('kafka-producer', config.LOG_LEVEL),
        MetricsModule.forRoot(createRegistry('kafka-producer')),
        KafkaModule.forRoot({
          clientId: config.KAFKA_CLIENT_ID,
          brokers: config.KAFKA_BROKERS,
          ...kafkaSecurity('kafka-producer', config),
          topicPrefix: config.KAFKA_TOPIC_PREFIX,
          ensureTopics: config.KAFKA_ENSURE_TOPICS ? ['requests', 'responses', 'cancellations'] : false,
          produceTimeoutMs: config.KAFKA_PRODUCE_TIMEOUT_MS,
        }),
        HealthModule.forRoot({ checks: [KafkaReadiness] }),
        RequestsModule,
      ],
    };
  }
}
