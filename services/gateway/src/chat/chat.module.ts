import { Module } from '@nestjs/common';
import { EdgeAdmissionService } from '../admission/edge-admission.service';
import { LimitsClient } from '../admission/limits.client';
import { ModelsModule } from '../models/models.module';
import { ChatController } from './chat.controller';
import { ChatMetrics } from './chat.metrics';
import { ChatRequestsRepository } from './chat-requests.repository';
import { ChatService } from './chat.service';
import { EventRetentionService } from './event-retention.service';
import { HttpProducerClient, ProducerClient } from './producer.client';
import { ResponseHub } from './response-hub.service';
import { SseWriter } from './sse-writer';

@Module({
  imports: [ModelsModule],
  controllers: [ChatController],
  providers: [
    ChatService,
    EdgeAdmissionService,
    LimitsClient,
    ChatMetrics,
    ChatRequestsRepository,
    EventRetentionService,
    ResponseHub,
    SseWriter,
    { provide: ProducerClient, useClass: HttpProducerClient },
  ],
  exports: [ResponseHub, ProducerClient, ChatService, SseWriter, EdgeAdmissionService],
})
export class ChatModule {}
