import { Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Registry } from 'prom-client';
import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode, type GenerateRequest, type GenerationChunk, type Tool } from '@shoshizan/shared-interfaces';
import { UserLimitsService } from '../admission/user-limits.service';
import { GPT_API_CONFIG, type GptApiConfig } from '../config/gpt-api.config';
import { ModelCapabilities } from '../models/model-capabilities';
import { ModelsService } from '../models/models.service';
import { OllamaAdapter, toolsUnsupported, type ChatStreamRequest, type CompletionStreamRequest, type OllamaChunk } from '../ollama/ollama.adapter';
import { UsageRepository } from '../usage/usage.repository';
import { ConcurrencyLimiter } from './concurrency-limiter';
import { GenerationService } from './generation.service';
import { GptApiMetrics } from './gpt-api.metrics';

const request: GenerateRequest = {
  requestId: '0b3c9a4e-5c1d-4f5e-9b7a-1d2e3f4a5b6c',
  userId: 'u1',
  roles: ['pro'],
  messages: [{ role: 'user', content: 'Hi' }],
  options: {},
};

const weather: Tool = { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } };

const hello: OllamaChunk[] = [
  { text: 'Hello', done: false },
  { text: '', done: true, promptTokens: 3, completionTokens: 1 },
];

/** What GenerationService's constructor is given, one value per injection token. */
interface GenerationPorts {
  models: ModelsService;
  capabilities: ModelCapabilities;
  ollama: OllamaAdapter;
  usage: UsageRepository;
  admission: UserLimitsService;
  limiter: ConcurrencyLimiter;
  metrics: GptApiMetrics;
  config: Pick<GptApiConfig, 'MAX_OUTPUT_TOKENS' | 'OLLAMA_HOST' | 'DEFAULT_MODEL'>;
}

const modules: TestingModule[] = [];
afterEach(async () => {
  await Promise.all(modules.splice(0).map((module) => module.close()));
});

/** The service as Nest's container builds it, from the tokens GenerationModule provides. */
async function buildGenerationService(ports: GenerationPorts): Promise<GenerationService> {
  const module = await Test.createTestingModule({
    providers: [
      GenerationService,
      { provide: ModelsService, useValue: ports.models },
      { provide: ModelCapabilities, useValue: ports.capabilities },
      { provide: OllamaAdapter, useValue: ports.ollama },
      { provide: UsageRepository, useValue: ports.usage },
      { provide: UserLimitsService, useValue: ports.admission },
      { provide: ConcurrencyLimiter, useValue: ports.limiter },
      { provide: GptApiMetrics, useValue: ports.metrics },
      { provide: GPT_API_CONFIG, useValue: ports.config },
    ],
  }).compile();
  modules.push(module);
  return module.get(GenerationService);
}

/**
 * The service over fakes of what it calls: the catalog, the template check, the admission,
 * the ledger and Ollama (replaying `answer`, or running `stream` with the call's signal), with
 * a real limiter of one slot and real metrics on a registry of its own.
 */
async function setUp(
  resolved: { name: string; keepAlive?: string },
  answer: OllamaChunk[] = hello,
  stream?: (signal: AbortSignal) => AsyncIterable<OllamaChunk>,
) {
  const chats: ChatStreamRequest[] = [];
  const completions: CompletionStreamRequest[] = [];
  const models = { resolve: jest.fn(async () => resolved) };
  const capabilities = { require: jest.fn(async () => {}) };
  const admission = { admit: jest.fn(async () => {}) };
  const usage = { record: jest.fn(async () => true) };
  async function* replay() {
    yield* answer;
  }
  const ollama = {
    chat(chat: ChatStreamRequest, signal: AbortSignal) {
      chats.push(chat);
      return stream ? stream(signal) : replay();
    },
    complete(completion: CompletionStreamRequest, signal: AbortSignal) {
      completions.push(completion);
      return stream ? stream(signal) : replay();
    },
  };
  const metrics = new GptApiMetrics(new Registry());
  const limiter = new ConcurrencyLimiter(1);
  const service = await buildGenerationService({
    models: models as unknown as ModelsService,
    capabilities: capabilities as unknown as ModelCapabilities,
    ollama: ollama as unknown as OllamaAdapter,
    usage: usage as unknown as UsageRepository,
    admission: admission as unknown as UserLimitsService,
    limiter,
    metrics,
    config: { MAX_OUTPUT_TOKENS: 0, OLLAMA_HOST: 'http://127.0.0.1:11434', DEFAULT_MODEL: 'smollm2:135m' },
  });
  return { service, models, capabilities, admission, usage, chats, completions, metrics, limiter };
}

async function collect(chunks: AsyncIterable<GenerationChunk>): Promise<GenerationChunk[]> {
  const all: GenerationChunk[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

async function generate(service: GenerationService, generateRequest: GenerateRequest): Promise<GenerationChunk[]> {
  return collect(service.stream(generateRequest, await service.prepare(generateRequest), new AbortController().signal));
}

describe('GenerationService', () => {
  beforeAll(() => Logger.overrideLogger(false));
  it("resolves the model with the caller's roles and runs it with the model's keep-alive", async () => {
    const { service, models, chats } = await setUp({ name: 'llama3.2:1b', keepAlive: '1h' });
    const chunks = await generate(service, { ...request, model: 'llama3.2:1b' });
    expect(models.resolve).toHaveBeenCalledWith('llama3.2:1b', ['pro']);
    expect(chunks.map((c) => c.type)).toEqual(['started', 'token', 'done']);
    expect(chunks[0]).toEqual({ type: 'started', model: 'llama3.2:1b' });
    expect(chunks[2]).toMatchObject({ finishReason: 'stop', usage: { promptTokens: 3, completionTokens: 1, totalTokens: 4 } });
    expect(chats).toEqual([expect.objectContaining({ model: 'llama3.2:1b', keepAlive: '1h' })]);
  });

  it('leaves the keep-alive to OLLAMA_KEEP_ALIVE when the model sets none', async () => {
    const { service, chats } = await setUp({ name: 'gemma3:270m' });
    await generate(service, request);
    expect(chats[0]).not.toHaveProperty('keepAlive');
  });

  it("streams the calls Ollama parsed and ends with tool_calls, once it knows the model's template takes tools", async () => {
    const { service, capabilities, usage } = await setUp({ name: 'qwen3:0.6b' }, [
      { text: '', toolCalls: [{ id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' }], done: false },
      { text: '', done: true, doneReason: 'stop', promptTokens: 20, completionTokens: 8 },
    ]);
    const chunks = await generate(service, { ...request, options: { tools: [weather] } });
    expect(capabilities.require).toHaveBeenCalledWith('qwen3:0.6b', 'tools');
    expect(chunks.slice(1)).toEqual([
      { type: 'tool_call', index: 0, id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
      expect.objectContaining({ type: 'done', finishReason: 'tool_calls' }),
    ]);
    expect(usage.record).toHaveBeenCalledWith(expect.objectContaining({ usage: { promptTokens: 20, completionTokens: 8, totalTokens: 28 } }));
  });

  it('refuses tools for a model whose template has none before counting the request', async () => {
    const { service, capabilities, admission } = await setUp({ name: 'gemma3:270m' });
    capabilities.require.mockRejectedValue(toolsUnsupported('gemma3:270m'));
    await expect(service.prepare({ ...request, options: { tools: [weather] } })).rejects.toMatchObject({ code: ErrorCode.ValidationFailed });
    expect(admission.admit).not.toHaveBeenCalled();
  });

  it('needs no tool support in the template to force a call', async () => {
    const { service, capabilities } = await setUp({ name: 'gemma3:270m' }, [
      { text: '{"city": "Paris"}', done: false },
      { text: '', done: true, promptTokens: 30, completionTokens: 6 },
    ]);
    const chunks = await generate(service, { ...request, options: { tools: [weather], toolChoice: { name: 'get_weather' } } });
    expect(capabilities.require).not.toHaveBeenCalled();
    expect(chunks.slice(1)).toEqual([
      { type: 'tool_call', index: 0, id: expect.stringMatching(/^call_/), name: 'get_weather', arguments: '{"city": "Paris"}' },
      expect.objectContaining({ type: 'done', finishReason: 'tool_calls' }),
    ]);
  });

  it('ends a forced call cut short with an error, having recorded the tokens it cost and counted the failure', async () => {
    const { service, usage, metrics } = await setUp({ name: 'gemma3:270m' }, [
      { text: '{"city": "Pa', done: false },
      { text: '', done: true, doneReason: 'length', promptTokens: 30, completionTokens: 4 },
    ]);
    const chunks = await generate(service, { ...request, options: { tools: [weather], toolChoice: 'required', maxTokens: 4 } });
    expect(chunks.slice(1)).toEqual([
      { type: 'error', code: ErrorCode.ValidationFailed, message: expect.stringContaining('cut off at maxTokens'), retriable: false },
    ]);
    expect(usage.record).toHaveBeenCalledTimes(1);
    expect((await metrics.generationFailures.get()).values).toEqual([{ labels: { model: 'gemma3:270m', code: ErrorCode.ValidationFailed }, value: 1 }]);
  });

  it("counts a model server it cannot reach before generating as a failure of the model asked for (the default when none), and not a request it refuses", async () => {
    const { service, models, metrics } = await setUp({ name: 'gemma3:270m' });
    const unreachable = new DomainException(ErrorCode.UpstreamUnavailable, 'Ollama is not reachable.');
    models.resolve.mockRejectedValueOnce(unreachable).mockRejectedValueOnce(unreachable);
    await expect(service.prepare({ ...request, model: 'gemma3:270m' })).rejects.toBe(unreachable);
    await expect(service.prepare(request)).rejects.toBe(unreachable);
    models.resolve.mockRejectedValueOnce(new DomainException(ErrorCode.NotFound, 'No model x.'));
    await expect(service.prepare({ ...request, model: 'x' })).rejects.toThrow('No model x.');
    expect((await metrics.generationFailures.get()).values).toEqual([
      { labels: { model: 'gemma3:270m', code: ErrorCode.UpstreamUnavailable }, value: 1 },
      { labels: { model: 'smollm2:135m', code: ErrorCode.UpstreamUnavailable }, value: 1 },
    ]);
  });

  it('streams the log probabilities with the tokens', async () => {
    const { service } = await setUp({ name: 'gemma3:270m' }, [
      { text: 'Hi', logprobs: [{ token: 'Hi', logprob: -0.2 }], done: false },
      { text: '', done: true, promptTokens: 1, completionTokens: 1 },
    ]);
    const chunks = await generate(service, { ...request, options: { logprobs: true } });
    expect(chunks[1]).toEqual({ type: 'token', text: 'Hi', logprobs: [{ token: 'Hi', logprob: -0.2 }] });
  });

  it("continues a raw prompt through Ollama's completion, keeping the answer's leading space", async () => {
    const { service, chats, completions } = await setUp({ name: 'gemma3:270m' }, [
      { text: ' Paris', done: false },
      { text: '', done: true, promptTokens: 5, completionTokens: 1 },
    ]);
    const chunks = await generate(service, { ...request, messages: [{ role: 'user', content: 'The capital of France is' }], options: { raw: true } });
    expect(chats).toEqual([]);
    expect(completions).toEqual([expect.objectContaining({ prompt: 'The capital of France is' })]);
    expect(chunks[1]).toEqual({ type: 'token', text: ' Paris' });
  });
});

/** The count of generations that ended with `outcome`, from the duration histogram. */
async function endedWith(metrics: GptApiMetrics, outcome: string): Promise<number> {
  const { values } = await metrics.generationDuration.get();
  return values.find((v) => v.metricName === 'gpt_api_generation_duration_seconds_count' && v.labels.outcome === outcome)?.value ?? 0;
}

describe('GenerationService decisions', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('refuses a model the catalog does not know before admitting the request, and counts no model failure', async () => {
    const { service, models, capabilities, admission, metrics } = await setUp({ name: 'gemma3:270m' });
    models.resolve.mockRejectedValue(new DomainException(ErrorCode.ModelNotFound, 'No model nope.'));
    await expect(service.prepare({ ...request, model: 'nope', options: { tools: [weather] } })).rejects.toMatchObject({
      code: ErrorCode.ModelNotFound,
    });
    expect(capabilities.require).not.toHaveBeenCalled();
    expect(admission.admit).not.toHaveBeenCalled();
    expect((await metrics.generationFailures.get()).values).toEqual([]);
  });

  it("passes on the admission's refusal with its Retry-After, counted as a rejection by reason and not as a failure", async () => {
    const { service, admission, metrics } = await setUp({ name: 'gemma3:270m' });
    const refusal = new DomainException(ErrorCode.RateLimited, 'Rate limit reached: 2 requests a minute.', { retryAfterSeconds: 17 });
    admission.admit.mockRejectedValue(refusal);
    await expect(service.prepare(request)).rejects.toBe(refusal);
    expect(refusal.options?.retryAfterSeconds).toBe(17);
    expect(admission.admit).toHaveBeenCalledWith(request);
    expect((await metrics.admissionRejections.get()).values).toEqual([
      { labels: { model: 'gemma3:270m', reason: ErrorCode.RateLimited }, value: 1 },
    ]);
    expect((await metrics.generationFailures.get()).values).toEqual([]);
  });

  it('streams the tokens, then done last, recording the usage once for the request, its user and model', async () => {
    const { service, usage, metrics, limiter } = await setUp({ name: 'gemma3:270m' }, [
      { text: 'Bon', done: false },
      { text: 'jour', done: false },
      { text: '', done: true, promptTokens: 4, completionTokens: 2 },
    ]);
    const chunks = await generate(service, request);
    expect(chunks.map((c) => (c.type === 'token' ? c.text : c.type))).toEqual(['started', 'Bon', 'jour', 'done']);
    expect(chunks[3]).toMatchObject({ model: 'gemma3:270m', finishReason: 'stop', usage: { promptTokens: 4, completionTokens: 2, totalTokens: 6 } });
    expect(usage.record).toHaveBeenCalledTimes(1);
    expect(usage.record).toHaveBeenCalledWith({
      requestId: request.requestId,
      userId: 'u1',
      model: 'gemma3:270m',
      usage: { promptTokens: 4, completionTokens: 2, totalTokens: 6 },
    });
    expect((await metrics.generatedTokens.get()).values).toEqual([{ labels: { model: 'gemma3:270m' }, value: 2 }]);
    expect(await endedWith(metrics, 'done')).toBe(1);
    expect(limiter.inUse).toBe(0);
  });

  it("ends an answer Ollama drops with a retriable upstream_unavailable, counted as the model's failure, recording no usage", async () => {
    const { service, usage, metrics, limiter } = await setUp({ name: 'gemma3:270m' }, [], async function* () {
      yield { text: 'Hel', done: false };
      throw new DomainException(ErrorCode.UpstreamUnavailable, 'Ollama is not reachable.');
    });
    const chunks = await generate(service, request);
    expect(chunks.slice(1)).toEqual([
      { type: 'token', text: 'Hel' },
      { type: 'error', code: ErrorCode.UpstreamUnavailable, message: 'Ollama is not reachable.', retriable: true },
    ]);
    expect(usage.record).not.toHaveBeenCalled();
    expect((await metrics.generationFailures.get()).values).toEqual([
      { labels: { model: 'gemma3:270m', code: ErrorCode.UpstreamUnavailable }, value: 1 },
    ]);
    expect(await endedWith(metrics, 'error')).toBe(1);
    expect(limiter.inUse).toBe(0);
  });

  it('takes a stream that ends without done for an unavailable upstream, not for an answer', async () => {
    const { service, usage } = await setUp({ name: 'gemma3:270m' }, [{ text: 'Hel', done: false }]);
    const chunks = await generate(service, request);
    expect(chunks.at(-1)).toMatchObject({ type: 'error', code: ErrorCode.UpstreamUnavailable, retriable: true });
    expect(usage.record).not.toHaveBeenCalled();
  });

  it('reports an unexpected error as internal, which no retry mends', async () => {
    const { service, metrics } = await setUp({ name: 'gemma3:270m' }, [], async function* () {
      yield* [];
      throw new TypeError('a bug');
    });
    const chunks = await generate(service, request);
    expect(chunks.at(-1)).toEqual({ type: 'error', code: ErrorCode.Internal, message: 'Generation failed unexpectedly.', retriable: false });
    expect((await metrics.generationFailures.get()).values).toEqual([{ labels: { model: 'gemma3:270m', code: ErrorCode.Internal }, value: 1 }]);
  });

  it('stops without a word more when the caller goes away mid-answer, tells Ollama through the signal, and frees the slot', async () => {
    let seen: AbortSignal | undefined;
    const { service, usage, metrics, limiter } = await setUp({ name: 'gemma3:270m' }, [], async function* (signal) {
      seen = signal;
      yield { text: 'Hel', done: false };
      // As Ollama's client does: the stream ends once the request is aborted.
      if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    });
    const caller = new AbortController();
    const chunks: GenerationChunk[] = [];
    for await (const chunk of service.stream(request, await service.prepare(request), caller.signal)) {
      chunks.push(chunk);
      if (chunk.type === 'token') caller.abort();
    }
    expect(chunks.map((c) => c.type)).toEqual(['started', 'token']);
    expect(seen).toBe(caller.signal);
    expect(usage.record).not.toHaveBeenCalled();
    expect((await metrics.generationFailures.get()).values).toEqual([]);
    expect(await endedWith(metrics, 'aborted')).toBe(1);
    expect(limiter.inUse).toBe(0);
  });

  it('gives up its place in the queue for a slot when the caller goes away while waiting, never calling Ollama', async () => {
    const { service, chats, limiter } = await setUp({ name: 'gemma3:270m' });
    const release = await limiter.acquire();
    const caller = new AbortController();
    const plan = await service.prepare(request);
    const answer = collect(service.stream(request, plan, caller.signal));
    await new Promise((resolve) => setImmediate(resolve));
    expect(limiter.queued).toBe(1);
    caller.abort();
    await expect(answer).resolves.toEqual([]);
    expect(limiter.queued).toBe(0);
    release();
    expect(limiter.inUse).toBe(0);
    expect(chats).toEqual([]);
  });

  it('waits for a free slot and then answers', async () => {
    const { service, limiter } = await setUp({ name: 'gemma3:270m' });
    const release = await limiter.acquire();
    const answer = generate(service, request);
    await new Promise((resolve) => setImmediate(resolve));
    expect(limiter.queued).toBe(1);
    release();
    expect((await answer).map((c) => c.type)).toEqual(['started', 'token', 'done']);
    expect(limiter.inUse).toBe(0);
  });
});
