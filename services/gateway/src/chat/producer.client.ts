import { Inject, Injectable } from '@nestjs/common';
import { DomainException, SpanKind, httpClientSpan, inSpan, traceHeaders, type ReadinessCheck } from '@shoshizan/service-kit';
import {
  ErrorCode,
  enqueueResultSchema,
  problemDetailsSchema,
  type CancellationEnvelope,
  type ChatRequestEnvelopeInput,
  type EnqueueResult,
} from '@shoshizan/shared-interfaces';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

/** The port to kafka-producer. Unit tests replace it; everything else uses HTTP. */
export abstract class ProducerClient implements ReadinessCheck {
  readonly name = 'kafka-producer';
  /** Resolves once the request is durable in Kafka. */
  abstract enqueue(envelope: ChatRequestEnvelopeInput): Promise<EnqueueResult>;
  abstract cancel(cancellation: CancellationEnvelope): Promise<void>;
  abstract check(): Promise<void>;
}

@Injectable()
export class HttpProducerClient extends ProducerClient {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {
    super();
  }

  async enqueue(envelope: ChatRequestEnvelopeInput): Promise<EnqueueResult> {
    return enqueueResultSchema.parse(await this.post('/v1/requests', envelope, envelope.requestId));
  }

  async cancel(cancellation: CancellationEnvelope): Promise<void> {
    await this.post('/v1/cancellations', cancellation, cancellation.requestId);
  }

  async check(): Promise<void> {
    const response = await fetch(new URL('/health/ready', this.config.PRODUCER_URL), {
      signal: AbortSignal.timeout(2500),
    });
    if (!response.ok) throw new Error(`kafka-producer is not ready (${response.status})`);
  }

  /** A CLIENT span, whose context the producer's SERVER span continues (traceparent). */
  private post(path: string, body: unknown, requestId: string): Promise<unknown> {
    const url = new URL(path, this.config.PRODUCER_URL);
    const { name, attributes } = httpClientSpan('POST', url);
    return inSpan(name, SpanKind.CLIENT, attributes, () => this.postIn(url, body, requestId));
  }

  private async postIn(url: URL, body: unknown, requestId: string): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...traceHeaders() },
        body: JSON.stringify(body),
        // kafka-producer answers by enqueueBy plus its grace period; this only guards
        // against a producer that hangs.
        signal: AbortSignal.timeout(this.config.ENQUEUE_TIMEOUT_MS + 15_000),
      });
    } catch (error) {
      throw new DomainException(ErrorCode.QueueUnavailable, 'The request queue is unreachable; try again shortly.', {
        cause: error,
        retryAfterSeconds: 5,
      });
    }
    const text = await response.text();
    if (response.ok) return JSON.parse(text);
    const problem = problemDetailsSchema.safeParse(safeJson(text));
    if (problem.success) {
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new DomainException(problem.data.code, problem.data.detail ?? problem.data.title, {
        ...(problem.data.errors ? { issues: problem.data.errors } : {}),
        ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
      });
    }
    throw new DomainException(ErrorCode.QueueUnavailable, `kafka-producer answered ${response.status}.`, {
      retryAfterSeconds: 5,
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
