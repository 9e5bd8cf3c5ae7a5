import { Logger } from '@nestjs/common';
import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode, isRetriable, type OllamaModel } from '@shoshizan/shared-interfaces';
import type { InstalledModel } from '../ollama/ollama.adapter';
import { KubernetesModelsService } from './kubernetes-models.service';
import type { ModelWatch } from './ollama-model-watch';

const available = (name: string, spec: Partial<OllamaModel['spec']> = {}): OllamaModel => ({
  apiVersion: 'models.shoshizan.io/v1alpha1',
  kind: 'OllamaModel',
  metadata: { name: name.replace(/[^a-z0-9]/g, '-'), generation: 1, creationTimestamp: '2025-01-01T00:00:00Z' },
  spec: { name, source: { registry: { reference: `library/${name}` } }, ...spec },
  status: { observedGeneration: 1, conditions: [{ type: 'Available', status: 'True', reason: 'Test', message: '', lastTransitionTime: '' }] },
});

/** A watch whose first list arrives when the test says. */
class FakeWatch implements ModelWatch {
  hasSynced = false;
  items: OllamaModel[] = [];
  private readonly waiting: (() => void)[] = [];
  start = jest.fn(async () => {});
  stop = jest.fn(async () => {});
  models = () => this.items;
  whenSynced(timeoutMs: number): Promise<boolean> {
    if (this.hasSynced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiting.push(() => (clearTimeout(timer), resolve(true)));
    });
  }
  list(items: OllamaModel[]): void {
    this.items = items;
    this.hasSynced = true;
    for (const done of this.waiting.splice(0)) done();
  }
}

const config = { DEFAULT_MODEL: 'gemma3:270m', MODEL_CATALOG_TTL_MS: 60_000 };

function setUp(listModels: () => Promise<InstalledModel[]> = async () => []) {
  const watch = new FakeWatch();
  const ollama = { listModels: jest.fn(listModels) };
  const service = new KubernetesModelsService(watch, ollama, config, { syncWaitMs: 50 });
  return { watch, ollama, service };
}

describe('KubernetesModelsService', () => {
  beforeAll(() => Logger.overrideLogger(false));
  it('starts and stops the watch with the module', async () => {
    const { watch, service } = setUp();
    await service.onModuleInit();
    await service.onApplicationShutdown();
    expect(watch.start).toHaveBeenCalledTimes(1);
    expect(watch.stop).toHaveBeenCalledTimes(1);
  });

  it('lists the models with the sizes Ollama reports, for the caller\'s roles', async () => {
    const { watch, service } = setUp(async () => [{ name: 'gemma3:270m', sizeBytes: 300, family: 'gemma3' }]);
    watch.list([available('gemma3:270m'), available('llama3.2:1b', { roles: ['pro'], default: true })]);
    await expect(service.catalog([])).resolves.toEqual({
      defaultModel: 'gemma3:270m',
      models: [{ name: 'gemma3:270m', sizeBytes: 300, family: 'gemma3' }],
    });
    await expect(service.catalog(['pro'])).resolves.toEqual({
      defaultModel: 'llama3.2:1b',
      models: [{ name: 'gemma3:270m', sizeBytes: 300, family: 'gemma3' }, { name: 'llama3.2:1b' }],
    });
  });

  it('lists the models without sizes when Ollama does not answer, and asks it again only after the TTL', async () => {
    const { watch, ollama, service } = setUp(() => Promise.reject(new Error('connection refused')));
    watch.list([available('gemma3:270m')]);
    await expect(service.catalog([])).resolves.toEqual({ defaultModel: 'gemma3:270m', models: [{ name: 'gemma3:270m' }] });
    await service.catalog([]);
    expect(ollama.listModels).toHaveBeenCalledTimes(1);
  });

  it('resolves a model with its keep-alive, and hides one the caller may not use', async () => {
    const { watch, ollama, service } = setUp();
    watch.list([available('gemma3:270m', { keepAlive: '1h' }), available('secret:7b', { roles: ['admin'] })]);
    await expect(service.resolve(undefined, [])).resolves.toEqual({ name: 'gemma3:270m', keepAlive: '1h' });
    await expect(service.resolve('secret:7b', ['admin'])).resolves.toEqual({ name: 'secret:7b' });
    await expect(service.resolve('secret:7b', ['user'])).rejects.toMatchObject({
      code: ErrorCode.ModelNotFound,
      message: "Model 'secret:7b' is not available. Available: gemma3:270m.",
    });
    expect(ollama.listModels).not.toHaveBeenCalled();
  });

  it('waits for the first list rather than answering ModelNotFound', async () => {
    const { watch, service } = setUp();
    const resolving = service.resolve('gemma3:270m', []);
    setTimeout(() => watch.list([available('gemma3:270m')]), 10);
    await expect(resolving).resolves.toEqual({ name: 'gemma3:270m' });
  });

  it('answers a retriable error when the first list does not come in time', async () => {
    const { service } = setUp();
    const error = (await service.resolve('gemma3:270m', []).catch((e: unknown) => e)) as DomainException;
    expect(error).toBeInstanceOf(DomainException);
    expect(error.code).toBe(ErrorCode.UpstreamUnavailable);
    expect(isRetriable(error.code)).toBe(true);
  });

  it('is ready once the models have been listed, and stays so', async () => {
    const { watch, service } = setUp();
    await expect(service.check()).rejects.toThrow(/not been listed/);
    watch.list([]);
    await expect(service.check()).resolves.toBeUndefined();
  });
});
