import { Logger } from '@nestjs/common';
import type { KubeConfig } from '@kubernetes/client-node';
import type { OllamaModel } from '@shoshizan/shared-interfaces';
import { OllamaModelWatch } from './ollama-model-watch';

/**
 * The informer is faked (a real one runs against a kube-apiserver in the end-to-end tests):
 * `start()` lists through the function the watch gives it, as the real one does first.
 */
class MockInformer {
  readonly callbacks = new Map<string, ((arg: unknown) => void)[]>();
  starts = 0;
  stopped = false;
  constructor(readonly path: string, private readonly list: () => Promise<unknown>) {}
  on(verb: string, cb: (arg: unknown) => void): void {
    this.callbacks.set(verb, [...(this.callbacks.get(verb) ?? []), cb]);
  }
  emit(verb: string, arg: unknown): void {
    for (const cb of this.callbacks.get(verb) ?? []) cb(arg);
  }
  async start(): Promise<void> {
    this.starts++;
    try {
      await this.list();
    } catch (error) {
      this.emit('error', error); // as the real one: reports the error and stops
    }
  }
  async stop(): Promise<void> {
    this.stopped = true;
    this.emit('error', new Error('aborted')); // the aborted watch reports an error too
  }
}

const mockInformers: MockInformer[] = [];
jest.mock('@kubernetes/client-node', () => ({
  ADD: 'add',
  UPDATE: 'update',
  DELETE: 'delete',
  ERROR: 'error',
  CustomObjectsApi: class {},
  makeInformer: (_config: unknown, path: string, list: () => Promise<unknown>) => {
    const informer = new MockInformer(path, list);
    mockInformers.push(informer);
    return informer;
  },
}));

const model = (name: string): OllamaModel =>
  ({ metadata: { name }, spec: { name: `${name}:1b`, source: { registry: { reference: `library/${name}:1b` } } } }) as OllamaModel;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await sleep(5);
  expect(condition()).toBe(true);
}

function setUp(answers: (() => Promise<unknown>)[]) {
  let calls = 0;
  const listNamespacedCustomObject = jest.fn((_request: unknown) => answers[Math.min(calls++, answers.length - 1)]!());
  const kubeConfig = { makeApiClient: () => ({ listNamespacedCustomObject }) } as unknown as KubeConfig;
  const watch = new OllamaModelWatch(kubeConfig, 'team-a', { restartDelayMs: 20 });
  return { watch, listNamespacedCustomObject };
}

const listOf = (...items: OllamaModel[]) => async () => ({ metadata: { resourceVersion: '7' }, items });
const failing = () => Promise.reject(new Error('connection refused'));

describe('OllamaModelWatch', () => {
  beforeAll(() => Logger.overrideLogger(false));
  let watch: OllamaModelWatch | undefined;
  beforeEach(() => {
    mockInformers.length = 0;
  });
  afterEach(async () => {
    await watch?.stop();
  });

  it('lists and watches the OllamaModels of its namespace', async () => {
    const set = setUp([listOf(model('a'), model('b'))]);
    watch = set.watch;
    expect(watch.hasSynced).toBe(false);
    await watch.start();
    await expect(watch.whenSynced(1000)).resolves.toBe(true);
    expect(set.listNamespacedCustomObject).toHaveBeenCalledWith({
      group: 'models.shoshizan.io',
      version: 'v1alpha1',
      namespace: 'team-a',
      plural: 'ollamamodels',
    });
    expect(mockInformers[0]!.path).toBe('/apis/models.shoshizan.io/v1alpha1/namespaces/team-a/ollamamodels');
    expect(watch.models().map((m) => m.metadata.name)).toEqual(['a', 'b']);
  });

  it('follows what the watch reports', async () => {
    watch = setUp([listOf(model('a'))]).watch;
    await watch.start();
    await watch.whenSynced(1000);
    const informer = mockInformers[0]!;
    informer.emit('add', model('b'));
    informer.emit('update', { ...model('a'), spec: { ...model('a').spec, keepAlive: '1h' } });
    informer.emit('delete', model('b'));
    expect(watch.models()).toEqual([{ ...model('a'), spec: { ...model('a').spec, keepAlive: '1h' } }]);
  });

  it('starts again after an error, and keeps the last list meanwhile', async () => {
    const set = setUp([failing, listOf(model('a')), failing, listOf(model('b'))]);
    watch = set.watch;
    await watch.start();
    await expect(watch.whenSynced(5)).resolves.toBe(false);
    await expect(watch.whenSynced(1000)).resolves.toBe(true);
    expect(watch.models().map((m) => m.metadata.name)).toEqual(['a']);
    const informer = mockInformers[0]!;
    informer.emit('error', new Error('watch closed')); // a watch error: the informer has stopped
    await waitFor(() => set.listNamespacedCustomObject.mock.calls.length === 3); // which fails
    expect(watch.models().map((m) => m.metadata.name)).toEqual(['a']);
    await waitFor(() => watch!.models()[0]?.metadata.name === 'b');
    expect(informer.starts).toBe(4);
    expect(mockInformers).toHaveLength(1);
  });

  it('does not start again once stopped', async () => {
    watch = setUp([failing]).watch;
    await watch.start();
    await watch.stop();
    await sleep(50);
    expect(mockInformers[0]!.starts).toBe(1);
    expect(mockInformers[0]!.stopped).toBe(true);
  });
});
