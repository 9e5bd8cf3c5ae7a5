import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import type { GenerateRequest, GenerationChunk } from '@shoshizan/shared-interfaces';
import { loadGptApiConfig } from '../config/gpt-api.config';
import type { AdmissionService } from '../admission/admission.service';
import type { ModelsService } from '../models/models.service';
import type { ChatStreamRequest, OllamaAdapter } from '../ollama/ollama.adapter';
import type { UsageService } from '../usage/usage.service';
import { GenerationService } from './generation.service';
import { GptApiMetrics } from './gpt-api.metrics';

const request: GenerateRequest = {
  requestId: '0b3c9a4e-5c1d-4f5e-9b7a-1d2e3f4a5b6c',
  userId: 'u1',
  roles: ['pro'],
  messages: [{ role: 'user', content: 'Hi' }],
  options: {},
};

function setUp(resolved: { name: string; keepAlive?: string }) {
  const chats: ChatStreamRequest[] = [];
  const models = { resolve: jest.fn(async () => resolved) };
  const ollama = {
    async *chat(chat: ChatStreamRequest) {
      chats.push(chat);
      yield { text: 'Hello', done: false };
      yield { text: '', done: true, promptTokens: 3, completionTokens: 1 };
    },
  };
  const service = new GenerationService(
    loadGptApiConfig({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' }),
    models as unknown as ModelsService,
    ollama as unknown as OllamaAdapter,
    { record: async () => true } as unknown as UsageService,
    { admit: async () => {} } as unknown as AdmissionService,
    new GptApiMetrics(new Registry()),
  );
  return { service, models, chats };
}

async function collect(chunks: AsyncIterable<GenerationChunk>): Promise<GenerationChunk[]> {
  const all: GenerationChunk[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

describe('GenerationService', () => {
  beforeAll(() => Logger.overrideLogger(false));
  it("resolves the model with the caller's roles and runs it with the model's keep-alive", async () => {
    const { service, models, chats } = setUp({ name: 'llama3.2:1b', keepAlive: '1h' });
    const model = await service.prepare({ ...request, model: 'llama3.2:1b' });
    expect(models.resolve).toHaveBeenCalledWith('llama3.2:1b', ['pro']);
    const chunks = await collect(service.stream(request, model, new AbortController().signal));
    expect(chunks.map((c) => c.type)).toEqual(['started', 'token', 'done']);
    expect(chunks[0]).toEqual({ type: 'started', model: 'llama3.2:1b' });
    expect(chats).toEqual([expect.objectContaining({ model: 'llama3.2:1b', keepAlive: '1h' })]);
  });

  it('leaves the keep-alive to OLLAMA_KEEP_ALIVE when the model sets none', async () => {
    const { service, chats } = setUp({ name: 'gemma3:270m' });
    await collect(service.stream(request, await service.prepare(request), new AbortController().signal));
    expect(chats[0]).not.toHaveProperty('keepAlive');
  });
});
