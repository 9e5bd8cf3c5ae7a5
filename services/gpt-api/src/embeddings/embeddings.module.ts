import { Module } from '@nestjs/common';
import { GenerationModule } from '../generation/generation.module';
import { ModelsModule } from '../models/models.module';
import { OllamaModule } from '../ollama/ollama.module';
import { EmbeddingsController } from './embeddings.controller';
import { EmbeddingsService } from './embeddings.service';

@Module({
  imports: [GenerationModule, ModelsModule, OllamaModule],
  controllers: [EmbeddingsController],
  providers: [EmbeddingsService],
})
export class EmbeddingsModule {}
