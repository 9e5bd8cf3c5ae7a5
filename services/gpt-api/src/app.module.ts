import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, DatabaseModule, HealthModule, MetricsModule, PostgresReadiness, createRegistry, loggerModule } from '@shoshizan/service-kit';
import { GPT_API_CONFIG, type GptApiConfig } from './config/gpt-api.config';
import { GPT_API_MIGRATIONS } from './database/migrations';
import { EmbeddingsModule } from './embeddings/embeddings.module';
import { GenerationModule } from './generation/generation.module';
import { ModelsModule } from './models/models.module';
import { ModelsService } from './models/models.service';
import { OllamaAdapter } from './ollama/ollama.adapter';
import { OllamaModule } from './ollama/ollama.module';

@Module({})
export class AppModule {
  static forRoot(config: GptApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(GPT_API_CONFIG, config),
        loggerModule('gpt-api', config.LOG_LEVEL),
        MetricsModule.forRoot(createRegistry('gpt-api')),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          applicationName: 'gpt-api',
          schema: 'gpt_api',
          migrations: GPT_API_MIGRATIONS,
        }),
        OllamaModule,
        HealthModule.forRoot({
          imports: [OllamaModule, ModelsModule],
          // In kubernetes mode, ready once the OllamaModels have been listed (once).
          checks: [PostgresReadiness, OllamaAdapter, ...(config.MODEL_CATALOG === 'kubernetes' ? [ModelsService] : [])],
        }),
        ModelsModule,
        GenerationModule,
        EmbeddingsModule,
      ],
    };
  }
}
