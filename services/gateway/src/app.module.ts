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
import { AccountsModule } from './accounts/accounts.module';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { ConversationsModule } from './conversations/conversations.module';
import { OpenAiModule } from './openai/openai.module';
import { ChatModule } from './chat/chat.module';
import { ResponseHub } from './chat/response-hub.service';
import { GATEWAY_CONFIG, type GatewayConfig } from './config/gateway.config';
import { GATEWAY_MIGRATIONS } from './database/migrations';
import { StatusModule } from './status/status.module';

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(GATEWAY_CONFIG, config),
        loggerModule('gateway', config.LOG_LEVEL),
        MetricsModule.forRoot(createRegistry('gateway')),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          applicationName: 'gateway',
          schema: 'gateway',
          migrations: GATEWAY_MIGRATIONS,
        }),
        KafkaModule.forRoot({
          clientId: config.KAFKA_CLIENT_ID,
          brokers: config.KAFKA_BROKERS,
          ...kafkaSecurity('gateway', config),
          topicPrefix: config.KAFKA_TOPIC_PREFIX,
          // requests and deadLetter: the admin redrive reads one and writes the other.
          ensureTopics: config.KAFKA_ENSURE_TOPICS ? ['responses', 'requests', 'deadLetter', 'quarantine'] : false,
        }),
        AccountsModule,
        AuthModule,
        ChatModule,
        AdminModule,
        OpenAiModule,
        ConversationsModule,
        StatusModule,
        // Only what the gateway cannot answer anything without. Not kafka-producer or gpt-api:
        // the gateway answers a request they cannot take with a 503 problem and Retry-After,
        // and /v1/status shows their readiness; were theirs part of its own, a rollout or a
        // hiccup of either would take the one entry point out of its Service, and every
        // client would get the Ingress's bare 503 (or its next rule) instead.
        HealthModule.forRoot({
          imports: [ChatModule],
          checks: [PostgresReadiness, KafkaReadiness, ResponseHub],
        }),
      ],
    };
  }
}
