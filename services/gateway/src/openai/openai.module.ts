import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { ModelsModule } from '../models/models.module';
import { OpenAiController } from './openai.controller';

/** OpenAI-compatible routes: /v1/chat/completions and /v1/models. */
@Module({
  imports: [ChatModule, ModelsModule],
  controllers: [OpenAiController],
})
export class OpenAiModule {}
