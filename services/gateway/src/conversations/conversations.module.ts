import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { ConversationsController } from './conversations.controller';
import { ConversationsRepository } from './conversations.repository';
import { ConversationsService } from './conversations.service';

/** Conversations and their messages, answered through the chat pipeline. */
@Module({
  imports: [ChatModule],
  controllers: [ConversationsController],
  providers: [ConversationsRepository, ConversationsService],
  // The Responses API keeps its turns in the same store.
  exports: [ConversationsRepository],
})
export class ConversationsModule {}
