// The validation tools themselves: each check is shown to pass what is right and, more to
// the point, to fail what is wrong, so a green chart test means something.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { KUBERNETES_VERSIONS, TOOL_VERSIONS, helm, knownKinds, kubeScore, kubeconform, skaffold, tool } from './support/k8s-tools';

type Manifest = Record<string, unknown>;

const [CURRENT, OLDEST] = KUBERNETES_VERSIONS;

const toYaml = (...manifests: Manifest[]): string => manifests.map((m) => stringify(m)).join('---\n');

/** A Deployment as the chart should write one: pinned image, resources, probes, locked down. */
function deployment(name = 'web'): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { 'app.kubernetes.io/name': name } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': name } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name,
              image: 'registry.example/shoshizan/gateway:1.0.0',
              imagePullPolicy: 'Always',
              ports: [{ name: 'http', containerPort: 8080 }],
              resources: {
                requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '64Mi' },
                limits: { cpu: 1, memory: '128Mi', 'ephemeral-storage': '64Mi' },
              },
              readinessProbe: { httpGet: { path: '/health/ready', port: 'http' } },
              livenessProbe: { httpGet: { path: '/health/live', port: 8080 }, periodSeconds: 20 },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
            },
          ],
        },
      },
    },
  };
}

/** The same Deployment with one change inside its first container. */
function withContainer(change: Record<string, unknown>): Manifest {
  const d = deployment() as { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } };
  Object.assign(d.spec.template.spec.containers[0]!, change);
  return d;
}

describe('the tools', () => {
  it('offers the current Kubernetes release and 1.27', () => {
    expect(CURRENT).toMatch(/^1\.(3[4-9]|[4-9]\d)\.\d+$/);
    expect(OLDEST).toMatch(/^1\.27\.\d+$/);
  });

  it('finds every binary, or says how to install it', () => {
    for (const name of ['helm', 'kubeconform', 'kube-score', 'skaffold'] as const) expect(tool(name)).toMatch(/^\//);
    expect(() => tool('kubectl' as never)).toThrow();
  });

  it('has helm print its pinned version', () => {
    const { stdout, status } = helm(['version', '--template', '{{ .Version }}']);
    expect(status).toBe(0);
    expect(stdout).toBe(TOOL_VERSIONS.helm);
  });

  it('has helm render for the current Kubernetes release by default, not 1.20', () => {
    const chart = mkdtempSync(join(tmpdir(), 'k8s-tools-chart-'));
    try {
      mkdirSync(join(chart, 'templates'));
      writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: probe\nversion: 0.1.0\n');
      writeFileSync(join(chart, 'templates', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe\ndata:\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n');
      const { stdout, stderr, status } = helm(['template', chart]);
      expect(stderr).toBe('');
      expect(status).toBe(0);
      const [major, minor] = CURRENT.split('.');
      expect(stdout).toContain(`kube: "v${major}.${minor}.0"`);
    } finally {
      rmSync(chart, { recursive: true, force: true });
    }
  });

  it('has kubeconform, kube-score and skaffold print their pinned versions', () => {
    expect(spawnVersion('kubeconform', ['-v'])).toBe(TOOL_VERSIONS.kubeconform);
    expect(spawnVersion('kube-score', ['version'])).toContain(`version: ${TOOL_VERSIONS['kube-score'].replace(/^v/, '')},`);
    const { stdout, status } = skaffold(['version'], tmpdir());
    expect(status).toBe(0);
    expect(stdout.trim()).toBe(TOOL_VERSIONS.skaffold);
  });
});

function spawnVersion(name: 'kubeconform' | 'kube-score', args: string[]): string {
  return spawnSync(tool(name), args, { encoding: 'utf8' }).stdout.trim();
}

describe.each(KUBERNETES_VERSIONS)('kubeconform against Kubernetes %s', (kubernetesVersion) => {
  const check = (...manifests: Manifest[]) => kubeconform(toYaml(...manifests), { kubernetesVersion });

  it('passes a valid Deployment, Service, HorizontalPodAutoscaler and PodDisruptionBudget', () => {
    const result = check(
      deployment(),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web' },
        spec: { selector: { 'app.kubernetes.io/name': 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      },
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'web' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
          minReplicas: 2,
          maxReplicas: 5,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
        },
      },
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } } } },
    );
    expect(result).toEqual({ valid: true, problems: [], resources: 4 });
  });

  it('fails an unknown field (strict)', () => {
    const result = check(withContainer({ imagePullPolicyy: 'Always' }));
    expect(result.valid).toBe(false);
    expect(result.problems).toEqual([expect.stringMatching(/^Deployment\/web \(apps\/v1\): \/spec\/template\/spec\/containers\/0: .*'imagePullPolicyy' not allowed/)]);
  });

  it('fails a wrong type', () => {
    const result = check({ ...deployment(), spec: { ...(deployment().spec as Manifest), replicas: 'two' } });
    expect(result.valid).toBe(false);
    expect(result.problems).toEqual([expect.stringContaining('/spec/replicas: got string, want')]);
  });

  it('fails a duplicated key (strict)', () => {
    const yaml = toYaml(deployment()).replace('replicas: 2\n', 'replicas: 2\n  replicas: 3\n');
    expect(kubeconform(yaml, { kubernetesVersion }).valid).toBe(false);
  });

  it('fails a kind it has no schema for instead of skipping it', () => {
    const result = check(deployment(), { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } });
    expect(result).toEqual({ valid: false, resources: 2, problems: ['Widget/w (example.com/v1): could not find schema for Widget'] });
  });

  it('has a schema that compiles for every kind it ships', () => {
    // kubeconform reports a schema it cannot compile as a missing one, so one minimal
    // object per kind proves each was found and compiled (they fail only on content).
    const kinds = knownKinds(kubernetesVersion);
    expect(kinds.length).toBeGreaterThan(200);
    const yaml = toYaml(...kinds.map(({ apiVersion, kind }) => ({ apiVersion, kind, metadata: { name: 'x' } })));
    const result = kubeconform(yaml, { kubernetesVersion });
    expect(result.resources).toBe(kinds.length);
    expect(result.problems.filter((p) => p.includes('could not find schema'))).toEqual([]);
  }, 60_000);

  it('passes the custom resources the chart uses', () => {
    const result = check(
      {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        metadata: { name: 'kafka-consumer' },
        spec: {
          scaleTargetRef: { name: 'kafka-consumer' },
          minReplicaCount: 1,
          maxReplicaCount: 8,
          triggers: [
            {
              type: 'kafka',
              metadata: { bootstrapServers: 'kafka:9092', consumerGroup: 'gpt-workers', topic: 'chat.requests', lagThreshold: '5' },
              authenticationRef: { name: 'kafka-auth' },
            },
          ],
        },
      },
      {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'TriggerAuthentication',
        metadata: { name: 'kafka-auth' },
        spec: { secretTargetRef: [{ parameter: 'sasl', name: 'kafka-credentials', key: 'sasl' }] },
      },
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name: 'gateway' },
        spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'gateway' } }, endpoints: [{ port: 'http', path: '/metrics', interval: '30s' }] },
      },
      {
        apiVersion: 'kafka.strimzi.io/v1',
        kind: 'KafkaTopic',
        metadata: { name: 'chat.requests', labels: { 'strimzi.io/cluster': 'kafka' } },
        spec: { partitions: 12, replicas: 3, config: { 'retention.ms': 604800000, 'min.insync.replicas': 2 } },
      },
      {
        apiVersion: 'kafka.strimzi.io/v1',
        kind: 'KafkaNodePool',
        metadata: { name: 'dual', labels: { 'strimzi.io/cluster': 'kafka' } },
        spec: { replicas: 3, roles: ['controller', 'broker'], storage: { type: 'persistent-claim', size: '20Gi', deleteClaim: false } },
      },
    );
    expect(result).toEqual({ valid: true, problems: [], resources: 5 });
  });

  it('fails a ScaledObject with a misspelled field', () => {
    const result = check({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'kafka-consumer' },
      spec: { scaleTargetRef: { name: 'kafka-consumer' }, maxReplicaCount: 8, trigers: [] },
    });
    expect(result.valid).toBe(false);
    expect(result.problems).toEqual(
      expect.arrayContaining([expect.stringContaining("missing property 'triggers'"), expect.stringContaining("'trigers' not allowed")]),
    );
  });
});

describe(`kubeconform against Kubernetes ${CURRENT}: removed APIs`, () => {
  it.each([
    ['autoscaling/v2beta2', 'HorizontalPodAutoscaler', { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3 }],
    ['policy/v1beta1', 'PodDisruptionBudget', { minAvailable: 1 }],
  ])('fails %s %s', (apiVersion, kind, spec) => {
    const result = kubeconform(toYaml({ apiVersion, kind, metadata: { name: 'web' }, spec }), { kubernetesVersion: CURRENT });
    expect(result).toEqual({ valid: false, resources: 1, problems: [`${kind}/web (${apiVersion}): could not find schema for ${kind}`] });
  });

  it('refuses a Kubernetes version it has no schemas for', () => {
    expect(() => kubeconform(toYaml(deployment()), { kubernetesVersion: '1.20.0' })).toThrow(/no schemas for Kubernetes 1\.20\.0/);
  });
});

describe('kube-score', () => {
  it('finds missing resources on a careless Deployment', () => {
    const findings = kubeScore(toYaml(withContainer({ resources: undefined, image: 'gateway:latest' })));
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ object: 'Deployment/web', check: 'container-resources', grade: 'CRITICAL' }),
        expect.objectContaining({ object: 'Deployment/web', check: 'container-image-tag', grade: 'CRITICAL' }),
      ]),
    );
  });

  it('does not find them on a hardened Deployment', () => {
    const checks = kubeScore(toYaml(deployment())).map((f) => f.check);
    expect(checks).not.toContain('container-resources');
    expect(checks).not.toContain('container-image-tag');
    expect(checks).not.toContain('container-security-context-readonlyrootfilesystem');
  });

  it('leaves out the checks it is told to ignore', () => {
    const yaml = toYaml(withContainer({ resources: undefined }));
    expect(kubeScore(yaml).map((f) => f.check)).toContain('container-resources');
    expect(kubeScore(yaml, { ignoreTests: ['container-resources'] }).map((f) => f.check)).not.toContain('container-resources');
  });
});
