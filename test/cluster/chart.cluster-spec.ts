import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import '@shoshizan/service-kit/dist/kafka/kafkajs-request-queue';
import { Client } from 'pg';
import { isFinalEvent, responseEventSchema, topicName, type ResponseEvent } from '@shoshizan/shared-interfaces';
import { BrowserSession, chromiumPath } from '../e2e/support/browser';
import { readTopicToEnd } from '../e2e/support/kafka';
import { pushModel, startRegistry, startReplicas, type LabRegistry, type ReplicaLab } from '../e2e/support/model-lab';
import { ROOT } from '../e2e/support/system';
import { chromium } from 'playwright-core';
import { dashboardPanels } from '../../cdk8s/src/dashboards';
import { builtImages, cluster, crictl, getJson, helm, ingressHostPort, kubectl, viaIngress, waitUntil, type List, type Pod } from './support/cluster';
import { startClusterPrometheus, type ClusterPrometheus } from './support/cluster-prometheus';
import { ask, contiguous, signIn, textOf, type Answer } from './support/client';

/**
 * The chart on a real single-node Kubernetes (scripts/test-cluster.sh brings it up): the six
 * images skaffold built from their Dockerfiles, Ollama's from the project's own build (the
 * values file names it), KEDA and Traefik built from source; Kafka and PostgreSQL external on
 * the node's address; the model in a registry of the test's own on that address, which the
 * model operator has Ollama pull it from. The tests run in order, each on what the one before
 * left: install, helm test, a chat through the Ingress, an OllamaModel applied with kubectl,
 * the UI in Chromium, a worker killed mid-answer, KEDA scaling on lag, an upgrade under load,
 * uninstall.
 */
jest.setTimeout(600_000);

const { namespace, release } = cluster;
const admin = { username: 'admin', password: randomBytes(18).toString('base64url') };
const DEPLOYMENTS = ['gateway', 'kafka-producer', 'kafka-consumer', 'gpt-api', 'ui', 'model-operator'].map((c) => `${release}-${c}`);
const MODEL = 'gemma3:270m';
/** The model registry of the values file (ci/local-cluster-values.yaml names it), on the node's address. */
const MODEL_REGISTRY = { port: 5001, blobPort: 5002 };
let modelLab: ReplicaLab | undefined;
let modelRegistry: LabRegistry | undefined;
const images = builtImages(JSON.parse(readFileSync(cluster.buildOutput, 'utf8')));
const installArgs = (extra: string[] = []) => [
  cluster.chart,
  '--namespace', namespace,
  '--values', cluster.values,
  // scripts/test-cluster.sh applied the Operator's CRDs: the Prometheus beside the node
  // scrapes what these ServiceMonitors name, every 2 s, and loads the PrometheusRule.
  '--set', 'metrics.serviceMonitor.enabled=true', '--set', 'metrics.serviceMonitor.interval=2s', '--set', 'metrics.prometheusRule.enabled=true',
  ...Object.entries(images).flatMap(([key, image]) => ['--set', `${key}=${image}`]),
  ...extra,
];
const kafka = new Kafka({ clientId: 'cluster-spec', brokers: cluster.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
let db: Client;
let token: string;
let monitoring: ClusterPrometheus | undefined;
/** When the release was installed: the dashboards' queries look back to it. */
let installedAt = Date.now();
const timings: Record<string, string> = {};

function note(what: string, value: string): void {
  timings[what] = value;
  console.log(`[cluster] ${what}: ${value}`);
}

async function podsOf(component: string): Promise<Pod[]> {
  const pods = await getJson<List<Pod>>('pods', '-l', `app.kubernetes.io/instance=${release},app.kubernetes.io/component=${component}`);
  return pods.items.filter((p) => !p.metadata.deletionTimestamp);
}

async function replicasOf(deployment: string): Promise<number> {
  return (await getJson<{ spec: { replicas: number } }>('deployment', deployment)).spec.replicas;
}

/** The responses topic's events of one request, as written (repeats kept). */
async function writtenEvents(requestId: string): Promise<ResponseEvent[]> {
  const messages = await readTopicToEnd(kafka, topicName('responses', ''), 'cluster-spec');
  return messages
    .filter((m) => m.key?.toString() === requestId)
    .map((m) => responseEventSchema.parse(JSON.parse(m.value?.toString() ?? 'null')));
}

const chatBody = (content: string, maxTokens: number) => ({
  model: MODEL,
  messages: [{ role: 'user', content }],
  options: { maxTokens, temperature: 0 },
});

/** The OllamaModels of the release's namespace, by name. */
async function ollamaModels(): Promise<Record<string, { spec: { name: string }; status?: { conditions?: { type: string; status: string }[]; replicas?: string; digest?: string } }>> {
  const list = JSON.parse(await kubectl(['-n', namespace, 'get', 'ollamamodels', '-o', 'json'])) as { items: Array<{ metadata: { name: string } }> };
  return Object.fromEntries(list.items.map((m) => [m.metadata.name, m])) as never;
}

beforeAll(async () => {
  // The model registry: on the node's address (pods reach the host there), its blob store on
  // an address of a lab interface (another host, as Ollama's puller wants; see model-lab.ts).
  expect(readFileSync(cluster.values, 'utf8')).toContain(`${cluster.nodeIp}:${MODEL_REGISTRY.port}/library/gemma3:270m`);
  modelLab = await startReplicas(0);
  modelRegistry = await startRegistry({ host: cluster.nodeIp, port: MODEL_REGISTRY.port, blobHost: modelLab.addAddress(), blobPort: MODEL_REGISTRY.blobPort });
  const pushed = await pushModel({ model: MODEL, registry: modelRegistry.address, name: MODEL });
  note('model pushed to the model registry', `${pushed.reference} (${pushed.digest})`);
  db = new Client({ connectionString: cluster.databaseUrl });
  await db.connect();
  await kubectl(['create', 'namespace', namespace]);
  // The Secrets the chart refers to and never creates: the signing key and first admin, and
  // the external database's URL with its password.
  await kubectl(['-n', namespace, 'create', 'secret', 'generic', 'shoshizan-auth',
    `--from-literal=jwt-secret=${randomBytes(48).toString('base64url')}`,
    `--from-literal=admin-username=${admin.username}`, `--from-literal=admin-password=${admin.password}`]);
  await kubectl(['-n', namespace, 'create', 'secret', 'generic', 'shoshizan-database', `--from-literal=database-url=${cluster.podDatabaseUrl}`]);
});

afterAll(async () => {
  await monitoring?.stop();
  await db?.end();
  await modelRegistry?.destroy();
  await modelLab?.removeAll();
  console.log(`[cluster] figures:\n${Object.entries(timings).map(([k, v]) => `  ${k}: ${v}`).join('\n')}`);
});

describe('the chart on a real Kubernetes', () => {
  it('installs with helm install --wait: every pod Ready, non-root, on a read-only root file system', async () => {
    const started = Date.now();
    installedAt = started;
    await helm(['install', release, ...installArgs(['--wait', '--timeout', '10m'])]);
    note('helm install --wait', `${((Date.now() - started) / 1000).toFixed(1)} s`);

    const pods = (await getJson<List<Pod>>('pods', '-l', `app.kubernetes.io/instance=${release}`)).items;
    const components = pods.map((p) => p.metadata.labels?.['app.kubernetes.io/component']).sort();
    expect(components).toEqual(['gateway', 'gpt-api', 'kafka-consumer', 'kafka-producer', 'model-operator', 'ollama', 'ui']);
    for (const pod of pods) {
      expect({ pod: pod.metadata.name, ready: pod.status.conditions?.find((c) => c.type === 'Ready')?.status }).toEqual({
        pod: pod.metadata.name,
        ready: 'True',
      });
    }
    // What the process itself sees, in each Node.js service: not root, and / refuses writes.
    for (const deployment of DEPLOYMENTS) {
      const probe = "const fs=require('fs');let ro='no';try{fs.writeFileSync('/probe','x')}catch(e){ro=e.code}process.stdout.write(JSON.stringify({uid:process.getuid(),ro}))";
      const seen = JSON.parse(await kubectl(['-n', namespace, 'exec', `deploy/${deployment}`, '--', 'node', '-e', probe]));
      expect({ deployment, ...seen }).toEqual({ deployment, uid: expect.any(Number), ro: 'EROFS' });
      expect(seen.uid).not.toBe(0);
    }
    // Ollama: ready only once the operator opened its models-ready gate, which a new pod gets
    // once it holds every OllamaModel: the operator had it pull the model from the registry.
    const [ollama] = await podsOf('ollama');
    if (!ollama) throw new Error('no Ollama pod');
    expect(ollama.status.conditions?.find((c) => c.type === 'models.shoshizan.io/models-ready')?.status).toBe('True');
    const models = await ollamaModels();
    expect(Object.keys(models)).toEqual(['gemma3-270m']);
    expect(models['gemma3-270m']?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(models['gemma3-270m']?.status).toMatchObject({ replicas: '1/1' });
    const shown = await kubectl(['-n', namespace, 'exec', ollama.metadata.name, '-c', 'ollama', '--', 'ollama', 'show', MODEL]);
    expect(shown).toMatch(/architecture\s+gemma3/);
    const ollamaRoot = await kubectl(['-n', namespace, 'exec', ollama.metadata.name, '-c', 'ollama', '--', '/bin/sh', '-c', 'touch /probe 2>&1 || true']);
    expect(ollamaRoot).toMatch(/Read-only file system/);
  });

  it('passes helm test: every service answers its readiness route through its Service', async () => {
    const started = Date.now();
    // The pod exits 0 only when all four answered 2xx (which four: cdk8s/test/chart.spec.ts).
    // It is deleted once it succeeds, so its logs are not there for `--logs` to read.
    const output = await helm(['test', release, '--namespace', namespace, '--timeout', '5m']);
    note('helm test', `${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(output).toMatch(/TEST SUITE:\s+\S+-test-connection[\s\S]*Phase:\s+Succeeded/);
  });

  it('is scraped as the Prometheus Operator scrapes it: every ServiceMonitor target up with the labels the dashboards read; its PrometheusRule loads', async () => {
    monitoring = await startClusterPrometheus();
    const { prometheus } = monitoring;
    const components = ['gateway', 'kafka-producer', 'kafka-consumer', 'gpt-api', 'model-operator'];
    const up = await waitUntil('every ServiceMonitor target scraped', async () => {
      const samples = await prometheus.query('up == 1');
      const jobs = new Set(samples.map((s) => s.metric.job));
      return [...components.map((c) => `${release}-${c}`), 'keda-operator'].every((j) => jobs.has(j)) ? samples : undefined;
    }, 90_000, 2000);
    for (const component of components) {
      const service = `${release}-${component}`;
      const [pod] = await podsOf(component);
      expect(up.filter((s) => s.metric.job === service).map((s) => s.metric)).toEqual([
        {
          __name__: 'up',
          job: service,
          service,
          namespace,
          endpoint: 'metrics',
          container: component,
          pod: pod?.metadata.name,
          instance: expect.stringMatching(/^10\.244\.\d+\.\d+:\d+$/),
        },
      ]);
    }
    // The chart's alert groups, loaded and evaluated without an error.
    const rules = await waitUntil('the alert rules evaluated', async () => {
      const body = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as {
        data: { groups: { name: string; rules: { name: string; health: string; lastError?: string; lastEvaluation: string }[] }[] };
      };
      const all = body.data.groups.flatMap((g) => g.rules);
      return all.length > 0 && all.every((r) => !r.lastEvaluation.startsWith('0001')) ? body.data.groups : undefined;
    }, 60_000, 2000);
    expect(rules.length).toBeGreaterThan(0);
    expect(rules.flatMap((g) => g.rules).filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError ?? r.health}`)).toEqual([]);
    note('Prometheus beside the node', `${monitoring.jobs.length} scrape jobs, ${rules.length} rule groups`);
  });

  it('signs in and streams an answer through the Ingress', async () => {
    token = await signIn(admin.username, admin.password);
    const answer = await ask(token, chatBody('Name three colours of the rainbow.', 48));
    expect(answer.events.map((e) => e.type)).toContain('started');
    expect(answer.events.filter((e) => e.type === 'token').length).toBeGreaterThan(1);
    expect(answer.events.at(-1)).toMatchObject({ type: 'done', model: MODEL });
    expect(contiguous(answer.events)).toBe(true);
    expect(textOf(answer.events).trim().length).toBeGreaterThan(0);
    note('first chat through the Ingress: first token after', `${answer.firstTokenMs} ms (model loading included)`);
    const stored = await db.query('SELECT status FROM gateway.chat_requests WHERE request_id = $1', [answer.requestId]);
    expect(stored.rows).toEqual([{ status: 'done' }]);
    const memory = execFileSync('bash', [join(ROOT, 'scripts/infra/cluster.sh'), 'memory'], { encoding: 'utf8' }).trim();
    note('node memory with the chart running (cgroup of the cluster, MiB)', memory);
  });

  it('pulls an OllamaModel applied with kubectl; once Ready it answers through the gateway, and deleting it removes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoshizan-ollamamodel-'));
    const file = join(dir, 'model.json');
    const name = 'gemma3-terse:270m';
    writeFileSync(file, JSON.stringify({
      apiVersion: 'models.shoshizan.io/v1alpha1',
      kind: 'OllamaModel',
      metadata: { name: 'gemma3-terse' },
      spec: { name, source: { registry: { reference: `${modelRegistry!.address}/library/gemma3:270m`, insecure: true } }, keepAlive: '1m' },
    }));
    try {
      const started = Date.now();
      await kubectl(['-n', namespace, 'apply', '-f', file]);
      await kubectl(['-n', namespace, 'wait', '--for=condition=Ready', 'ollamamodel/gemma3-terse', '--timeout=300s'], 330_000);
      note('kubectl apply of an OllamaModel to Ready', `${((Date.now() - started) / 1000).toFixed(1)} s`);
      const printed = await kubectl(['-n', namespace, 'get', 'ollamamodel', 'gemma3-terse']);
      expect(printed).toMatch(/gemma3-terse\s+gemma3-terse:270m\s+True\s+1\/1/);
      // gpt-api lists it once it is Available (its watch, then the gateway's short cache).
      const answer = await waitUntil('a chat with the new model', async () => {
        const a = await ask(token, { ...chatBody('Say hello.', 16), model: name }).catch(() => undefined);
        return a?.events.at(-1)?.type === 'done' ? a : undefined;
      }, 60_000, 2000);
      expect(answer.events.at(-1)).toMatchObject({ type: 'done', model: name });
      await kubectl(['-n', namespace, 'delete', 'ollamamodel', 'gemma3-terse', '--wait', '--timeout=120s'], 150_000);
      const [ollama] = await podsOf('ollama');
      const listed = await kubectl(['-n', namespace, 'exec', ollama!.metadata.name, '-c', 'ollama', '--', 'ollama', 'list']);
      expect(listed).not.toContain(name);
      expect(listed).toContain(MODEL);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves the UI from its pod: Chromium signs in through the Ingress and sees a streamed answer', async () => {
    const { host, port } = ingressHostPort();
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      // The Ingress's host name leads to the Ingress controller's address.
      args: ['--disable-dev-shm-usage', `--host-resolver-rules=MAP ${cluster.ingressHost} ${host}`],
    });
    try {
      const session = await BrowserSession.open(browser, { baseURL: `http://${cluster.ingressHost}:${port}` });
      const { page } = session;
      await page.goto('/login');
      await page.getByLabel('Username', { exact: true }).fill(admin.username);
      await page.getByLabel('Password', { exact: true }).fill(admin.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('button', { name: 'New chat', exact: true }).waitFor();
      await page.getByLabel('Message', { exact: true }).fill('Say hello in French.');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      const answer = page.getByRole('log', { name: 'Messages' }).locator('article[data-role="assistant"][data-status="done"]').last();
      await answer.waitFor({ timeout: 180_000 });
      expect(((await answer.locator('.message-content').textContent()) ?? '').trim().length).toBeGreaterThan(0);
      await session.screenshot('cluster-ui-answer');
      expect(session.watch.pageErrors).toEqual([]);
      await session.close();
    } finally {
      await browser.close();
    }
  });

  it('finishes an answer whose worker is killed with SIGKILL mid-answer, with nothing doubled', async () => {
    const workers = await podsOf('kafka-consumer');
    // The one worker (KEDA's minimum), so it is the one answering.
    expect(workers).toHaveLength(1);
    const worker = workers[0]!;
    const restartsOf = (pod: Pod | undefined) => pod?.status.containerStatuses?.[0]?.restartCount ?? -1;
    const restartsBefore = restartsOf(worker);
    let killed: Promise<void> | undefined;
    let eventsAtKill = -1;
    let seen = 0;
    const answer = await ask(token, chatBody('Tell a long story about a lighthouse keeper and a storm.', 160), {
      onEvent: (event) => {
        seen++;
        if (event.type !== 'token' || killed) return;
        eventsAtKill = seen;
        killed = (async () => {
          // kill -9 of the worker's process, seen from the node: no shutdown hook runs.
          const ids = (await crictl(['ps', '-q', '--name', '^kafka-consumer$', '--label', `io.kubernetes.pod.name=${worker.metadata.name}`]))
            .trim()
            .split('\n')
            .filter(Boolean);
          expect(ids).toHaveLength(1);
          const pid = (JSON.parse(await crictl(['inspect', ids[0]!])) as { info: { pid: number } }).info.pid;
          process.kill(pid, 'SIGKILL');
        })();
      },
    });
    await killed;
    expect(answer.events.at(-1)).toMatchObject({ type: 'done' });
    // Mid-answer: most of it came after the kill, from the next attempt.
    expect(answer.events.length - eventsAtKill).toBeGreaterThan(3);
    expect(contiguous(answer.events)).toBe(true);
    const after = (await podsOf('kafka-consumer')).find((p) => p.metadata.name === worker.metadata.name);
    expect(restartsOf(after)).toBeGreaterThan(restartsBefore);
    // Written once each: the next attempt resumed after what the killed one had written.
    const written = await writtenEvents(answer.requestId);
    const seqs = written.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(written.filter(isFinalEvent)).toHaveLength(1);
    const usage = await db.query('SELECT count(*)::int AS n FROM gpt_api.usage_ledger WHERE request_id = $1', [answer.requestId]);
    expect(usage.rows).toEqual([{ n: 1 }]);
    note(
      'killed worker',
      `killed after event ${eventsAtKill}; the answer finished with ${answer.events.length} events (${textOf(answer.events).length} characters), each written once, ${answer.resumes} stream resumes`,
    );
  });

  it('scales kafka-consumer up on lag with KEDA and back down once the queue is drained', async () => {
    const worker = `${release}-kafka-consumer`;
    const min = await replicasOf(worker);
    expect(min).toBe(1);
    const started = Date.now();
    const answers = Promise.all(
      Array.from({ length: 40 }, (_, i) => ask(token, chatBody(`Write one sentence about the number ${i}.`, 40))),
    );
    let most = min;
    const scaledUp = await waitUntil('KEDA to add kafka-consumer replicas', async () => {
      const replicas = await replicasOf(worker);
      most = Math.max(most, replicas);
      return replicas > min ? replicas : undefined;
    }, 240_000, 2000);
    note('KEDA scale-up', `${min} -> ${scaledUp} replicas ${((Date.now() - started) / 1000).toFixed(0)} s after 40 requests were queued`);
    const hpa = await getJson<{ spec: { scaleTargetRef: { name: string } } }>('hpa', `keda-hpa-${worker}`);
    expect(hpa.spec.scaleTargetRef.name).toBe(worker);
    const done = await answers;
    expect(done.map((a) => a.events.at(-1)?.type)).toEqual(done.map(() => 'done'));
    const drained = Date.now();
    await waitUntil('KEDA to go back to the minimum', async () => {
      const replicas = await replicasOf(worker);
      most = Math.max(most, replicas);
      return replicas === min ? replicas : undefined;
    }, 300_000, 2000);
    note('KEDA scale-down', `${most} -> ${min} replicas ${((Date.now() - drained) / 1000).toFixed(0)} s after the queue drained`);
    expect(most).toBeGreaterThan(min);
  });

  it('shows data in every panel of the Kubernetes dashboard, KEDA’s replicas against lag included', async () => {
    if (!monitoring) throw new Error('no Prometheus: the scrape test before this one failed');
    const { prometheus } = monitoring;
    const panels = dashboardPanels().filter((p) => p.dashboard === 'shoshizan-kubernetes' || p.source === 'cluster');
    expect(panels.length).toBeGreaterThan(5);
    const context = { variables: { namespace, datasource: 'prometheus' }, rangeSeconds: (Date.now() - installedAt) / 1000 };
    const problems: string[] = [];
    for (const panel of panels) {
      for (const problem of await prometheus.panelProblems(panel, context)) problems.push(`${panel.dashboard} / ${panel.title}: ${problem}`);
    }
    expect(problems).toEqual([]);
    // The other dashboards' panels are proven in the end-to-end specs, with the errors, retries
    // and dead letters made there; here, how many of them a healthy cluster already fills.
    const others = dashboardPanels().filter((p) => !panels.includes(p));
    let filled = 0;
    for (const panel of others) if ((await prometheus.panelProblems(panel, context)).length === 0) filled++;
    note('dashboard panels with data', `${panels.length}/${panels.length} Kubernetes and KEDA panels; ${filled}/${others.length} others after this run`);
  });

  it('rolls every Deployment on helm upgrade with no request in flight failing', async () => {
    const before = new Map<string, string[]>();
    for (const d of DEPLOYMENTS) before.set(d, (await podsOf(d.slice(release.length + 1))).map((p) => p.metadata.name));
    let upgrading = true;
    const results: (Answer | Error)[] = [];
    const client = async (n: number) => {
      for (let i = 0; upgrading; i++) {
        results.push(await ask(token, chatBody(`Count from ${n} to ${n + 3}. (${i})`, 24)).catch((error: Error) => error));
      }
    };
    const clients = [0, 10, 20].map(client);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const started = Date.now();
    try {
      // A changed value that every Deployment's configuration carries.
      await helm(['upgrade', release, ...installArgs(['--set', 'global.logLevel=debug', '--wait', '--timeout', '10m'])]);
    } finally {
      upgrading = false;
      await Promise.all(clients);
    }
    note('helm upgrade --wait (every Deployment rolled)', `${((Date.now() - started) / 1000).toFixed(1)} s, ${results.length} requests meanwhile`);
    for (const d of DEPLOYMENTS) {
      const now = (await podsOf(d.slice(release.length + 1))).map((p) => p.metadata.name);
      expect({ deployment: d, replaced: now.every((name) => !before.get(d)!.includes(name)) }).toEqual({ deployment: d, replaced: true });
    }
    const failures = results.filter((r): r is Error => r instanceof Error).map((e) => e.message);
    if (failures.length > 0) {
      // Why a pod left its Service, in the kubelet's words (the pods' own answers went with them).
      note('probe failures during the upgrade', await kubectl(['get', 'events', '--namespace', namespace, '--field-selector', 'reason=Unhealthy', '--sort-by', '.lastTimestamp']));
    }
    // Each distinct failure once, with how often it came.
    const counted = new Map<string, number>();
    for (const message of failures) counted.set(message, (counted.get(message) ?? 0) + 1);
    expect([...counted].map(([message, times]) => `${times}× ${message}`)).toEqual([]);
    const answers = results as Answer[];
    expect(answers.length).toBeGreaterThan(3);
    expect(answers.filter((a) => a.events.at(-1)?.type !== 'done').map((a) => a.requestId)).toEqual([]);
    expect(answers.filter((a) => !contiguous(a.events)).map((a) => a.requestId)).toEqual([]);
    note('requests during the upgrade', `${answers.length} done, ${answers.reduce((n, a) => n + a.resumes, 0)} streams resumed after a gateway pod left`);
    // The pods drain before they close (global.shutdownDelaySeconds): a resume through the
    // Ingress finds a pod that serves it, not one that stopped listening (a 502).
    const refused = answers.flatMap((a) => a.refusedResumes);
    note('resumes refused during the upgrade', refused.length === 0 ? 'none' : refused.join(', '));
  });

  it('leaves only the PersistentVolumeClaims it documents after helm uninstall', async () => {
    const started = Date.now();
    await helm(['uninstall', release, '--namespace', namespace, '--wait', '--timeout', '5m']);
    note('helm uninstall --wait', `${((Date.now() - started) / 1000).toFixed(1)} s`);
    const kinds = (await kubectl(['api-resources', '--verbs=list', '-o', 'name'])).trim().split('\n');
    const left = await waitUntil('the release\'s objects to go', async () => {
      const found = (JSON.parse(
        await kubectl(['get', kinds.filter((k) => !/^events\b|metrics\.k8s\.io$/.test(k)).join(','), '-A', '-l', `app.kubernetes.io/instance=${release}`, '-o', 'json']),
      ) as List).items.map((o) => `${o.kind}/${o.metadata.name}`);
      return found.every((name: string) => name.startsWith('PersistentVolumeClaim/')) ? found : undefined;
    }, 120_000, 2000);
    expect(left).toEqual([`PersistentVolumeClaim/models-${release}-ollama-0`]);
    // And the requests table kept what was asked (the database is the user's, not the chart's).
    const kept = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM gateway.chat_requests WHERE status = 'done'");
    expect(kept.rows[0]?.n).toBeGreaterThan(40);
    const unused = viaIngress('/health/ready').then((r) => r.status, () => 'unreachable');
    expect([404, 'unreachable']).toContain(await unused);
  });
});
