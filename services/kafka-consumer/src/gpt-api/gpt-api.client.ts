import { Inject, Injectable } from '@nestjs/common';
import {
  DomainException,
  HttpReadiness,
  SpanKind,
  contextWithSpan,
  failSpan,
  httpClientSpan,
  noAnswerException,
  refusalToException,
  startSpan,
  traceHeaders,
  type NoAnswer,
  type ReadinessCheck,
} from '@shoshizan/service-kit';
import {
  ErrorCode,
  SchemaValidationError,
  decodeMessage,
  generationChunkSchema,
  type GenerateRequest,
  type GenerationChunk,
} from '@shoshizan/shared-interfaces';
import { KAFKA_CONSUMER_CONFIG, type KafkaConsumerConfig } from '../config/kafka-consumer.config';

/** The port to gpt-api. Unit tests replace it; everything else uses the HTTP client. */
export abstract class GptApiClient implements ReadinessCheck {
  readonly name = 'gpt-api';
  /**
   * Streams the chunks of one answer. Throws DomainException for a failure before the
   * stream starts (its code says whether to retry); aborting `signal` stops the model.
   */
  abstract generate(request: GenerateRequest, signal: AbortSignal): AsyncIterable<GenerationChunk>;
  abstract check(): Promise<void>;
}

/** Splits a byte stream into lines without holding more than one partial line. */
export async function* ndjsonLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const bytes of body) {
    buffered += decoder.decode(bytes, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) yield line;
    }
  }
  buffered += decoder.decode();
  if (buffered.trim()) yield buffered.trim();
}

@Injectable()
export class HttpGptApiClient extends GptApiClient {
  /**
   * gpt-api's liveness, not its readiness: whether it is up, not whether Ollama is (a
   * generation that fails on Ollama goes through the retry topics).
   */
  private readonly readiness: HttpReadiness;

  constructor(@Inject(KAFKA_CONSUMER_CONFIG) private readonly config: KafkaConsumerConfig) {
    super();
    this.readiness = new HttpReadiness(this.name, new URL('/health/live', config.GPT_API_URL));
  }

  /**
   * A CLIENT span for the whole stream (a child of the delivery's span), whose context
   * gpt-api's SERVER span continues.
   */
  async *generate(request: GenerateRequest, signal: AbortSignal): AsyncIterable<GenerationChunk> {
    const url = new URL('/v1/generate', this.config.GPT_API_URL);
    const { name, attributes } = httpClientSpan('POST', url);
    const span = startSpan(name, SpanKind.CLIENT, attributes);
    try {
      yield* this.generateIn(url, request, signal, traceHeaders(contextWithSpan(span)));
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  private async *generateIn(
    url: URL,
    request: GenerateRequest,
    signal: AbortSignal,
    trace: Record<string, string>,
  ): AsyncIterable<GenerationChunk> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': request.requestId, ...trace },
        body: JSON.stringify(request),
        signal,
      });
    } catch (error) {
      if (signal.aborted) return;
      throw noAnswer({ kind: 'unreachable', cause: error });
    }
    if (!response.ok || !response.body) {
      const body = await response.text().catch(() => '');
      throw refusalToException({ status: response.status, body, retryAfter: response.headers.get('retry-after') }, noAnswer);
    }
    try {
      for await (const line of ndjsonLines(response.body)) {
        yield decodeMessage(generationChunkSchema, line, 'generation chunk');
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof SchemaValidationError) {
        throw new DomainException(ErrorCode.Internal, `gpt-api sent an invalid chunk: ${error.message}`);
      }
      throw new DomainException(ErrorCode.UpstreamUnavailable, `gpt-api stream broke: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  check(): Promise<void> {
    return this.readiness.check();
  }
}

const noAnswer = (failure: NoAnswer): DomainException => noAnswerException('gpt-api', failure);
