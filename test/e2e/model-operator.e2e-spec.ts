import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  MODELS_READY_CONDITION,
  OLLAMA_MODEL,
  OLLAMA_MODEL_API_VERSION,
  ollamaModelCrd,
  responseEventSchema,
  type OllamaModel,
  type ResponseEvent,
} from '@shoshizan/shared-interfaces';
import { dashboardPanels } from '../../cdk8s/src/dashboards';
import { TestApiServer } from '../../cdk8s/test/support/apiserver';
import { LOCAL_NAMESPACE } from '../../scripts/infra/prometheus/config';
import { readsModelOperatorMetrics } from './support/grafana-queries';
import { ollamaTags, pushModel, startRegistry, startReplicas, type LabRegistry, type Replica, type ReplicaLab } from './support/model-lab';
import { OwnPrometheus, stackTargets } from './support/prometheus';
import { readSse } from './support/sse';
import { Stack } from './support/stack';
import { ARTIFACTS, ROOT, freePort } from './support/system';

/**
 * The model operator against real parts: a kube-apiserver with etcd (no kubelet: the
 * "pods" are objects whose status the operator patches, the replicas real Ollama processes
 * on addresses of the test's own interface, named by EndpointSlices), a real OCI registry
 * holding the model (pushed there from the local Ollama with `ollama push --insecure`), two
 * operator processes electing a leader, and the whole Shoshizan stack with gpt-api's catalog
 * following the OllamaModels. The specs run in order: each starts where the last ended.
 */
const NAMESPACE = 'models';
const SERVICE = 'ollama-headless';
const MODEL = 'lab-gemma';
const MODEL_NAME = 'gemma3-lab:270m';
/** Blob downloads at 25 MB/s: a pull of the 253 MB model takes ~10 s, long enough to watch. */
const PULL_RATE = 25e6;
const { group, version, plural } = OLLAMA_MODEL;
const MODELS_PATH = `/apis/${group}/${version}/namespaces/${NAMESPACE}/${plural}`;

let api: TestApiServer;
let registry: LabRegistry;
let lab: ReplicaLab;
let reference: string;
let digest: string;
const operators = new Map<string, ChildProcess>();
const metricsPorts = new Map<string, number>();
const stack = new Stack();
/** Scrapes both operators and the services, for the dashboard panels of the operator's metrics. */
let prometheus: OwnPrometheus | undefined;
let prometheusStartedAt = 0;

async function kube(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await api.request(method, path, body === undefined ? undefined : JSON.stringify(body), contentType);
  return { status: res.status, json: res.text ? (JSON.parse(res.text) as Record<string, unknown>) : {} };
}

async function create(path: string, body: unknown): Promise<void> {
  const res = await kube('POST', path, body);
  if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.json)}`);
}

async function getModel(name = MODEL): Promise<OllamaModel | undefined> {
  const res = await kube('GET', `${MODELS_PATH}/${name}`);
  return res.status === 404 ? undefined : (res.json as unknown as OllamaModel);
}

const conditionOf = (model: OllamaModel | undefined, type: string) => model?.status?.conditions?.find((c) => c.type === type);

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 120_000, everyMs = 300): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  const model = await getModel().catch(() => undefined);
  throw new Error(`timed out waiting for ${what}; last error: ${String(last)}; model status: ${JSON.stringify(model?.status)}`);
}

/** A replica as the cluster would show it: a Pod with the models-ready readiness gate, and an EndpointSlice naming it. */
async function register(replica: Replica): Promise<string> {
  const pod = `ollama-${replica.index}`;
  await create(`/api/v1/namespaces/${NAMESPACE}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod, labels: { app: 'ollama' } },
    spec: { readinessGates: [{ conditionType: MODELS_READY_CONDITION }], containers: [{ name: 'ollama', image: 'ollama' }] },
  });
  await create(`/apis/discovery.k8s.io/v1/namespaces/${NAMESPACE}/endpointslices`, {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: pod, labels: { 'kubernetes.io/service-name': SERVICE } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: replica.port, protocol: 'TCP' }],
    endpoints: [{ addresses: [replica.address], conditions: { ready: true }, targetRef: { kind: 'Pod', name: pod, namespace: NAMESPACE } }],
  });
  return pod;
}

async function podGate(pod: string): Promise<string | undefined> {
  const res = await kube('GET', `/api/v1/namespaces/${NAMESPACE}/pods/${pod}`);
  const conditions = (res.json.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions;
  return conditions?.find((c) => c.type === MODELS_READY_CONDITION)?.status;
}

async function startOperator(name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const log = createWriteStream(join(ARTIFACTS, `model-operator-${name}.log`));
  const child = spawn(process.execPath, [join(ROOT, 'services/model-operator/dist/main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      KUBECONFIG: api.kubeconfig,
      WATCH_NAMESPACE: NAMESPACE,
      OLLAMA_SERVICE: SERVICE,
      POD_NAME: name,
      METRICS_PORT: String(metricsPorts.set(name, await freePort()).get(name)),
      LEASE_DURATION_SECONDS: '6',
      LEASE_RENEW_SECONDS: '2',
      RESYNC_SECONDS: '5',
      STATUS_INTERVAL_MS: '500',
      PULL_STALL_SECONDS: '8',
      LOG_LEVEL: 'debug',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  operators.set(name, child);
}

async function leaseHolder(): Promise<string | undefined> {
  const res = await kube('GET', `/apis/coordination.k8s.io/v1/namespaces/${NAMESPACE}/leases/shoshizan-model-operator`);
  return (res.json.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
}

/** One sample of the operator's metrics (labels as written, e.g. `{result="success"}`), 0 when absent. */
async function operatorMetric(operator: string, sample: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPorts.get(operator)}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

async function catalog(roles: string[] = ['user']): Promise<string[]> {
  const res = await fetch(`${stack.gateway}/v1/models`, { headers: { authorization: `Bearer ${stack.token({ roles })}` } });
  if (!res.ok) throw new Error(`GET /v1/models: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { data: Array<{ id: string }> };
  return body.data.map((m) => m.id);
}

const readyOnAll = async (replicas: readonly Replica[], name: string) => {
  for (const replica of replicas) {
    const tags = await ollamaTags(replica.url);
    if (!tags.some((t) => t.name === name && `sha256:${t.digest}` === digest)) return false;
  }
  return true;
};

beforeAll(async () => {
  api = TestApiServer.start();
  await create('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', ollamaModelCrd());
  await waitFor('the OllamaModel CRD to be served', async () => (await kube('GET', MODELS_PATH.replace(`/namespaces/${NAMESPACE}`, ''))).status === 200);
  await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });

  registry = await startRegistry({ blobBytesPerSecond: PULL_RATE });
  const pushed = await pushModel({ model: 'gemma3:270m', registry: registry.address, name: 'gemma3:270m' });
  reference = pushed.reference;
  digest = pushed.digest;

  lab = await startReplicas(2);
  for (const replica of lab.replicas) await register(replica);
  await startOperator('operator-a');
  await startOperator('operator-b');

  // gpt-api's catalog follows the OllamaModels of the namespace; it calls the first replica.
  stack.setEnv('gpt-api', {
    MODEL_CATALOG: 'kubernetes',
    MODEL_NAMESPACE: NAMESPACE,
    KUBECONFIG: api.kubeconfig,
    OLLAMA_HOST: lab.replicas[0]!.url,
  });
  await stack.start();
  const operatorTargets = [...metricsPorts].map(([name, port]) => ({ component: 'model-operator', address: `127.0.0.1:${port}`, pod: name }));
  prometheus = new OwnPrometheus([...stackTargets(stack), ...operatorTargets], { scrapeInterval: '1s' });
  await prometheus.start('model-operator-prometheus');
  await prometheus.waitForTargets();
  prometheusStartedAt = Date.now();
}, 600_000);

afterAll(async () => {
  await prometheus?.stop();
  for (const child of operators.values()) child.kill('SIGKILL');
  await stack.stop().catch(() => undefined);
  await lab?.removeAll();
  await registry?.destroy();
  api?.stop();
}, 120_000);

describe('the model operator, with a real API server, registry and Ollama replicas', () => {
  it('refuses a bad spec at the API server with the schema\'s message', async () => {
    const bad = (spec: unknown) => kube('POST', MODELS_PATH, { apiVersion: OLLAMA_MODEL_API_VERSION, kind: 'OllamaModel', metadata: { name: 'bad' }, spec });
    const twoSources = await bad({ name: 'x:1', source: { registry: { reference }, gguf: { url: 'http://h/f.gguf', sha256: 'a'.repeat(64) } } });
    expect(twoSources.status).toBe(422);
    expect(JSON.stringify(twoSources.json)).toContain('exactly one of source.registry or source.gguf must be set');
    const badReference = await bad({ name: 'x:1', source: { registry: { reference: 'no tag here' } } });
    expect(badReference.status).toBe(422);
    expect(JSON.stringify(badReference.json)).toContain('spec.source.registry.reference');
    const badDigest = await bad({ name: 'x:1', source: { gguf: { url: 'http://h/f.gguf', sha256: 'XYZ' } } });
    expect(badDigest.status).toBe(422);
    expect(JSON.stringify(badDigest.json)).toContain('spec.source.gguf.sha256');
  }, 30_000);

  it('pulls a new model into both replicas: Progressing with growing bytes, then Ready with the digest; gpt-api lists it only then and a chat streams', async () => {
    expect(await catalog()).not.toContain(MODEL_NAME);
    await create(MODELS_PATH, {
      apiVersion: OLLAMA_MODEL_API_VERSION,
      kind: 'OllamaModel',
      metadata: { name: MODEL },
      spec: { name: MODEL_NAME, source: { registry: { reference, insecure: true } }, default: true },
    });
    const seenBytes = new Map<string, number[]>();
    let listedBeforeReady = false;
    const ready = await waitFor('Ready', async () => {
      const model = await getModel();
      if (conditionOf(model, 'Progressing')?.status === 'True') {
        for (const r of model?.status?.replicaStatuses ?? []) {
          if (r.phase === 'Pulling' && r.completedBytes) seenBytes.set(r.pod, [...(seenBytes.get(r.pod) ?? []), r.completedBytes]);
        }
      }
      const isReady = conditionOf(model, 'Ready')?.status === 'True';
      if (!isReady && (await catalog()).includes(MODEL_NAME)) listedBeforeReady = true;
      return isReady ? model : undefined;
    });
    // Each replica's bytes grew while it pulled (the status is written as it goes, not only at the end).
    expect([...seenBytes.keys()].sort()).toEqual(['ollama-0', 'ollama-1']);
    for (const bytes of seenBytes.values()) {
      expect(new Set(bytes).size).toBeGreaterThanOrEqual(2);
      expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
    }
    expect(listedBeforeReady).toBe(false);

    expect(ready.status).toMatchObject({ digest, readyReplicas: 2, replicaCount: 2, replicas: '2/2', observedGeneration: 1 });
    expect(ready.status?.replicaStatuses?.map((r) => [r.pod, r.phase, `sha256:${r.digest?.replace(/^sha256:/, '')}`])).toEqual([
      ['ollama-0', 'Ready', digest],
      ['ollama-1', 'Ready', digest],
    ]);
    expect(await readyOnAll(lab.replicas, MODEL_NAME)).toBe(true);
    expect(ready.metadata.finalizers).toContain('models.shoshizan.io/remove-from-replicas');
    await waitFor('both pods\' gates open', async () => (await podGate('ollama-0')) === 'True' && (await podGate('ollama-1')) === 'True');

    // gpt-api lists it (as the default) once it is Ready, and a chat with it streams an answer.
    await waitFor('gpt-api to list the model', async () => (await catalog()).includes(MODEL_NAME), 30_000);
    const response = await stack.chat({ messages: [{ role: 'user', content: 'Say hello.' }], options: { maxTokens: 16, temperature: 0 } });
    expect(response.status).toBe(200);
    const events: ResponseEvent[] = [];
    for await (const sse of readSse(response.body!)) {
      const event = responseEventSchema.parse(JSON.parse(sse.data));
      events.push(event);
      if (event.type === 'done' || event.type === 'error' || event.type === 'cancelled') break;
    }
    const done = events.at(-1);
    expect(done?.type).toBe('done');
    if (done?.type === 'done') expect(done.model).toBe(MODEL_NAME);
    expect(events.filter((e) => e.type === 'token').length).toBeGreaterThan(0);
  }, 300_000);

  it('pulls the model into a third replica that appears; Ready waits for it while the model stays Available', async () => {
    const third = await lab.addReplica();
    const pod = await register(third);
    const notReady = await waitFor('Ready to wait for the new replica', async () => {
      const model = await getModel();
      return model?.status?.replicaCount === 3 && conditionOf(model, 'Ready')?.status === 'False' ? model : undefined;
    }, 30_000, 100);
    expect(conditionOf(notReady, 'Available')?.status).toBe('True');
    expect(await podGate(pod)).not.toBe('True');
    expect(await catalog()).toContain(MODEL_NAME);
    const ready = await waitFor('Ready on 3/3', async () => {
      const model = await getModel();
      return conditionOf(model, 'Ready')?.status === 'True' && model?.status?.replicas === '3/3' ? model : undefined;
    });
    expect(ready.status?.replicaStatuses?.find((r) => r.pod === pod)?.phase).toBe('Ready');
    expect(await readyOnAll(lab.replicas, MODEL_NAME)).toBe(true);
    await waitFor('the new pod\'s gate to open', async () => (await podGate(pod)) === 'True', 30_000);
  }, 300_000);

  it('says Degraded, with the reason, when the registry goes away mid-pull, and Ready once it is back', async () => {
    const fourth = await lab.addReplica();
    const pod = await register(fourth);
    await waitFor('a pull into the fourth replica under way', async () => {
      const model = await getModel();
      const entry = model?.status?.replicaStatuses?.find((r) => r.pod === pod);
      return entry?.phase === 'Pulling' && (entry.completedBytes ?? 0) > 0;
    }, 60_000, 100);
    await registry.stop({ kill: true });
    const degraded = await waitFor('Degraded', async () => {
      const model = await getModel();
      return conditionOf(model, 'Degraded')?.status === 'True' ? model : undefined;
    }, 60_000);
    expect(conditionOf(degraded, 'Degraded')).toMatchObject({ reason: 'PullFailed' });
    expect(conditionOf(degraded, 'Degraded')?.message).toContain(pod);
    expect(degraded.status?.replicaStatuses?.find((r) => r.pod === pod)).toMatchObject({ phase: 'Failed' });
    expect(conditionOf(degraded, 'Ready')?.status).toBe('False');
    expect(conditionOf(degraded, 'Available')?.status).toBe('True');

    await registry.start();
    const ready = await waitFor('Ready on 4/4 after the registry came back', async () => {
      const model = await getModel();
      return conditionOf(model, 'Ready')?.status === 'True' && model?.status?.replicas === '4/4' ? model : undefined;
    }, 180_000);
    expect(conditionOf(ready, 'Degraded')?.status).toBe('False');
    expect(await readyOnAll(lab.replicas, MODEL_NAME)).toBe(true);
    // What `kubectl describe` shows: the failure, the pulls, and the model Ready.
    const events = await kube('GET', `/api/v1/namespaces/${NAMESPACE}/events?fieldSelector=involvedObject.name%3D${MODEL}`);
    const reasons = new Set((events.json.items as Array<{ reason: string; message: string }>).map((e) => e.reason));
    expect([...reasons]).toEqual(expect.arrayContaining(['PullFailed', 'Pulled', 'Ready']));
  }, 300_000);

  it('finishes a pull on the other operator replica when the leader is killed mid-pull', async () => {
    // A replica that lost the model (its volume replaced): the resync finds it missing.
    const victim = lab.replicas[0]!;
    const res = await fetch(`${victim.url}/api/delete`, { method: 'DELETE', body: JSON.stringify({ model: MODEL_NAME }) });
    expect(res.ok).toBe(true);
    await fetch(`${victim.url}/api/delete`, { method: 'DELETE', body: JSON.stringify({ model: reference }) });
    expect((await ollamaTags(victim.url)).map((t) => t.name)).not.toContain(MODEL_NAME);

    const leader = await leaseHolder();
    expect(leader).toBeDefined();
    await waitFor('the lost model being pulled again', async () => {
      const model = await getModel();
      const entry = model?.status?.replicaStatuses?.find((r) => r.pod === 'ollama-0');
      return entry?.phase === 'Pulling' && (entry.completedBytes ?? 0) > 0;
    }, 60_000, 100);
    operators.get(leader!)!.kill('SIGKILL');
    const next = await waitFor('the other operator to take the Lease', async () => {
      const holder = await leaseHolder();
      return holder && holder !== leader ? holder : undefined;
    }, 60_000, 500);
    expect([...operators.keys()]).toContain(next);
    await waitFor('Ready on 4/4 again', async () => {
      const model = await getModel();
      return conditionOf(model, 'Ready')?.status === 'True' && model?.status?.replicas === '4/4' && (await readyOnAll(lab.replicas, MODEL_NAME));
    }, 180_000);
    // The new leader's metrics say what it did: it leads, pulled, and counted the bytes.
    expect(await operatorMetric(next, 'model_operator_leader')).toBe(1);
    expect(await operatorMetric(next, 'model_operator_pulls_total{result="success"}')).toBeGreaterThanOrEqual(1);
    expect(await operatorMetric(next, 'model_operator_pull_bytes_total')).toBeGreaterThan(0);
    expect(await operatorMetric(next, 'model_operator_models{condition="Ready"}')).toBe(1);
    expect(await operatorMetric(next, 'model_operator_ollama_replicas')).toBe(4);
  }, 300_000);

  it('offers a model limited to roles only to callers holding one of them', async () => {
    registry.setBlobRate(Infinity);
    const name = 'gemma3-admin:270m';
    await create(MODELS_PATH, {
      apiVersion: OLLAMA_MODEL_API_VERSION,
      kind: 'OllamaModel',
      metadata: { name: 'lab-admin' },
      spec: { name, source: { registry: { reference, insecure: true } }, roles: ['admin'] },
    });
    await waitFor('the admin model Ready', async () => conditionOf(await getModel('lab-admin'), 'Ready')?.status === 'True', 120_000, 500);
    await waitFor('gpt-api to list it for an admin', async () => (await catalog(['user', 'admin'])).includes(name), 30_000);
    expect(await catalog(['user'])).not.toContain(name);
    expect(await catalog(['user'])).toContain(MODEL_NAME);
    // A user naming it is told it does not exist, as for any unknown model.
    const refused = await fetch(`${stack.gateway}/v1/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.token({ roles: ['user'] })}` },
      body: JSON.stringify({ model: name, messages: [{ role: 'user', content: 'Hi.' }] }),
    });
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { code: string }).code).toBe('model_not_found');
    expect((await kube('DELETE', `${MODELS_PATH}/lab-admin`)).status).toBeLessThan(300);
    await waitFor('the admin model to be gone', async () => (await getModel('lab-admin')) === undefined, 60_000);
    for (const replica of lab.replicas) {
      const names = (await ollamaTags(replica.url)).map((t) => t.name);
      expect(names).not.toContain(name);
      // The other model pulled the same reference: it stays.
      expect(names).toContain(MODEL_NAME);
    }
  }, 180_000);

  // The model operator runs here only, so the dashboard panels of its metrics are proven here
  // (dashboards.e2e-spec.ts proves the others): after pulls, a failure and a new leader, with
  // a model Ready, each panel's queries return series with values and their legends' labels.
  it("shows data on every dashboard panel of the operator's metrics", async () => {
    const panels = dashboardPanels().filter((p) => p.source === 'services' && readsModelOperatorMetrics(p));
    expect(panels.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 2_500)); // two scrapes since the last change
    const context = { variables: { namespace: LOCAL_NAMESPACE }, rangeSeconds: (Date.now() - prometheusStartedAt) / 1000 };
    const problems = await Promise.all(panels.map(async (p) => [`${p.dashboard} / ${p.title}`, await prometheus!.panelProblems(p, context)] as const));
    expect(Object.fromEntries(problems)).toEqual(Object.fromEntries(panels.map((p) => [`${p.dashboard} / ${p.title}`, []])));
  });

  it('removes a deleted model from every replica, then releases the finalizer; gpt-api stops listing it', async () => {
    const res = await kube('DELETE', `${MODELS_PATH}/${MODEL}`);
    expect(res.status).toBeLessThan(300);
    await waitFor('the OllamaModel to be gone', async () => (await getModel()) === undefined, 60_000);
    for (const replica of lab.replicas) {
      const names = (await ollamaTags(replica.url)).map((t) => t.name);
      expect(names).not.toContain(MODEL_NAME);
      expect(names).not.toContain(reference);
    }
    await waitFor('gpt-api to drop the model', async () => !(await catalog()).includes(MODEL_NAME), 30_000);
  }, 120_000);
  it('creates a model from a GGUF file, with its parameters and system prompt, on every replica', async () => {
    // The GGUF file local mode imports (scripts/infra/ollama.sh), served on loopback to the operator.
    const file = join(process.env.SHOSHIZAN_HOME ?? join(homedir(), '.cache/shoshizan'), 'models/gemma-3-270m-q4_k_m.gguf');
    const sha256 = await new Promise<string>((done, fail) => {
      const hash = createHash('sha256');
      createReadStream(file).on('data', (chunk) => hash.update(chunk)).on('end', () => done(hash.digest('hex'))).on('error', fail);
    });
    const files = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': statSync(file).size, 'content-type': 'application/octet-stream' });
      createReadStream(file).pipe(res);
    });
    await new Promise<void>((done) => files.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(files.address() as AddressInfo).port}/gemma-3-270m.gguf`;
    const name = 'gemma3-gguf:270m';
    try {
      await create(MODELS_PATH, {
        apiVersion: OLLAMA_MODEL_API_VERSION,
        kind: 'OllamaModel',
        metadata: { name: 'lab-gguf' },
        spec: { name, source: { gguf: { url, sha256, parameters: { temperature: 0.2, num_ctx: 2048 }, system: 'You answer in one word.' } } },
      });
      const ready = await waitFor('the GGUF model Ready', async () => {
        const model = await getModel('lab-gguf');
        return conditionOf(model, 'Ready')?.status === 'True' ? model : undefined;
      }, 240_000, 500);
      expect(ready.status?.replicas).toBe(`${lab.replicas.length}/${lab.replicas.length}`);
      for (const replica of lab.replicas) {
        const shown = (await (await fetch(`${replica.url}/api/show`, { method: 'POST', body: JSON.stringify({ model: name }) })).json()) as {
          parameters?: string;
          system?: string;
        };
        expect({ replica: replica.index, parameters: shown.parameters, system: shown.system }).toEqual({
          replica: replica.index,
          parameters: expect.stringMatching(/temperature\s+0\.2/),
          system: 'You answer in one word.',
        });
        expect(shown.parameters).toMatch(/num_ctx\s+2048/);
      }
      expect((await kube('DELETE', `${MODELS_PATH}/lab-gguf`)).status).toBeLessThan(300);
      await waitFor('the GGUF model to be gone', async () => (await getModel('lab-gguf')) === undefined, 60_000);
      for (const replica of lab.replicas) expect((await ollamaTags(replica.url)).map((t) => t.name)).not.toContain(name);
    } finally {
      files.closeAllConnections();
      await new Promise((done) => files.close(done));
    }
  }, 300_000);
});
