import { Inject, Injectable } from '@nestjs/common';
import {
  DomainException,
  NO_ANSWER_RETRY_AFTER_SECONDS,
  fetchJson,
  noAnswerException,
  refusalToException,
} from '@shoshizan/service-kit';
import { ErrorCode, embedResultSchema, type EmbedRequest, type EmbedResult } from '@shoshizan/shared-interfaces';
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
    try {
      return await fetchJson(new URL('/v1/embed', this.config.GPT_API_URL), embedResultSchema, {
        method: 'POST',
        body: request,
        headers: { 'x-request-id': request.requestId },
        timeoutMs: this.config.EMBED_TIMEOUT_MS,
        signal,
        service: 'gpt-api',
      });
    } catch (error) {
      throw error instanceof DomainException ? asEmbedRefusal(error) : error;
    }
  }
}

/**
 * A refusal of gpt-api's as the caller gets it: the embed request names `model`, `input` and
 * `dimensions` as OpenAI's does, and a not_found means no embed route, not a missing model.
 */
function asEmbedRefusal(refused: DomainException): DomainException {
  if (refused.code === ErrorCode.NotFound) {
    // A model it lacks is model_not_found: this gpt-api has no embed route (an older one, mid-update).
    return new DomainException(ErrorCode.UpstreamUnavailable, 'gpt-api serves no embeddings (yet).', {
      retryAfterSeconds: NO_ANSWER_RETRY_AFTER_SECONDS,
    });
  }
  if (refused.code === ErrorCode.ModelNotFound && !refused.options.issues) {
    return new DomainException(refused.code, refused.message, { ...refused.options, issues: [{ path: 'model', message: 'is not an available model' }] });
  }
  return refused;
}

/** gpt-api's non-2xx answer to an embed request as the error the caller gets, with its Retry-After. */
export function refusalOf(status: number, body: string, retryAfter: string | null): DomainException {
  return asEmbedRefusal(refusalToException({ status, body, retryAfter }, (failure) => noAnswerException('gpt-api', failure)));
}
