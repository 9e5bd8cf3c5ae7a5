import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ZodBodyPipe, withRequestId } from '@shoshizan/service-kit';
import {
  cancellationEnvelopeSchema,
  chatRequestEnvelopeSchema,
  type CancellationEnvelope,
  type ChatRequestEnvelope,
  type EnqueueResult,
} from '@shoshizan/shared-interfaces';
import { RequestsService } from './requests.service';

/** Internal API, called by the gateway only. */
@Controller('v1')
export class RequestsController {
  constructor(private readonly requests: RequestsService) {}

  /** 202 once the request is durable in Kafka; 400 names bad fields; 503 when Kafka is down. */
  @Post('requests')
  @HttpCode(202)
  enqueue(
    @Body(new ZodBodyPipe(chatRequestEnvelopeSchema, 'Chat request envelope')) envelope: ChatRequestEnvelope,
  ): Promise<EnqueueResult> {
    return withRequestId(envelope.requestId, () => this.requests.enqueue(envelope));
  }

  @Post('cancellations')
  @HttpCode(202)
  async cancel(
    @Body(new ZodBodyPipe(cancellationEnvelopeSchema, 'Cancellation envelope')) cancellation: CancellationEnvelope,
  ): Promise<{ requestId: string }> {
    await this.requests.cancel(cancellation);
    return { requestId: cancellation.requestId };
  }
}
