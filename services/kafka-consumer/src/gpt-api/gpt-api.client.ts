import { Inject, Injectable } from '@nestjs/common';
import {
  DomainException,
  SpanKind,
  contextWithSpan,
  failSpan,
  httpClientSpan,
  startSpan,
  traceHeaders,
  type ReadinessCheck,
} from '@shoshizan/service-kit';
import {
  ErrorCode,
  SchemaValidationError,
  decodeMessage,
  generationChunkSchema,
  problemDetailsSchema,
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
  constructor(@Inject(KAFKA_CONSUMER_CONFIG) private readonly config: KafkaConsumerConfig) {
    super();
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
      throw new DomainException(ErrorCode.UpstreamUnavailable, `gpt-api is unreachable: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (!response.ok || !response.body) {
      throw await this.problemOf(response);
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

  async check(): Promise<void> {
    const response = await fetch(new URL('/health/live', this.config.GPT_API_URL), { signal: AbortSignal.timeout(2500) });
    if (!response.ok) throw new Error(`gpt-api answered ${response.status}`);
  }

  private async problemOf(response: Response): Promise<DomainException> {
    const text = await response.text().catch(() => '');
    try {
      const problem = problemDetailsSchema.parse(JSON.parse(text));
      return new DomainException(problem.code, problem.detail ?? problem.title);
    } catch {
      const code = response.status >= 500 ? ErrorCode.UpstreamUnavailable : ErrorCode.Internal;
      return new DomainException(code, `gpt-api answered ${response.status}: ${text.slice(0, 200)}`);
    }
  }
}
