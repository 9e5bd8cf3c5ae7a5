import { Logger } from '@nestjs/common';
import { ErrorCode } from '@shoshizan/shared-interfaces';
import { loadGptApiConfig } from '../config/gpt-api.config';
import type { InstalledModel, OllamaAdapter } from '../ollama/ollama.adapter';
import { InstalledModelsService } from './models.service';

const installed: InstalledModel[] = [
  { name: 'gemma3:270m', sizeBytes: 300, family: 'gemma3', parameterSize: '268M' },
  { name: 'llama3.2:1b', sizeBytes: 1300 },
];

function setUp(env: Record<string, string> = {}, models: InstalledModel[][] = [installed]) {
  let calls = 0;
  const listModels = jest.fn(async () => models[Math.min(calls++, models.length - 1)]!);
  const config = loadGptApiConfig({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', ...env });
  return { listModels, service: new InstalledModelsService(config, { listModels } as unknown as OllamaAdapter) };
}

describe('InstalledModelsService (MODEL_CATALOG=ollama)', () => {
  beforeAll(() => Logger.overrideLogger(false));
  it('lists what Ollama has installed, narrowed by ALLOWED_MODELS, whatever the roles', async () => {
    const { service } = setUp({ ALLOWED_MODELS: 'gemma3:270m' });
    await expect(service.catalog()).resolves.toEqual({
      defaultModel: 'gemma3:270m',
      models: [{ name: 'gemma3:270m', sizeBytes: 300, family: 'gemma3', parameterSize: '268M' }],
    });
  });

  it('resolves the named model or DEFAULT_MODEL, with no keep-alive of its own', async () => {
    const { service } = setUp();
    await expect(service.resolve('llama3.2:1b')).resolves.toEqual({ name: 'llama3.2:1b' });
    await expect(service.resolve(undefined)).resolves.toEqual({ name: 'gemma3:270m' });
  });

  it('asks Ollama again before refusing a model, since it may have been pulled since', async () => {
    const { service, listModels } = setUp({}, [installed, [...installed, { name: 'new:1b', sizeBytes: 1 }]]);
    await service.catalog();
    await expect(service.resolve('new:1b')).resolves.toEqual({ name: 'new:1b' });
    await expect(service.resolve('absent:1b')).rejects.toMatchObject({ code: ErrorCode.ModelNotFound });
    expect(listModels).toHaveBeenCalledTimes(3);
  });
});
