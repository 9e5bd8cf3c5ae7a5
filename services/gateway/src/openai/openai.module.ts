import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { ConversationsModule } from '../conversations/conversations.module';
import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { ModelsModule } from '../models/models.module';
import { EmbeddingsController } from './embeddings.controller';
import { OpenAiController } from './openai.controller';
import { ResponsesController } from './responses.controller';
import { ResponsesService } from './responses.service';

/** OpenAI-compatible routes: /v1/chat/completions, /v1/completions, /v1/responses, /v1/embeddings and /v1/models. */
@Module({
  imports: [ChatModule, ConversationsModule, ModelsModule, EmbeddingsModule],
  controllers: [OpenAiController, ResponsesController, EmbeddingsController],
  providers: [ResponsesService],
})
export class OpenAiModule {}
