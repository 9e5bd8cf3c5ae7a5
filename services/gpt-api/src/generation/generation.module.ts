import { Module } from '@nestjs/common';
import { GPT_API_CONFIG, type GptApiConfig } from '../config/gpt-api.config';
import { ModelsModule } from '../models/models.module';
import { OllamaModule } from '../ollama/ollama.module';
import { UserLimitsService } from '../admission/user-limits.service';
import { LimitsController } from '../admission/limits.controller';
import { UserLimitsRepository } from '../admission/user-limits.repository';
import { UsageRepository } from '../usage/usage.repository';
import { ConcurrencyLimiter } from './concurrency-limiter';
import { GenerationController } from './generation.controller';
import { GenerationService } from './generation.service';
import { GptApiMetrics } from './gpt-api.metrics';

/** Exports what every call to Ollama for a user goes through: admission, Ollama's slots, usage, metrics. */
@Module({
  imports: [ModelsModule, OllamaModule],
  controllers: [GenerationController, LimitsController],
  providers: [
    GenerationService,
    UsageRepository,
    UserLimitsRepository,
    UserLimitsService,
    GptApiMetrics,
    {
      provide: ConcurrencyLimiter,
      inject: [GPT_API_CONFIG, GptApiMetrics],
      useFactory: (config: GptApiConfig, metrics: GptApiMetrics) => {
        const limiter = new ConcurrencyLimiter(config.OLLAMA_MAX_CONCURRENCY);
        metrics.ollamaSlots.set(limiter.capacity);
        return limiter;
      },
    },
  ],
  exports: [UsageRepository, UserLimitsService, GptApiMetrics, ConcurrencyLimiter],
})
export class GenerationModule {}
