import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainException } from '@shoshizan/service-kit';
import {
  ErrorCode,
  isRetriable,
  toStorableText,
  type FinishReason,
  type GenerateRequest,
  type GenerationChunk,
} from '@shoshizan/shared-interfaces';
import { GPT_API_CONFIG, type GptApiConfig } from '../config/gpt-api.config';
import type { ResolvedModel } from '../models/model-catalog';
import { ModelsService } from '../models/models.service';
import { OllamaAdapter } from '../ollama/ollama.adapter';
import { AdmissionService } from '../admission/admission.service';
import { UsageService } from '../usage/usage.service';
import { ConcurrencyLimiter } from './concurrency-limiter';
import { GptApiMetrics } from './gpt-api.metrics';

function finishReasonOf(doneReason: string | undefined): FinishReason {
  return doneReason === 'length' ? 'length' : 'stop';
}

@Injectable()
export class GenerationService {
  private readonly logger = new Logger(GenerationService.name);
  private readonly limiter: ConcurrencyLimiter;

  constructor(
    @Inject(GPT_API_CONFIG) config: GptApiConfig,
    private readonly models: ModelsService,
    private readonly ollama: OllamaAdapter,
    private readonly usage: UsageService,
    private readonly admission: AdmissionService,
    private readonly metrics: GptApiMetrics,
  ) {
    this.limiter = new ConcurrencyLimiter(config.OLLAMA_MAX_CONCURRENCY);
  }

  /**
   * Checks what can be checked before streaming starts: the model, then the user's rate
   * limit and token quota. Throws DomainException.
   */
  async prepare(request: GenerateRequest): Promise<ResolvedModel> {
    const model = await this.models.resolve(request.model, request.roles);
    try {
      await this.admission.admit(request);
    } catch (error) {
      if (error instanceof DomainException) this.metrics.admissionRejections.inc({ model: model.name, reason: error.code });
      throw error;
    }
    return model;
  }

  /**
   * Streams the answer as chunks: `started`, `token`s, then `done` or `error`. Nothing
   * follows an abort of `signal`: the caller has gone and Ollama is told to stop.
   */
  async *stream(request: GenerateRequest, resolved: ResolvedModel, signal: AbortSignal): AsyncGenerator<GenerationChunk> {
    const { name: model, keepAlive } = resolved;
    const log = { requestId: request.requestId, model };
    const queuedAt = performance.now();
    let release: (() => void) | undefined;
    try {
      release = await this.limiter.acquire(signal);
    } catch {
      return; // aborted while waiting for a slot
    }
    const startedAt = performance.now();
    this.metrics.queueWait.observe({ model }, (startedAt - queuedAt) / 1000);
    this.metrics.inflight.inc();
    let outcome = 'error';
    try {
      yield { type: 'started', model };
      let firstTokenAt: number | undefined;
      // A continuation goes in as the start of the assistant's turn: the model carries on
      // from its last character (a redelivered request resumes; nothing is said twice).
      const messages = request.continuation
        ? [...request.messages, { role: 'assistant' as const, content: request.continuation }]
        : request.messages;
      // An answer starts at its first visible character (models often open with a space or
      // a newline after the prompt's role marker); a continuation is passed on as it is.
      let atStart = !request.continuation;
      for await (const part of this.ollama.chat({ model, messages, options: request.options, ...(keepAlive ? { keepAlive } : {}) }, signal)) {
        let text = part.text;
        if (atStart && text) {
          text = text.trimStart();
          if (text) atStart = false;
        }
        if (text) {
          if (firstTokenAt === undefined) {
            firstTokenAt = performance.now();
            this.metrics.timeToFirstToken.observe({ model }, (firstTokenAt - startedAt) / 1000);
          }
          yield { type: 'token', text: toStorableText(text) };
        }
        if (part.done) {
          const usage = {
            promptTokens: part.promptTokens ?? 0,
            completionTokens: part.completionTokens ?? 0,
            totalTokens: (part.promptTokens ?? 0) + (part.completionTokens ?? 0),
          };
          const durationMs = performance.now() - startedAt;
          await this.usage.record({ requestId: request.requestId, userId: request.userId, model, usage });
          this.recordDone(model, usage.promptTokens, usage.completionTokens, firstTokenAt);
          outcome = 'done';
          this.logger.log({ ...log, usage, durationMs: Math.round(durationMs) }, 'Generated an answer');
          yield { type: 'done', model, usage, finishReason: finishReasonOf(part.doneReason), durationMs };
          return;
        }
      }
      if (signal.aborted) {
        outcome = 'aborted';
        this.logger.log(log, 'Stopped a generation whose caller went away');
        return;
      }
      throw new DomainException(ErrorCode.UpstreamUnavailable, 'Ollama ended the stream before the answer was done.');
    } catch (error) {
      const domain =
        error instanceof DomainException
          ? error
          : new DomainException(ErrorCode.Internal, 'Generation failed unexpectedly.', { cause: error });
      this.logger.warn({ ...log, code: domain.code, err: error }, 'Generation failed');
      yield { type: 'error', code: domain.code, message: toStorableText(domain.message), retriable: isRetriable(domain.code) };
    } finally {
      this.metrics.inflight.dec();
      this.metrics.generationDuration.observe({ model, outcome }, (performance.now() - startedAt) / 1000);
      release();
    }
  }

  private recordDone(model: string, prompt: number, completion: number, firstTokenAt: number | undefined): void {
    this.metrics.promptTokens.inc({ model }, prompt);
    this.metrics.generatedTokens.inc({ model }, completion);
    if (firstTokenAt !== undefined && completion > 1) {
      const generatingSeconds = (performance.now() - firstTokenAt) / 1000;
      if (generatingSeconds > 0) this.metrics.tokensPerSecond.observe({ model }, (completion - 1) / generatingSeconds);
    }
  }
}
