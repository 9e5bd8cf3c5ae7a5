import { Inject, Injectable } from '@nestjs/common';
import {
  DomainException,
  SpanKind,
  NO_ANSWER_RETRY_AFTER_SECONDS,
  fetchJson,
  httpClientSpan,
  inSpan,
  traceHeaders,
  type NoAnswer,
} from '@shoshizan/service-kit';
import {
  ErrorCode,
  enqueueResultSchema,
  z,
  type CancellationEnvelope,
  type ChatRequestEnvelopeInput,
  type EnqueueResult,
} from '@shoshizan/shared-interfaces';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

/** The port to kafka-producer. Unit tests replace it; everything else uses HTTP. */
export abstract class ProducerClient {
  readonly name = 'kafka-producer';
  /** Resolves once the request is durable in Kafka. */
  abstract enqueue(envelope: ChatRequestEnvelopeInput): Promise<EnqueueResult>;
  abstract cancel(cancellation: CancellationEnvelope): Promise<void>;
}

@Injectable()
export class HttpProducerClient extends ProducerClient {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {
    super();
  }

  enqueue(envelope: ChatRequestEnvelopeInput): Promise<EnqueueResult> {
    return this.post('/v1/requests', enqueueResultSchema, envelope, envelope.requestId);
  }

  async cancel(cancellation: CancellationEnvelope): Promise<void> {
    // The answer only echoes the request id: nothing to read from it.
    await this.post('/v1/cancellations', z.unknown(), cancellation, cancellation.requestId);
  }

  /** A CLIENT span, whose context the producer's SERVER span continues (traceparent). */
  private post<S extends z.ZodType>(path: string, schema: S, body: unknown, requestId: string): Promise<z.output<S>> {
    const url = new URL(path, this.config.PRODUCER_URL);
    const { name, attributes } = httpClientSpan('POST', url);
    return inSpan(name, SpanKind.CLIENT, attributes, () =>
      fetchJson(url, schema, {
        method: 'POST',
        body,
        headers: { 'x-request-id': requestId, ...traceHeaders() },
        // kafka-producer answers by enqueueBy plus its grace period; this only guards
        // against a producer that hangs.
        timeoutMs: this.config.ENQUEUE_TIMEOUT_MS + 15_000,
        service: this.name,
        noAnswer: queueUnavailable,
      }),
    );
  }
}

/**
 * No answer from kafka-producer, whatever the reason, is the queue being out of reach: what
 * the caller is told to wait out (its refusals, a full queue or a bad envelope, keep their code).
 */
function queueUnavailable(failure: NoAnswer): DomainException {
  return failure.kind === 'unexplained'
    ? new DomainException(ErrorCode.QueueUnavailable, `kafka-producer answered ${failure.status}.`, {
        retryAfterSeconds: failure.retryAfterSeconds ?? NO_ANSWER_RETRY_AFTER_SECONDS,
      })
    : new DomainException(ErrorCode.QueueUnavailable, 'The request queue is unreachable; try again shortly.', {
        cause: failure.cause,
        retryAfterSeconds: NO_ANSWER_RETRY_AFTER_SECONDS,
      });
}
