import { Module } from '@nestjs/common';
import { ModelsModule } from '../models/models.module';
import { OllamaModule } from '../ollama/ollama.module';
import { AdmissionService } from '../admission/admission.service';
import { LimitsController } from '../admission/limits.controller';
import { UsageService } from '../usage/usage.service';
import { GenerationController } from './generation.controller';
import { GenerationService } from './generation.service';
import { GptApiMetrics } from './gpt-api.metrics';

@Module({
  imports: [ModelsModule, OllamaModule],
  controllers: [GenerationController, LimitsController],
  providers: [GenerationService, UsageService, AdmissionService, GptApiMetrics],
})
export class GenerationModule {}
