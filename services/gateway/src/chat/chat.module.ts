import { Module } from '@nestjs/common';
import { EdgeAdmissionService } from '../admission/edge-admission.service';
import { LimitsClient } from '../admission/limits.client';
import { ConversationStoreModule } from '../conversations/conversation-store.module';
import { ConversationsRepository } from '../conversations/conversations.repository';
import { ModelsModule } from '../models/models.module';
import { ChatController } from './chat.controller';
import { ChatMetrics } from './chat.metrics';
import { ChatRequestsRepository } from './chat-requests.repository';
import { ChatService } from './chat.service';
import { EventRetentionService } from './event-retention.service';
import { HttpProducerClient, ProducerClient } from './producer.client';
import { RESPONSE_EVENT_LISTENERS, type ResponseEventListener } from './response-event-listener';
import { ResponseHub } from './response-hub.service';
import { SseWriter } from './sse-writer';

@Module({
  imports: [ModelsModule, ConversationStoreModule],
  controllers: [ChatController],
  providers: [
    ChatService,
    EdgeAdmissionService,
    LimitsClient,
    ChatMetrics,
    ChatRequestsRepository,
    EventRetentionService,
    ResponseHub,
    {
      // Who reacts to a response event, in this order: the request's status first (so that
      // GET /v1/chat/:id agrees with a final event as soon as a client has it), then the
      // conversation message holding the answer.
      provide: RESPONSE_EVENT_LISTENERS,
      useFactory: (requests: ChatRequestsRepository, messages: ConversationsRepository): ResponseEventListener[] => [
        requests,
        messages,
      ],
      inject: [ChatRequestsRepository, ConversationsRepository],
    },
    SseWriter,
    { provide: ProducerClient, useClass: HttpProducerClient },
  ],
  exports: [ResponseHub, ProducerClient, ChatService, SseWriter, EdgeAdmissionService],
})
export class ChatModule {}
