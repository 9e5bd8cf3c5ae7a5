import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  DomainException,
  OUTCOME_ATTRIBUTE,
  SpanKind,
  annotateActiveSpan,
  answerAttributes,
  failSpan,
  modelCallAttributes,
  modelCallSpanName,
  startSpan,
  withSpan,
} from '@shoshizan/service-kit';
import { ErrorCode, isRetriable, toStorableText, type GenerateRequest, type GenerationChunk } from '@shoshizan/shared-interfaces';
import { GPT_API_CONFIG, type GptApiConfig } from '../config/gpt-api.config';
import { ModelCapabilities } from '../models/model-capabilities';
import { ModelsService } from '../models/models.service';
import { OllamaAdapter, type OllamaChunk } from '../ollama/ollama.adapter';
import { UserLimitsService } from '../admission/user-limits.service';
import { UsageRepository } from '../usage/usage.repository';
import { AnswerReader } from './answer-reader';
import { ConcurrencyLimiter } from './concurrency-limiter';
import { planGeneration, type GenerationPlan, type OllamaCall } from './generation-plan';
import { GptApiMetrics } from './gpt-api.metrics';

@Injectable()
export class GenerationService {
  private readonly logger = new Logger(GenerationService.name);

  constructor(
    private readonly models: ModelsService,
    private readonly capabilities: ModelCapabilities,
    private readonly ollama: OllamaAdapter,
    private readonly usage: UsageRepository,
    private readonly admission: UserLimitsService,
    private readonly limiter: ConcurrencyLimiter,
    private readonly metrics: GptApiMetrics,
    @Inject(GPT_API_CONFIG) private readonly config: Pick<GptApiConfig, 'MAX_OUTPUT_TOKENS' | 'OLLAMA_HOST' | 'DEFAULT_MODEL'>,
  ) {}

  /**
   * Checks what can be checked before streaming starts: the model, what is asked of it,
   * then the user's rate limit and token quota (last, so that a request refused for
   * another reason does not count). Throws DomainException.
   */
  async prepare(request: GenerateRequest): Promise<GenerationPlan> {
    const model = await this.countingUnreachable(request.model ?? this.config.DEFAULT_MODEL, () => this.models.resolve(request.model, request.roles));
    const plan = planGeneration(request, model, this.config.MAX_OUTPUT_TOKENS || undefined);
    if (plan.tools.kind === 'native') await this.countingUnreachable(model.name, () => this.capabilities.require(model.name, 'tools'));
    try {
      await this.admission.admit(request);
    } catch (error) {
      if (error instanceof DomainException) this.metrics.admissionRejections.inc({ model: model.name, reason: error.code });
      throw error;
    }
    return plan;
  }

  /**
   * Streams the answer as chunks: `started`, `token`s and `tool_call`s, then `done` or
   * `error`. Nothing follows an abort of `signal`: the caller has gone and Ollama is told to
   * stop. The call to Ollama is a CLIENT span (`chat <model>`, gen_ai attributes) under the
   * request's SERVER span; both get the usage and the outcome.
   */
  async *stream(request: GenerateRequest, plan: GenerationPlan, signal: AbortSignal): AsyncGenerator<GenerationChunk> {
    const model = plan.model.name;
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
    const ollama = new URL(this.config.OLLAMA_HOST);
    const span = startSpan(
      modelCallSpanName(model),
      SpanKind.CLIENT,
      modelCallAttributes({ model, serverAddress: ollama.hostname, serverPort: Number(ollama.port || 80) }),
    );
    try {
      yield { type: 'started', model };
      let firstTokenAt: number | undefined;
      const answer = new AnswerReader(plan);
      for await (const part of withSpan(span, () => this.answerFrom(plan.ollama, signal))) {
        for (const chunk of answer.read(part)) {
          if (firstTokenAt === undefined) {
            firstTokenAt = performance.now();
            this.metrics.timeToFirstToken.observe({ model }, (firstTokenAt - startedAt) / 1000);
          }
          yield chunk;
        }
        if (part.done) {
          const usage = {
            promptTokens: part.promptTokens ?? 0,
            completionTokens: part.completionTokens ?? 0,
            totalTokens: (part.promptTokens ?? 0) + (part.completionTokens ?? 0),
          };
          const durationMs = performance.now() - startedAt;
          // The tokens were spent even when they make no valid call.
          await this.usage.record({ requestId: request.requestId, userId: request.userId, model, usage });
          this.recordDone(model, usage.promptTokens, usage.completionTokens, firstTokenAt);
          const { chunks, finishReason } = answer.finish(part.doneReason);
          const answered = answerAttributes({
            responseModel: model,
            inputTokens: usage.promptTokens,
            outputTokens: usage.completionTokens,
            finishReason,
          });
          span.setAttributes(answered);
          annotateActiveSpan(answered);
          yield* chunks;
          outcome = 'done';
          this.logger.log({ ...log, usage, finishReason, durationMs: Math.round(durationMs) }, 'Generated an answer');
          yield { type: 'done', model, usage, finishReason, durationMs };
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
      failSpan(span, domain);
      this.logger.warn({ ...log, code: domain.code, err: error }, 'Generation failed');
      this.metrics.generationFailures.inc({ model, code: domain.code });
      yield { type: 'error', code: domain.code, message: toStorableText(domain.message), retriable: isRetriable(domain.code) };
    } finally {
      span.setAttribute(OUTCOME_ATTRIBUTE, outcome);
      annotateActiveSpan({ [OUTCOME_ATTRIBUTE]: outcome });
      span.end();
      this.metrics.inflight.dec();
      this.metrics.generationDuration.observe({ model, outcome }, (performance.now() - startedAt) / 1000);
      release();
    }
  }

  /**
   * A model server that cannot be reached before the generation starts (its catalog, its
   * model's template) fails that model's generation as much as one that drops mid-answer:
   * counted alike, so an outage shows on the model servers' failures. A refusal of the
   * request itself (an unknown model, tools it cannot take) is the caller's, not counted.
   */
  private async countingUnreachable<T>(model: string, check: () => Promise<T>): Promise<T> {
    try {
      return await check();
    } catch (error) {
      if (error instanceof DomainException && error.code === ErrorCode.UpstreamUnavailable) {
        this.metrics.generationFailures.inc({ model, code: error.code });
      }
      throw error;
    }
  }

  private answerFrom(call: OllamaCall, signal: AbortSignal): AsyncIterable<OllamaChunk> {
    return call.endpoint === 'chat' ? this.ollama.chat(call.request, signal) : this.ollama.complete(call.request, signal);
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
