import { ModelCondition, type OllamaModel, type ReplicaStatus } from '@shoshizan/shared-interfaces';
import {
  backoffMs,
  localNameOf,
  namesToRemove,
  parseReference,
  podGates,
  replicaAction,
  replicasFromSlices,
  sameModelName,
  statusChanged,
  summarize,
} from './decisions';

const model = (over: Partial<OllamaModel['spec']> = {}, meta: Partial<OllamaModel['metadata']> = {}, status?: OllamaModel['status']): OllamaModel => ({
  apiVersion: 'models.shoshizan.io/v1alpha1',
  kind: 'OllamaModel',
  metadata: { name: 'gemma', uid: 'u1', generation: 1, ...meta },
  spec: { name: 'gemma3:270m', source: { registry: { reference: 'library/gemma3:270m' } }, ...over },
  ...(status ? { status } : {}),
});
const at = new Date('2026-12-01T00:00:00Z');
const later = new Date('2026-12-01T00:01:00Z');
const replica = (pod: string, phase: ReplicaStatus['phase'], extra: Partial<ReplicaStatus> = {}): ReplicaStatus => ({ pod, phase, ...extra });
const condition = (status: ReturnType<typeof summarize>, type: string) => status.conditions?.find((c) => c.type === type);

describe('replicasFromSlices', () => {
  it('lists every endpoint that is not terminating, at the named port, with its pod', () => {
    const replicas = replicasFromSlices(
      [
        {
          addressType: 'IPv4',
          ports: [{ name: 'metrics', port: 9 }, { name: 'http', port: 11434 }],
          endpoints: [
            { addresses: ['10.0.0.2'], targetRef: { kind: 'Pod', name: 'ollama-1' } },
            { addresses: ['10.0.0.1'], targetRef: { kind: 'Pod', name: 'ollama-0' }, conditions: { terminating: false } },
            { addresses: ['10.0.0.3'], targetRef: { kind: 'Pod', name: 'ollama-2' }, conditions: { terminating: true } },
          ],
        },
        { addressType: 'IPv6', ports: [{ port: 11434 }], endpoints: [{ addresses: ['fd00::5'] }] },
      ],
      'http',
    );
    expect(replicas).toEqual([
      { id: 'fd00::5:11434', address: 'fd00::5:11434', url: 'http://[fd00::5]:11434' },
      { id: 'ollama-0', pod: 'ollama-0', address: '10.0.0.1:11434', url: 'http://10.0.0.1:11434' },
      { id: 'ollama-1', pod: 'ollama-1', address: '10.0.0.2:11434', url: 'http://10.0.0.2:11434' },
    ]);
  });

  it('skips a slice with no port of that name among several', () => {
    expect(replicasFromSlices([{ ports: [{ name: 'a', port: 1 }, { name: 'b', port: 2 }], endpoints: [{ addresses: ['10.0.0.1'] }] }], 'http')).toEqual([]);
  });
});

describe('registry references', () => {
  it('takes a reference apart, with Ollama\'s registry when none is named', () => {
    expect(parseReference('library/llama3.2:1b')).toEqual({ host: 'registry.ollama.ai', namespace: 'library', repository: 'llama3.2', tag: '1b', explicitHost: false });
    expect(parseReference('10.244.0.1:5000/team/m:v2')).toEqual({ host: '10.244.0.1:5000', namespace: 'team', repository: 'm', tag: 'v2', explicitHost: true });
    expect(parseReference('team/m').tag).toBe('latest');
  });

  it('names a pulled reference as Ollama lists it', () => {
    expect(localNameOf('library/llama3.2:1b')).toBe('llama3.2:1b');
    expect(localNameOf('team/m:v2')).toBe('team/m:v2');
    expect(localNameOf('127.0.0.1:5000/library/gemma3:270m')).toBe('127.0.0.1:5000/library/gemma3:270m');
  });

  it('treats a name without a tag as :latest', () => {
    expect(sameModelName('m', 'm:latest')).toBe(true);
    expect(sameModelName('m:1', 'm:latest')).toBe(false);
  });
});

describe('namesToRemove', () => {
  it('removes the model\'s name and the pulled reference when no other model needs it', () => {
    const m = model({ name: 'chat:small', source: { registry: { reference: 'r:5000/library/gemma3:270m' } } });
    expect(namesToRemove(m, [m])).toEqual(['chat:small', 'r:5000/library/gemma3:270m']);
  });

  it('keeps the pulled reference another live model pulls too', () => {
    const m = model({ name: 'chat:small', source: { registry: { reference: 'r:5000/library/gemma3:270m' } } });
    const other = model({ name: 'chat:precise', source: { registry: { reference: 'r:5000/library/gemma3:270m' } } }, { uid: 'u2', name: 'other' });
    expect(namesToRemove(m, [m, other])).toEqual(['chat:small']);
    expect(namesToRemove(m, [m, { ...other, metadata: { ...other.metadata, deletionTimestamp: 'x' } }])).toEqual(['chat:small', 'r:5000/library/gemma3:270m']);
  });

  it('removes one name when the model is named as it is pulled', () => {
    expect(namesToRemove(model(), [])).toEqual(['gemma3:270m']);
  });
});

describe('replicaAction', () => {
  const installed = [{ name: 'gemma3:270m', digest: 'abc' }];
  it('is ready when the name is there with the expected digest (with or without its prefix)', () => {
    expect(replicaAction('gemma3:270m', installed, 'sha256:abc', false)).toEqual({ kind: 'ready', digest: 'abc' });
  });
  it('installs what is missing, or stale against the registry', () => {
    expect(replicaAction('other:1', installed, undefined, false)).toEqual({ kind: 'install', reason: 'missing' });
    expect(replicaAction('gemma3:270m', installed, 'sha256:def', false)).toEqual({ kind: 'install', reason: 'stale' });
  });
  it('takes any copy when the digest is not known, and waits for an install under way', () => {
    expect(replicaAction('gemma3:270m', installed, undefined, false).kind).toBe('ready');
    expect(replicaAction('other:1', installed, undefined, true)).toEqual({ kind: 'wait' });
  });
});

describe('summarize', () => {
  it('is Ready and Available once every replica holds the expected digest', () => {
    const status = summarize(model(), [replica('a', 'Ready', { digest: 'abc' }), replica('b', 'Ready', { digest: 'abc' })], 'sha256:abc', at);
    expect(status).toMatchObject({ observedGeneration: 1, digest: 'sha256:abc', readyReplicas: 2, replicaCount: 2, replicas: '2/2' });
    expect(condition(status, ModelCondition.Ready)).toMatchObject({ status: 'True', reason: 'AllReplicasReady', observedGeneration: 1 });
    expect(condition(status, ModelCondition.Available)?.status).toBe('True');
    expect(condition(status, ModelCondition.Progressing)?.status).toBe('False');
    expect(condition(status, ModelCondition.Degraded)?.status).toBe('False');
  });

  it('is Progressing with the bytes while a replica pulls, and not Available before it was ever Ready', () => {
    const status = summarize(
      model(),
      [replica('a', 'Ready', { digest: 'abc' }), replica('b', 'Pulling', { completedBytes: 120_000_000, totalBytes: 253_000_000 })],
      'sha256:abc',
      at,
    );
    expect(condition(status, ModelCondition.Ready)).toMatchObject({ status: 'False', reason: 'ReplicasNotReady', message: '1/2 replicas hold gemma3:270m' });
    expect(condition(status, ModelCondition.Progressing)).toMatchObject({ status: 'True', message: 'b: 120 MB of 253 MB' });
    expect(condition(status, ModelCondition.Available)?.status).toBe('False');
  });

  it('stays Available through a scale-up once it has been Ready', () => {
    const ready = summarize(model(), [replica('a', 'Ready', { digest: 'abc' })], 'sha256:abc', at);
    const scaled = summarize(model({}, {}, ready), [replica('a', 'Ready', { digest: 'abc' }), replica('b', 'Pending')], 'sha256:abc', later);
    expect(condition(scaled, ModelCondition.Ready)?.status).toBe('False');
    expect(condition(scaled, ModelCondition.Available)).toMatchObject({ status: 'True', reason: 'SomeReplicasReady', lastTransitionTime: at.toISOString() });
    expect(condition(scaled, ModelCondition.Ready)?.lastTransitionTime).toBe(later.toISOString());
  });

  it('is Degraded with each failed replica\'s reason', () => {
    const status = summarize(model(), [replica('a', 'Failed', { lastError: 'connection refused' })], 'sha256:abc', at);
    expect(condition(status, ModelCondition.Degraded)).toMatchObject({ status: 'True', reason: 'PullFailed', message: 'a: connection refused' });
  });

  it('says when there are no replicas; with no expected digest, names one only when the replicas agree', () => {
    expect(condition(summarize(model(), [], undefined, at), ModelCondition.Ready)?.reason).toBe('NoReplicas');
    const split = summarize(model(), [replica('a', 'Ready', { digest: 'x' }), replica('b', 'Ready', { digest: 'y' })], undefined, at);
    expect(condition(split, ModelCondition.Ready)?.status).toBe('True');
    expect(split.digest).toBeUndefined();
    const agreed = summarize(model(), [replica('a', 'Ready', { digest: 'x' }), replica('b', 'Ready', { digest: 'x' })], undefined, at);
    expect(agreed.digest).toBe('sha256:x');
  });

  it('is neither Ready nor Available while being deleted', () => {
    const status = summarize(model({}, { deletionTimestamp: 'now' }), [replica('a', 'Ready', { digest: 'abc' })], 'sha256:abc', at);
    expect(condition(status, ModelCondition.Ready)?.reason).toBe('Deleting');
    expect(condition(status, ModelCondition.Available)?.status).toBe('False');
  });
});

describe('statusChanged', () => {
  it('ignores a replica\'s updatedAt alone', () => {
    const a = summarize(model(), [replica('a', 'Ready', { digest: 'x', updatedAt: '1' })], undefined, at);
    const b = summarize(model({}, {}, a), [replica('a', 'Ready', { digest: 'x', updatedAt: '2' })], undefined, later);
    expect(statusChanged(a, b)).toBe(false);
    const c = summarize(model({}, {}, a), [replica('a', 'Pulling', { updatedAt: '2' })], undefined, later);
    expect(statusChanged(a, c)).toBe(true);
  });
});

describe('podGates', () => {
  const replicas = [
    { id: 'ollama-0', pod: 'ollama-0', address: 'a', url: 'u' },
    { id: 'ollama-1', pod: 'ollama-1', address: 'b', url: 'u' },
    { id: '10.0.0.9:1', address: '10.0.0.9:1', url: 'u' },
  ];
  const available = (replicaStatuses: ReplicaStatus[], name = 'm') =>
    model({}, { name }, { replicaStatuses, conditions: [{ type: 'Available', status: 'True', reason: 'r', message: '', lastTransitionTime: 't' }] });

  it('keeps an open pod open while it holds every Available model, and closes it when it lost one', () => {
    const open = new Set(['ollama-0', 'ollama-1']);
    const gates = podGates([available([replica('ollama-0', 'Ready'), replica('ollama-1', 'Pulling')])], replicas, open);
    expect([...gates]).toEqual([
      ['ollama-0', true],
      ['ollama-1', false],
    ]);
  });

  it('does not close open pods for a model never Available, nor for one being deleted', () => {
    const fresh = model({}, { name: 'new' }, { replicaStatuses: [replica('ollama-0', 'Pulling')] });
    const going = { ...available([]), metadata: { ...available([]).metadata, deletionTimestamp: 'x' } };
    expect([...podGates([fresh, going], replicas, new Set(['ollama-0', 'ollama-1'])).values()]).toEqual([true, true]);
  });

  it('opens a pod not open yet only once it holds every model, Available or not', () => {
    const fresh = model({}, { name: 'new' }, { replicaStatuses: [replica('ollama-0', 'Ready'), replica('ollama-1', 'Pulling')] });
    expect([...podGates([fresh], replicas, new Set())]).toEqual([
      ['ollama-0', true],
      ['ollama-1', false],
    ]);
    expect(podGates([], replicas, new Set()).get('ollama-1')).toBe(true);
  });
});

describe('backoffMs', () => {
  it('doubles from 2 s up to the cap', () => {
    expect([0, 1, 2, 3].map((n) => backoffMs(n))).toEqual([2000, 4000, 8000, 16000]);
    expect(backoffMs(50)).toBe(120_000);
  });
});
