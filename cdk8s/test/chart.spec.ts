import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { writeChart } from '../src/chart/write-chart';
import { synthPlain } from '../src/shoshizan-chart';
import type { ShoshizanOverrides } from '../src/settings/values';
import { KUBERNETES_VERSIONS, helm, kubeScore, kubeconform } from './support/k8s-tools';

/**
 * The generated Helm chart against the plain cdk8s synth, with the real helm, kubeconform and
 * kube-score: one source of truth, checked both ways, for the defaults and every scenario in
 * charts/shoshizan/ci/.
 */
const ROOT = resolve(__dirname, '../..');
const COMMITTED = join(ROOT, 'charts/shoshizan');
const SCENARIOS = readdirSync(join(COMMITTED, 'ci')).filter((f) => f.endsWith('-values.yaml')).sort();

let chartDir: string;
beforeAll(() => {
  chartDir = join(mkdtempSync(join(tmpdir(), 'shoshizan-chart-')), 'shoshizan');
  writeChart(chartDir);
});
afterAll(() => rmSync(join(chartDir, '..'), { recursive: true, force: true }));

type Doc = Record<string, unknown>;

/** `helm template` as an install sends it: the CRDs of crds/ and the hooks, not the tests. */
function render(valuesFile?: string, extra: string[] = []): string {
  const args = ['template', 'shoshizan', chartDir, '--namespace', 'shoshizan', '--skip-tests', '--include-crds', ...extra];
  if (valuesFile) args.push('-f', join(COMMITTED, 'ci', valuesFile));
  const result = helm(args);
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  // A resource left out by `{{ if }}` leaves an empty document behind; drop those.
  return result.stdout
    .split(/^---$/m)
    .filter((doc) => doc.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('#')))
    .map((doc) => `---${doc}`)
    .join('');
}

function docs(yamlText: string): Doc[] {
  return parseAllDocuments(yamlText)
    .map((d) => d.toJS() as Doc | null)
    .filter((d): d is Doc => d !== null);
}

/**
 * The two label values that differ by design: Helm's chart label (only in the chart) and
 * the manager (`Helm` there, `cdk8s` in the plain manifests).
 */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    let item = (value as Record<string, unknown>)[key];
    if (key === 'labels' && typeof item === 'object' && item !== null) {
      const labels = { ...(item as Record<string, string>) };
      delete labels['helm.sh/chart'];
      if (labels['app.kubernetes.io/managed-by'] === 'Helm') labels['app.kubernetes.io/managed-by'] = 'cdk8s';
      item = labels;
    }
    out[key] = normalise(item);
  }
  return out;
}

/** Helm's hooks (the model operator's Jobs): the chart's alone, a plain synth has none. */
const isHook = (d: Doc): boolean => (d.metadata as { annotations?: Record<string, string> }).annotations?.['helm.sh/hook'] !== undefined;

function byName(list: Doc[]): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (const d of list) {
    const meta = d.metadata as { name: string };
    const key = `${String(d.kind)}/${meta.name}`;
    expect(map.has(key)).toBe(false);
    map.set(key, normalise(d));
  }
  return map;
}

function plainYaml(overrides: ShoshizanOverrides = {}): string {
  return synthPlain(overrides).map((d) => `---\n${stringify(d, { lineWidth: 0, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' })}`).join('');
}

describe('the generated chart', () => {
  it('is what is committed in charts/shoshizan (run `npm run -w @shoshizan/deploy chart` after changing a construct)', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
    const generated = files(chartDir).map((f) => relative(chartDir, f)).sort();
    const committed = files(COMMITTED)
      .map((f) => relative(COMMITTED, f))
      .filter((f) => !f.startsWith('ci/'))
      .sort();
    expect(committed).toEqual(generated);
    for (const f of generated) expect(`${f}:\n${readFileSync(join(COMMITTED, f), 'utf8')}`).toBe(`${f}:\n${readFileSync(join(chartDir, f), 'utf8')}`);
  });

  it('passes helm lint --strict with the defaults and with every scenario', () => {
    for (const values of [undefined, ...SCENARIOS]) {
      const result = helm(['lint', '--strict', chartDir, ...(values ? ['-f', join(COMMITTED, 'ci', values)] : [])]);
      expect(`${values ?? 'defaults'}: ${result.stdout}${result.stderr}`).toContain('1 chart(s) linted, 0 chart(s) failed');
    }
  });

  it('refuses values the schema does not know or of the wrong type', () => {
    const typo = helm(['template', 'x', chartDir, '--set', 'gateway.replicaz=3']);
    expect(typo.status).not.toBe(0);
    expect(typo.stderr).toMatch(/replicaz/);
    const wrongType = helm(['template', 'x', chartDir, '--set-string', 'gateway.replicas=three']);
    expect(wrongType.status).not.toBe(0);
    const tooMany = helm(['template', 'x', chartDir, '--set', 'kafkaConsumer.autoscaling.maxReplicas=7']);
    expect(tooMany.status).not.toBe(0);
    expect(tooMany.stderr).toMatch(/maxReplicas/);
  });

  it('renders with default values exactly what the plain cdk8s synth gives (hooks aside)', () => {
    const chart = byName(docs(render()).filter((d) => !isHook(d)));
    const plain = byName(synthPlain());
    expect([...chart.keys()].sort()).toEqual([...plain.keys()].sort());
    for (const [key, value] of plain) expect({ key, value: chart.get(key) }).toEqual({ key, value });
  });

  it.each(SCENARIOS)('renders with %s exactly what a cdk8s synth with the same settings gives', (file) => {
    const values = parse(readFileSync(join(COMMITTED, 'ci', file), 'utf8')) as ShoshizanOverrides;
    const chart = byName(docs(render(file)).filter((d) => !isHook(d)));
    const plain = byName(synthPlain(values));
    expect([...chart.keys()].sort()).toEqual([...plain.keys()].sort());
    for (const [key, value] of plain) expect({ key, value: chart.get(key) }).toEqual({ key, value });
  });

  it('renders with the Ingress turned off exactly what a cdk8s synth with the same setting gives', () => {
    // An object whose annotations come from a setting is still left out by its `if`.
    const chart = byName(docs(render(undefined, ['--set', 'ingress.enabled=false'])).filter((d) => !isHook(d)));
    const plain = byName(synthPlain({ ingress: { enabled: false } }));
    expect([...chart.keys()].filter((key) => key.startsWith('Ingress/'))).toEqual([]);
    expect([...chart.keys()].sort()).toEqual([...plain.keys()].sort());
  });

  it('refuses an ollama.models item the OllamaModel schema refuses', () => {
    const models = (json: unknown) => helm(['template', 'x', chartDir, '--set-json', `ollama.models=${JSON.stringify(json)}`]);
    const registry = { reference: 'library/gemma3:270m' };
    expect(models([{ name: 'gemma3:270m', source: { registry } }]).status).toBe(0);
    const cases: [string, unknown, RegExp][] = [
      ['a bare name, as before', ['gemma3:270m'], /ollama\/models\/0/],
      ['an unknown key', [{ name: 'gemma3:270m', source: { registry }, resourceName: 'g' }], /resourceName/],
      ['two sources', [{ name: 'g:1', source: { registry, gguf: { url: 'https://x/g.gguf', sha256: 'a'.repeat(64) } } }], /source/],
      ['no source', [{ name: 'g:1', source: {} }], /source/],
      ['a bad reference', [{ name: 'g:1', source: { registry: { reference: 'not a reference' } } }], /reference/],
      ['no model', [], /models/],
    ];
    for (const [what, json, message] of cases) {
      const result = models(json);
      expect({ what, status: result.status }).toEqual({ what, status: 1 });
      expect(result.stderr).toMatch(message);
    }
  });

  it('puts the OllamaModel CRD in crds/ (created by Helm before it maps the templates) and nowhere in templates/', () => {
    const crds = docs(readFileSync(join(chartDir, 'crds', 'ollamamodels.models.shoshizan.io.yaml'), 'utf8'));
    expect(crds.map((d) => `${String(d.kind)}/${(d.metadata as { name: string }).name}`)).toEqual(['CustomResourceDefinition/ollamamodels.models.shoshizan.io']);
    const crdsIn = (args: string[]) => docs(helm(['template', 'x', chartDir, ...args]).stdout).filter((d) => d.kind === 'CustomResourceDefinition').length;
    expect(crdsIn([])).toBe(0);
    expect(crdsIn(['--include-crds'])).toBe(1);
  });

  it('has the model operator\'s hooks: the CRD replaced at install and upgrade, the models removed before uninstall', () => {
    const all = docs(helm(['template', 'shoshizan', chartDir, '--namespace', 'shoshizan']).stdout);
    const hooks = all.filter(isHook).map((d) => {
      const meta = d.metadata as { name: string; annotations: Record<string, string> };
      return `${String(d.kind)}/${meta.name}: ${meta.annotations['helm.sh/hook']} ${meta.annotations['helm.sh/hook-weight'] ?? '0'} ${meta.annotations['helm.sh/hook-delete-policy'] ?? ''}`;
    });
    expect(hooks.sort()).toEqual(
      [
        'ClusterRole/shoshizan-shoshizan-ollamamodel-crd: pre-install,pre-upgrade -10 before-hook-creation,hook-succeeded',
        'ClusterRoleBinding/shoshizan-shoshizan-ollamamodel-crd: pre-install,pre-upgrade -10 before-hook-creation,hook-succeeded',
        'ConfigMap/shoshizan-ollamamodel-crd: pre-install,pre-upgrade -10 before-hook-creation,hook-succeeded',
        'ServiceAccount/shoshizan-ollamamodel-crd: pre-install,pre-upgrade -10 before-hook-creation,hook-succeeded',
        'Job/shoshizan-ollamamodel-crd: pre-install,pre-upgrade 0 before-hook-creation,hook-succeeded',
        'Job/shoshizan-remove-models: pre-delete 0 before-hook-creation,hook-succeeded',
        'Pod/shoshizan-test-connection: test 0 before-hook-creation,hook-succeeded',
      ].sort(),
    );
    type Job = { spec: { activeDeadlineSeconds: number; template: { spec: { serviceAccountName: string; containers: { command: string[]; env: { name: string; value?: string }[] }[] } } } };
    const job = (name: string) => all.find((d) => d.kind === 'Job' && (d.metadata as { name: string }).name === name) as unknown as Job;
    const remove = job('shoshizan-remove-models').spec;
    expect(remove.activeDeadlineSeconds).toBe(180);
    expect(remove.template.spec.serviceAccountName).toBe('shoshizan-model-operator');
    expect(remove.template.spec.containers[0]?.command).toEqual(['node', 'services/model-operator/dist/main.js', 'remove-models']);
    expect(remove.template.spec.containers[0]?.env).toContainEqual({ name: 'MODEL_SELECTOR', value: 'app.kubernetes.io/instance=shoshizan' });
    // The CRD the Job puts in place is the one of crds/.
    const config = all.find((d) => d.kind === 'ConfigMap' && (d.metadata as { name: string }).name === 'shoshizan-ollamamodel-crd') as { data: Record<string, string> };
    const crd = docs(readFileSync(join(chartDir, 'crds', 'ollamamodels.models.shoshizan.io.yaml'), 'utf8'))[0];
    expect(JSON.parse(config.data['crd.json'] ?? '')).toEqual(crd);
    // A second release leaves the CRD to the first; without the operator there is nothing to do.
    for (const set of ['modelOperator.installCRD=false', 'modelOperator.enabled=false']) {
      const names = docs(helm(['template', 'shoshizan', chartDir, '--set', set]).stdout).filter(isHook).map((d) => (d.metadata as { name: string }).name);
      expect({ set, names: names.filter((n) => n.includes('ollamamodel-crd')) }).toEqual({ set, names: [] });
    }
  });

  it('has a helm test pod that asks every service for readiness', () => {
    const withTests = docs(helm(['template', 'shoshizan', chartDir]).stdout);
    const pod = withTests.find((d) => d.kind === 'Pod') as { metadata: { annotations: Record<string, string> }; spec: { containers: { command: string[] }[] } };
    expect(pod.metadata.annotations['helm.sh/hook']).toBe('test');
    expect(pod.spec.containers[0]?.command.slice(3)).toEqual([
      'http://shoshizan-gateway:3000/health/ready',
      'http://shoshizan-kafka-producer:3001/health/ready',
      'http://shoshizan-kafka-consumer:3002/health/ready',
      'http://shoshizan-gpt-api:3003/health/ready',
    ]);
  });
});

describe('schema validation (kubeconform, strict, offline schemas)', () => {
  const cases: [string, () => string][] = [
    ['plain synth', () => plainYaml()],
    ['chart, defaults', () => render()],
    ...SCENARIOS.map((f): [string, () => string] => [`chart, ${f}`, () => render(f)]),
    ...SCENARIOS.map((f): [string, () => string] => [
      `plain synth, ${f}`,
      () => plainYaml(parse(readFileSync(join(COMMITTED, 'ci', f), 'utf8')) as ShoshizanOverrides),
    ]),
  ];
  for (const version of KUBERNETES_VERSIONS) {
    it.each(cases)(`%s is valid for Kubernetes ${version} and the CRDs of KEDA, Strimzi and the Prometheus Operator`, (_name, manifests) => {
      const result = kubeconform(manifests(), { kubernetesVersion: version });
      expect(result.problems).toEqual([]);
      expect(result.valid).toBe(true);
      expect(result.resources).toBeGreaterThan(30);
    });
  }
});

/**
 * kube-score findings we accept, each with its reason. Anything else fails the test.
 */
const ACCEPTED: Record<string, string> = {
  // Our images are tagged by release (global.imageTag); digests are for the deployer to pin.
  'container-image-pull-policy': 'IfNotPresent with versioned tags is what we want; Always costs a registry round trip per start.',
  // No CPU limits on purpose: throttling hurts streaming latency; requests reserve the CPU.
  'container-resources': 'CPU limits are left out on purpose (throttling); memory limits are set.',
  'container-cpu-requests-equal-limits': 'No CPU limits on purpose.',
  'container-memory-requests-equal-limits': 'Memory limits above requests let a service absorb bursts.',
  // Third-party images (Ollama, Kafka, PostgreSQL) run as the users they were built for.
  'container-security-context-user-group-id': 'kube-score wants ids above 10000; our images use 1000 (node), 999 (postgres).',
  'container-ephemeral-storage-request-and-limit': 'Only /tmp emptyDirs, each with a sizeLimit.',
  // Stateful dev components (bundled Kafka/PostgreSQL, Ollama) are single-replica by default.
  'statefulset-has-poddisruptionbudget': 'Bundled Kafka/PostgreSQL are for development; Ollama pods are expendable (models on volumes).',
  'statefulset-has-host-podantiaffinity': 'One replica by default; GPU placement comes from nodeSelector/tolerations.',
  'deployment-has-host-podantiaffinity': 'Topology spread constraints are used instead of anti-affinity.',
  'container-security-context-readonlyrootfilesystem': 'Only the bundled (development) Kafka: its image writes its generated config.',
  'networkpolicy-targets-pod': "The helm-test policy selects the `helm test` pod, which exists only while it runs.",
  'deployment-replicas': "KEDA owns kafka-consumer's replicas (min 1, scale from lag); the kind profile runs one of each on purpose.",
};

describe('best practices (kube-score)', () => {
  it.each([
    ['defaults', undefined],
    ...SCENARIOS.map((f): [string, string | undefined] => [f, f]),
  ])('finds nothing but the accepted findings with %s', (_name, file) => {
    const findings = kubeScore(render(file), { ignoreTests: Object.keys(ACCEPTED) });
    const serious = findings.filter((f) => f.grade === 'CRITICAL' || f.grade === 'WARNING');
    expect(serious.map((f) => `${f.object}: ${f.check}: ${f.comments.join('; ')}`)).toEqual([]);
  });

  it('would flag a Deployment without resources (the check works)', () => {
    const bad = `apiVersion: apps/v1
kind: Deployment
metadata: { name: bad }
spec:
  selector: { matchLabels: { app: bad } }
  template:
    metadata: { labels: { app: bad } }
    spec: { containers: [{ name: c, image: "nginx:1.27" }] }
`;
    const findings = kubeScore(bad, { ignoreTests: [] });
    expect(findings.some((f) => f.check === 'container-resources' && f.grade === 'CRITICAL')).toBe(true);
  });
});
