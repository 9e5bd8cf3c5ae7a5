import { Injectable, Logger } from '@nestjs/common';
import { DomainException } from '@shoshizan/service-kit';
import type { EmbedRequest, EmbedResult } from '@shoshizan/shared-interfaces';
import { UserLimitsService } from '../admission/user-limits.service';
import { ConcurrencyLimiter } from '../generation/concurrency-limiter';
import { GptApiMetrics } from '../generation/gpt-api.metrics';
import { ModelsService } from '../models/models.service';
import { OllamaAdapter } from '../ollama/ollama.adapter';
import { UsageRepository } from '../usage/usage.repository';

/**
 * Embeddings, answered at once, under the same rules as a generation: the caller's models,
 * the rate limit and token quota, Ollama's slots, and the usage ledger (the input's tokens
 * as prompt tokens).
 */
@Injectable()
export class EmbeddingsService {
  private readonly logger = new Logger(EmbeddingsService.name);

  constructor(
    private readonly models: ModelsService,
    private readonly ollama: OllamaAdapter,
    private readonly usage: UsageRepository,
    private readonly admission: UserLimitsService,
    private readonly limiter: ConcurrencyLimiter,
    private readonly metrics: GptApiMetrics,
  ) {}

  /** Throws DomainException. */
  async embed(request: EmbedRequest): Promise<EmbedResult> {
    const { name: model, keepAlive } = await this.models.resolve(request.model, request.roles);
    // No capability check first: Ollama embeds with chat models too (those its llama.cpp
    // runner serves, SmolLM2 among them) though /api/show lists no `embedding` for them; a
    // model it cannot embed with answers 501, which the adapter makes a 400.
    try {
      await this.admission.admit(request);
    } catch (error) {
      if (error instanceof DomainException) this.metrics.admissionRejections.inc({ model, reason: error.code });
      throw error;
    }
    const queuedAt = performance.now();
    const release = await this.limiter.acquire();
    const startedAt = performance.now();
    this.metrics.queueWait.observe({ model }, (startedAt - queuedAt) / 1000);
    let outcome = 'error';
    try {
      const { embeddings, promptTokens } = await this.ollama.embed({
        model,
        input: request.input,
        ...(request.dimensions !== undefined ? { dimensions: request.dimensions } : {}),
        ...(keepAlive ? { keepAlive } : {}),
      });
      const usage = { promptTokens, completionTokens: 0, totalTokens: promptTokens };
      await this.usage.record({ requestId: request.requestId, userId: request.userId, model, usage });
      this.metrics.embedTokens.inc({ model }, promptTokens);
      outcome = 'done';
      this.logger.log({ requestId: request.requestId, model, inputs: request.input.length, promptTokens }, 'Embedded the input');
      return { model, embeddings, promptTokens };
    } finally {
      release();
      this.metrics.embedDuration.observe({ model, outcome }, (performance.now() - startedAt) / 1000);
    }
  }
}
