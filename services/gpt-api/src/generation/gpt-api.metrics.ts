import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@shoshizan/service-kit';

/** Generation and embedding metrics, labelled by model. */
@Injectable()
export class GptApiMetrics {
  readonly timeToFirstToken: Histogram<'model'>;
  readonly tokensPerSecond: Histogram<'model'>;
  readonly generationDuration: Histogram<'model' | 'outcome'>;
  readonly queueWait: Histogram<'model'>;
  readonly generatedTokens: Counter<'model'>;
  readonly promptTokens: Counter<'model'>;
  readonly inflight: Gauge;
  readonly ollamaSlots: Gauge;
  readonly generationFailures: Counter<'model' | 'code'>;
  readonly admissionRejections: Counter<'model' | 'reason'>;
  readonly embedDuration: Histogram<'model' | 'outcome'>;
  readonly embedTokens: Counter<'model'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const registers = [registry];
    const seconds = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 80];
    this.timeToFirstToken = new Histogram({
      name: 'gpt_api_time_to_first_token_seconds',
      help: 'From the start of generation (after the queue) to the first token.',
      labelNames: ['model'],
      buckets: seconds,
      registers,
    });
    this.tokensPerSecond = new Histogram({
      name: 'gpt_api_tokens_per_second',
      help: 'Completion tokens per second of generation, per request.',
      labelNames: ['model'],
      buckets: [1, 2, 5, 10, 20, 40, 80, 160, 320],
      registers,
    });
    this.generationDuration = new Histogram({
      name: 'gpt_api_generation_duration_seconds',
      help: 'Time from the first call to Ollama to the end of the answer, by outcome.',
      labelNames: ['model', 'outcome'],
      buckets: seconds,
      registers,
    });
    this.queueWait = new Histogram({
      name: 'gpt_api_queue_wait_seconds',
      help: 'Time a generation or an embedding waited for a free Ollama slot.',
      labelNames: ['model'],
      buckets: seconds,
      registers,
    });
    this.generatedTokens = new Counter({
      name: 'gpt_api_completion_tokens_total',
      help: 'Completion tokens generated.',
      labelNames: ['model'],
      registers,
    });
    this.promptTokens = new Counter({
      name: 'gpt_api_prompt_tokens_total',
      help: 'Prompt tokens evaluated.',
      labelNames: ['model'],
      registers,
    });
    this.admissionRejections = new Counter({
      name: 'gpt_api_admission_rejections_total',
      help: 'Requests refused before the model: reason rate_limited or quota_exceeded.',
      labelNames: ['model', 'reason'],
      registers,
    });
    this.embedDuration = new Histogram({
      name: 'gpt_api_embed_duration_seconds',
      help: 'Time Ollama took to embed a request (after the queue), by outcome.',
      labelNames: ['model', 'outcome'],
      buckets: seconds,
      registers,
    });
    this.embedTokens = new Counter({
      name: 'gpt_api_embed_tokens_total',
      help: 'Tokens embedded (not in gpt_api_prompt_tokens_total).',
      labelNames: ['model'],
      registers,
    });
    this.inflight = new Gauge({
      name: 'gpt_api_inflight_generations',
      help: 'Generations running against Ollama now.',
      registers,
    });
    this.ollamaSlots = new Gauge({
      name: 'gpt_api_ollama_slots',
      help: 'Calls to Ollama this replica runs at once (OLLAMA_MAX_CONCURRENCY), generations and embeddings together.',
      registers,
    });
    this.generationFailures = new Counter({
      name: 'gpt_api_generation_failures_total',
      help: 'Generations that ended with an error, by model and error code.',
      labelNames: ['model', 'code'],
      registers,
    });
  }
}
