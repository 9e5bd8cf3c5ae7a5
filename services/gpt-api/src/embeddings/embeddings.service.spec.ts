import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import { ErrorCode, type EmbedRequest } from '@shoshizan/shared-interfaces';
import type { UserLimitsService } from '../admission/user-limits.service';
import { ConcurrencyLimiter } from '../generation/concurrency-limiter';
import { GptApiMetrics } from '../generation/gpt-api.metrics';
import type { ModelsService } from '../models/models.service';
import { embeddingsUnsupported, type OllamaAdapter } from '../ollama/ollama.adapter';
import type { UsageRepository } from '../usage/usage.repository';
import { EmbeddingsService } from './embeddings.service';

const request: EmbedRequest = {
  requestId: '0b3c9a4e-5c1d-4f5e-9b7a-1d2e3f4a5b6c',
  userId: 'u1',
  roles: ['pro'],
  input: ['a', 'b'],
  dimensions: 2,
};

function setUp() {
  const models = { resolve: jest.fn(async () => ({ name: 'all-minilm:22m', keepAlive: '1h' })) };
  const admission = { admit: jest.fn(async () => {}) };
  const usage = { record: jest.fn(async () => true) };
  const ollama = { embed: jest.fn(async () => ({ embeddings: [[0.6, 0.8], [1, 0]], promptTokens: 4 })) };
  const limiter = new ConcurrencyLimiter(1);
  const service = new EmbeddingsService(
    models as unknown as ModelsService,
    ollama as unknown as OllamaAdapter,
    usage as unknown as UsageRepository,
    admission as unknown as UserLimitsService,
    limiter,
    new GptApiMetrics(new Registry()),
  );
  return { service, models, admission, usage, ollama, limiter };
}

describe('EmbeddingsService', () => {
  beforeAll(() => Logger.overrideLogger(false));
  it("embeds with the caller's model once admitted, and records the input's tokens as prompt tokens", async () => {
    const { service, models, admission, usage, ollama, limiter } = setUp();
    await expect(service.embed(request)).resolves.toEqual({ model: 'all-minilm:22m', embeddings: [[0.6, 0.8], [1, 0]], promptTokens: 4 });
    expect(models.resolve).toHaveBeenCalledWith(undefined, ['pro']);
    expect(admission.admit).toHaveBeenCalledWith(request);
    expect(ollama.embed).toHaveBeenCalledWith({ model: 'all-minilm:22m', input: ['a', 'b'], dimensions: 2, keepAlive: '1h' });
    expect(usage.record).toHaveBeenCalledWith({
      requestId: request.requestId,
      userId: 'u1',
      model: 'all-minilm:22m',
      usage: { promptTokens: 4, completionTokens: 0, totalTokens: 4 },
    });
    expect(limiter.inUse).toBe(0);
  });

  it('passes on the 400 of a model Ollama cannot embed with, records no usage and gives back its slot', async () => {
    const { service, ollama, usage, limiter } = setUp();
    ollama.embed.mockRejectedValue(embeddingsUnsupported('gemma3:270m'));
    await expect(service.embed(request)).rejects.toMatchObject({ code: ErrorCode.ValidationFailed });
    expect(usage.record).not.toHaveBeenCalled();
    expect(limiter.inUse).toBe(0);
  });

  it('gives back its slot when Ollama fails', async () => {
    const { service, ollama, usage, limiter } = setUp();
    ollama.embed.mockRejectedValue(new Error('Ollama failed'));
    await expect(service.embed(request)).rejects.toThrow('Ollama failed');
    expect(usage.record).not.toHaveBeenCalled();
    expect(limiter.inUse).toBe(0);
  });
});
