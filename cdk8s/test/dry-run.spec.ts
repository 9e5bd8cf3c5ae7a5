import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { writeChart } from '../src/chart/write-chart';
import { synthPlain } from '../src/shoshizan-chart';
import { APISERVER_VERSIONS, CRD_DIR, TestApiServer, yamlDocuments, type ApplyResult } from './support/apiserver';
import { KUBERNETES_VERSIONS, helm, kubeconform } from './support/k8s-tools';

/**
 * Server-side dry-run: every object of the plain synth and of the chart (defaults and every
 * scenario in charts/shoshizan/ci/) is sent to a real kube-apiserver, of the release whose
 * schemas kubeconform uses, with the CRDs of KEDA, Strimzi and the Prometheus Operator
 * installed, and the chart's own (crds/: the OllamaModel CRD, for real, since an OllamaModel
 * cannot be dry-run before its CRD is served, as at a real install, where Helm creates crds/
 * first), as a server-side apply with dryRun=All and strict field validation. The server
 * decodes, defaults, validates (the API's own validation; CRD schemas, CEL rules included)
 * and runs admission, then stores nothing. kubeconform checks the shape; this checks what a
 * cluster would say to `helm install`. A private etcd and API server start on free loopback
 * ports for this file and are gone after it (scripts/infra/kube-apiserver.sh builds them).
 */
const ROOT = resolve(__dirname, '../..');
const COMMITTED = join(ROOT, 'charts/shoshizan');
const SCENARIOS = readdirSync(join(COMMITTED, 'ci')).filter((f) => f.endsWith('-values.yaml')).sort();
const NAMESPACE = 'shoshizan';
/** A namespace where Pod Security admission enforces (and warns about) the restricted profile. */
const RESTRICTED = 'shoshizan-restricted';
const RESTRICTED_LABELS = { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' };
/** What `synth` writes (cdk8s/src/main.ts): every string quoted, for YAML 1.1 readers. */
const YAML_OPTIONS = { lineWidth: 0, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' } as const;

let server: TestApiServer;
let chartDir: string;

beforeAll(async () => {
  chartDir = join(mkdtempSync(join(tmpdir(), 'shoshizan-chart-')), 'shoshizan');
  writeChart(chartDir);
  server = TestApiServer.start();
  await server.installCrds(CRD_DIR);
  await server.installCrds(join(chartDir, 'crds'));
  await server.ensureNamespace(NAMESPACE);
}, 300_000);

afterAll(() => {
  server?.stop();
  if (chartDir) rmSync(join(chartDir, '..'), { recursive: true, force: true });
}, 120_000);

function render(valuesFile?: string): string[] {
  // Hooks included (the `helm test` Pod, the model operator's Jobs): part of what a release
  // sends to the cluster; so are the CRDs of crds/.
  const args = ['template', 'shoshizan', chartDir, '--namespace', NAMESPACE, '--include-crds'];
  if (valuesFile) args.push('-f', join(COMMITTED, 'ci', valuesFile));
  const result = helm(args);
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return yamlDocuments(result.stdout);
}

function plain(): string[] {
  return synthPlain().map((d) => stringify(d, YAML_OPTIONS));
}

/** Every namespace the documents name, so that namespaced objects have one to go to. */
function namespacesOf(docs: string[]): string[] {
  const names = docs.map((d) => {
    try {
      return (parse(d, { uniqueKeys: false }) as { metadata?: { namespace?: unknown } } | null)?.metadata?.namespace;
    } catch {
      return undefined; // not YAML: apply() reports it
    }
  });
  return [...new Set(names.filter((n): n is string => typeof n === 'string'))];
}

async function dryRun(docs: string[], defaultNamespace: string): Promise<ApplyResult[]> {
  for (const ns of namespacesOf(docs)) await server.ensureNamespace(ns);
  const results: ApplyResult[] = [];
  for (const doc of docs) results.push(await server.apply(doc, { defaultNamespace }));
  return results;
}

const describeResult = (r: ApplyResult): string => `${r.object}: ${r.status} ${r.message}`;

const CASES: [string, () => string[]][] = [
  ['plain synth', plain],
  ['chart, defaults', () => render()],
  ...SCENARIOS.map((f): [string, () => string[]] => [`chart, ${f}`, () => render(f)]),
];

describe(`server-side dry-run against kube-apiserver ${APISERVER_VERSIONS.kubernetes} (etcd ${APISERVER_VERSIONS.etcd})`, () => {
  it('runs the Kubernetes release whose schemas kubeconform validates against', async () => {
    const res = await server.request('GET', '/version');
    expect(res.status).toBe(200);
    expect((JSON.parse(res.text) as { gitVersion: string }).gitVersion).toBe(`v${KUBERNETES_VERSIONS[0]}`);
    expect(APISERVER_VERSIONS.kubernetes).toBe(`v${KUBERNETES_VERSIONS[0]}`);
  });

  it.each(CASES)(
    '%s: every object is accepted (strict fields, API validation, CRD schemas, admission) without warnings',
    async (_name, docs) => {
      const manifests = docs();
      expect(manifests.length).toBeGreaterThan(30);
      const results = await dryRun(manifests, NAMESPACE);
      expect(results.filter((r) => !r.accepted).map(describeResult)).toEqual([]);
      expect(results.flatMap((r) => r.warnings.map((w) => `${r.object}: ${w}`))).toEqual([]);
      expect(results.filter((r) => r.object.includes('(keda.sh/')).length).toBeGreaterThan(0);
      expect(results.filter((r) => r.object.includes('OllamaModel/')).length).toBeGreaterThan(0);
    },
    120_000,
  );

  it(
    'every workload of the synth and of every scenario meets Pod Security "restricted" (the built-in admission, enforce and warn)',
    async () => {
      await server.ensureNamespace(RESTRICTED, RESTRICTED_LABELS);
      const problems: string[] = [];
      for (const [name, docs] of CASES) {
        // Only objects without a namespace of their own land in the labelled one.
        for (const r of await dryRun(docs(), RESTRICTED)) {
          if (!r.accepted) problems.push(`${name}: ${describeResult(r)}`);
          for (const w of r.warnings) problems.push(`${name}: ${r.object}: ${w}`);
        }
      }
      expect(problems).toEqual([]);
    },
    120_000,
  );
});

describe('the dry-run check can fail', () => {
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'registry.example/web:1.0.0' }] },
      },
    },
  };
  const scaledObject = {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'web' },
    spec: {
      scaleTargetRef: { name: 'web' },
      minReplicaCount: 1,
      maxReplicaCount: 3,
      triggers: [{ type: 'kafka', metadata: { bootstrapServers: 'kafka:9092', consumerGroup: 'g', topic: 't', lagThreshold: '10' } }],
    },
  };
  const send = async (object: unknown): Promise<ApplyResult> => server.apply(stringify(object), { defaultNamespace: NAMESPACE });

  it('accepts the well-formed Deployment and ScaledObject the failures start from', async () => {
    expect(await send(deployment)).toMatchObject({ accepted: true, message: '' });
    expect(await send(scaledObject)).toMatchObject({ accepted: true, message: '' });
  });

  it('refuses an unknown field', async () => {
    const typo = structuredClone(deployment) as typeof deployment & { spec: { replicaz?: number } };
    typo.spec.replicaz = 3;
    const result = await send(typo);
    expect(result.accepted).toBe(false);
    expect(result.message).toMatch(/\.spec\.replicaz: field not declared in schema/);
  });

  it('refuses a ScaledObject with a field of the wrong type (the CRD schema)', async () => {
    const wrongType = structuredClone(scaledObject) as Omit<typeof scaledObject, 'spec'> & { spec: Record<string, unknown> };
    wrongType.spec.minReplicaCount = 'one';
    const result = await send(wrongType);
    expect(result.accepted).toBe(false);
    expect(result.message).toMatch(/\.spec\.minReplicaCount: expected numeric/);
  });

  it('refuses an OllamaModel that the generated CRD refuses: its CEL rule, exactly one source', async () => {
    const model = (source: Record<string, unknown>) => ({
      apiVersion: 'models.shoshizan.io/v1alpha1',
      kind: 'OllamaModel',
      metadata: { name: 'm' },
      spec: { name: 'm:1', source },
    });
    const registry = { reference: 'library/m:1' };
    expect(await send(model({ registry }))).toMatchObject({ accepted: true });
    const both = await send(model({ registry, gguf: { url: 'https://models.example/m.gguf', sha256: 'a'.repeat(64) } }));
    expect(both.accepted).toBe(false);
    expect(both.message).toMatch(/exactly one of source\.registry or source\.gguf must be set/);
  });

  it('refuses a duplicate key, and reads a bare `yes` as YAML 1.1 does (a boolean, not a string)', async () => {
    const configMap = (data: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings }\ndata: ${data}\n`;
    expect(await server.apply(configMap('{ mode: "yes" }'), { defaultNamespace: NAMESPACE })).toMatchObject({ accepted: true });
    const duplicate = await server.apply(configMap('{ mode: a, mode: b }'), { defaultNamespace: NAMESPACE });
    expect(duplicate).toMatchObject({ accepted: false, status: 400 });
    expect(duplicate.message).toMatch(/key "mode" already set in map/);
    const bareYes = await server.apply(configMap('{ mode: yes }'), { defaultNamespace: NAMESPACE });
    expect(bareYes.accepted).toBe(false);
    expect(bareYes.message).toMatch(/\.data\.mode: expected string/);
  });

  it('refuses what only the API server knows: a selector that does not match the template (kubeconform passes it)', async () => {
    const mismatch = structuredClone(deployment);
    mismatch.spec.template.metadata.labels.app = 'other';
    expect(kubeconform(stringify(mismatch), { kubernetesVersion: KUBERNETES_VERSIONS[0] }).valid).toBe(true);
    const result = await send(mismatch);
    expect(result.accepted).toBe(false);
    expect(result.status).toBe(422);
    expect(result.message).toMatch(/spec\.template\.metadata\.labels.*`selector` does not match template `labels`/);
  });

  it('refuses a kind the server does not serve (a CRD version Strimzi no longer has)', async () => {
    const result = await send({ apiVersion: 'kafka.strimzi.io/v1beta2', kind: 'KafkaTopic', metadata: { name: 't' }, spec: {} });
    expect(result.accepted).toBe(false);
    expect(result.message).toMatch(/no resource of kind KafkaTopic in kafka\.strimzi\.io\/v1beta2/);
  });

  it('warns about a Deployment and refuses a Pod that break Pod Security "restricted"', async () => {
    await server.ensureNamespace(RESTRICTED, RESTRICTED_LABELS);
    const loose = await server.apply(stringify(deployment), { defaultNamespace: RESTRICTED });
    expect(loose.accepted).toBe(true);
    expect(loose.warnings.join('\n')).toMatch(/would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false/);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: deployment.spec.template.spec };
    const refused = await server.apply(stringify(pod), { defaultNamespace: RESTRICTED });
    expect(refused).toMatchObject({ accepted: false, status: 403 });
    expect(refused.message).toMatch(/violates PodSecurity "restricted:latest"/);
  });

  it('stores nothing', async () => {
    const res = await server.request('GET', `/apis/apps/v1/namespaces/${NAMESPACE}/deployments`);
    expect((JSON.parse(res.text) as { items: unknown[] }).items).toEqual([]);
  });
});
