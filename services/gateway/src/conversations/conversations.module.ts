import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { ConversationStoreModule } from './conversation-store.module';
import { ConversationsController } from './conversations.controller';
import { ConversationsService } from './conversations.service';

/** Conversations and their messages, answered through the chat pipeline. */
@Module({
  imports: [ChatModule, ConversationStoreModule],
  controllers: [ConversationsController],
  providers: [ConversationsService],
  // The Responses API keeps its turns in the same store.
  exports: [ConversationStoreModule],
})
export class ConversationsModule {}
