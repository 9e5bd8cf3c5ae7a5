import { Module } from '@nestjs/common';
import { ConversationsRepository } from './conversations.repository';

/**
 * The store of conversations and their messages, without the routes: the chat pipeline
 * fills an answer's message in from its events (a response event listener, see
 * chat.module.ts), and the Responses API keeps its turns there too.
 */
@Module({
  providers: [ConversationsRepository],
  exports: [ConversationsRepository],
})
export class ConversationStoreModule {}
