import { Inject, Injectable } from '@nestjs/common';
import { DomainException } from '@shoshizan/service-kit';
import {
  ErrorCode,
  embedResultSchema,
  parseWith,
  problemDetailsSchema,
  type EmbedRequest,
  type EmbedResult,
} from '@shoshizan/shared-interfaces';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

/**
 * Embeddings from gpt-api's `POST /v1/embed`, answered at once (not through the queue: an
 * embedding is short and has no answer to resume). gpt-api applies the caller's rate limit
 * and token quota; its refusals come back as DomainExceptions with its code.
 */
@Injectable()
export class EmbeddingsClient {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  /** `signal` aborts when the caller leaves, so gpt-api stops working for no one. */
  async embed(request: EmbedRequest, signal?: AbortSignal): Promise<EmbedResult> {
    const timeout = AbortSignal.timeout(this.config.EMBED_TIMEOUT_MS);
    let response: Response;
    let body: string;
    try {
      response = await fetch(new URL('/v1/embed', this.config.GPT_API_URL), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': request.requestId },
        body: JSON.stringify(request),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      body = await response.text();
    } catch (error) {
      if (signal?.aborted) throw new DomainException(ErrorCode.Cancelled, 'The caller left before the embeddings came.');
      if (timeout.aborted) {
        throw new DomainException(ErrorCode.UpstreamTimeout, `gpt-api did not answer the embeddings within ${this.config.EMBED_TIMEOUT_MS} ms.`, {
          cause: error,
        });
      }
      throw new DomainException(ErrorCode.UpstreamUnavailable, 'gpt-api is unreachable.', { cause: error, retryAfterSeconds: 5 });
    }
    if (!response.ok) throw refusalOf(response.status, body, response.headers.get('retry-after'));
    const result = parseWith(embedResultSchema, safeJson(body));
    if (!result.ok) throw new DomainException(ErrorCode.Internal, 'gpt-api sent an embed result of the wrong shape.');
    return result.value;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * gpt-api's refusal as the error the caller gets: its code, message, fields (the embed
 * request names `model`, `input` and `dimensions` as OpenAI's does) and Retry-After.
 */
export function refusalOf(status: number, body: string, retryAfter: string | null): DomainException {
  const problem = parseWith(problemDetailsSchema, safeJson(body));
  if (!problem.ok) {
    // Not gpt-api's own answer (a proxy's error page): a 5xx may pass, anything else is a fault here.
    const code = status >= 500 ? ErrorCode.UpstreamUnavailable : ErrorCode.Internal;
    return new DomainException(code, `gpt-api answered the embeddings with ${status}.`, { retryAfterSeconds: 5 });
  }
  const { code, detail, title, errors } = problem.value;
  if (code === ErrorCode.NotFound) {
    // A model it lacks is model_not_found: this gpt-api has no embed route (an older one, mid-update).
    return new DomainException(ErrorCode.UpstreamUnavailable, 'gpt-api serves no embeddings (yet).', { retryAfterSeconds: 5 });
  }
  const issues = errors ?? (code === ErrorCode.ModelNotFound ? [{ path: 'model', message: 'is not an available model' }] : undefined);
  const seconds = Number(retryAfter);
  return new DomainException(code, detail ?? title, {
    ...(issues ? { issues } : {}),
    ...(retryAfter !== null && seconds > 0 ? { retryAfterSeconds: seconds } : {}),
  });
}
