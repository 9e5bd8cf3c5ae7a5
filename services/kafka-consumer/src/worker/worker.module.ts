import { Module } from '@nestjs/common';
import { CancellationRegistry } from '../cancellation/cancellation.registry';
import { GptApiModule } from '../gpt-api/gpt-api.module';
import { AttemptsRepository } from '../recovery/attempts.repository';
import { ResponseLog } from '../recovery/response-log';
import { ChatRequestHandler } from './chat-request.handler';
import { ChatWorkerService } from './chat-worker.service';
import { ConsumerMetrics } from './consumer.metrics';

@Module({
  imports: [GptApiModule],
  providers: [
    { provide: CancellationRegistry, useFactory: () => new CancellationRegistry() },
    AttemptsRepository,
    ResponseLog,
    ChatRequestHandler,
    ChatWorkerService,
    ConsumerMetrics,
  ],
  exports: [ChatWorkerService],
})
export class WorkerModule {}
