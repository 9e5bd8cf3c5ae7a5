import { Chart, Testing } from 'cdk8s';
import { MODELS_READY_CONDITION, TOPICS, ollamaModelCrd } from '@shoshizan/shared-interfaces';
import { METRICS_PORTS, PORTS, Release } from '../src/constructs/context';
import { ShoshizanService } from '../src/constructs/shoshizan-service';
import { Settings, type Condition } from '../src/settings/registry';
import { declarations, type ShoshizanOverrides } from '../src/settings/values';
import { ShoshizanChart } from '../src/shoshizan-chart';

/** Precise assertions per construct on `Testing.synth`, plus a snapshot of the defaults. */
type Obj = { kind: string; apiVersion: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; data?: Record<string, string>; rules?: any[]; subjects?: any[]; automountServiceAccountToken?: boolean }; // eslint-disable-line @typescript-eslint/no-explicit-any

function synth(overrides: ShoshizanOverrides = {}): Obj[] {
  const chart = new ShoshizanChart(Testing.app(), 'shoshizan', { settings: Settings.plain(declarations, overrides) });
  return Testing.synth(chart) as Obj[];
}

function find(objects: Obj[], kind: string, name: string): Obj {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

/** Each service's API port and metrics port. */
const SERVICES = {
  gateway: [PORTS.gateway, METRICS_PORTS.gateway],
  'kafka-producer': [PORTS.kafkaProducer, METRICS_PORTS.kafkaProducer],
  'kafka-consumer': [PORTS.kafkaConsumer, METRICS_PORTS.kafkaConsumer],
  'gpt-api': [PORTS.gptApi, METRICS_PORTS.gptApi],
} as const;

describe('the Shoshizan services', () => {
  const objects = synth();

  it.each(Object.entries(SERVICES))('%s has a Deployment, Service, ServiceAccount, ConfigMap, PDB and ServiceMonitor', (component, [port, metricsPort]) => {
    const name = `shoshizan-${component}`;
    const deployment = find(objects, 'Deployment', name);
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    expect(container.image).toBe(`ghcr.io/shoshizan/${component}:0.1.0`);
    expect(container.ports).toEqual([
      { containerPort: port, name: 'http' },
      { containerPort: metricsPort, name: 'metrics' },
    ]);
    expect(container.livenessProbe.httpGet).toMatchObject({ path: '/health/live', port });
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/health/ready', port });
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    // Only gpt-api calls the Kubernetes API (its model catalog, with the model operator).
    expect(pod.automountServiceAccountToken).toBe(component === 'gpt-api');
    expect(pod.serviceAccountName).toBe(name);
    expect(container.resources.requests).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
    expect(container.resources.limits.memory).toEqual(expect.any(String));
    expect(pod.topologySpreadConstraints.map((c: { topologyKey: string }) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    expect(deployment.spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'shoshizan',
      'app.kubernetes.io/instance': 'shoshizan',
      'app.kubernetes.io/component': component,
    });

    const config = find(objects, 'ConfigMap', name);
    expect(config.data?.PORT).toBe(String(port));
    expect(config.data?.METRICS_PORT).toBe(String(metricsPort));
    expect(container.envFrom).toEqual([{ configMapRef: { name } }]);
    expect(deployment.spec.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);

    expect(find(objects, 'Service', name).spec.ports).toEqual([
      { name: 'http', port, targetPort: port },
      { name: 'metrics', port: metricsPort, targetPort: metricsPort },
    ]);
    expect(find(objects, 'ServiceAccount', name)).toMatchObject({ automountServiceAccountToken: false });
    expect(find(objects, 'PodDisruptionBudget', name).spec).toEqual({ maxUnavailable: 1, selector: deployment.spec.selector });
    expect(find(objects, 'ServiceMonitor', name).spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
  });

  it('never holds a secret value: no Secret objects, secrets only as secretKeyRef', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const gateway = find(objects, 'Deployment', 'shoshizan-gateway').spec.template.spec.containers[0];
    expect(gateway.env).toEqual([
      { name: 'JWT_SECRET', valueFrom: { secretKeyRef: { name: 'shoshizan-auth', key: 'jwt-secret' } } },
      { name: 'ADMIN_USERNAME', valueFrom: { secretKeyRef: { name: 'shoshizan-auth', key: 'admin-username', optional: true } } },
      { name: 'ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: 'shoshizan-auth', key: 'admin-password', optional: true } } },
      { name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'shoshizan-postgresql', key: 'password' } } },
      { name: 'DATABASE_URL', value: 'postgres://shoshizan:$(POSTGRES_PASSWORD)@shoshizan-postgresql:5432/shoshizan' },
    ]);
    for (const o of objects.filter((x) => x.kind === 'ConfigMap')) {
      expect(Object.keys(o.data ?? {}).filter((k) => /SECRET|PASSWORD|DATABASE_URL/.test(k))).toEqual([]);
    }
  });

  it('wires the services to each other and to the bundled Kafka and PostgreSQL', () => {
    const gateway = find(objects, 'ConfigMap', 'shoshizan-gateway').data;
    expect(gateway).toMatchObject({
      PRODUCER_URL: 'http://shoshizan-kafka-producer:3001',
      GPT_API_URL: 'http://shoshizan-gpt-api:3003',
      CONSUMER_URL: 'http://shoshizan-kafka-consumer:3002',
      KAFKA_BROKERS: 'shoshizan-kafka:9092',
      KAFKA_ENSURE_TOPICS: 'true',
    });
    // With the model operator, gpt-api's catalog is the OllamaModels of its namespace.
    expect(find(objects, 'ConfigMap', 'shoshizan-gpt-api').data).toMatchObject({
      OLLAMA_HOST: 'http://shoshizan-ollama:11434',
      MODEL_CATALOG: 'kubernetes',
      DEFAULT_MODEL: '',
      ALLOWED_MODELS: '',
    });
  });

  it('gives every service tracing.* as OpenTelemetry variables (the UI serves files and traces nothing)', () => {
    const traced = synth({ tracing: { otlpEndpoint: 'http://otel-collector.monitoring:4318', samplingRatio: '0.1' } });
    for (const component of Object.keys(SERVICES)) {
      expect(find(traced, 'ConfigMap', `shoshizan-${component}`).data).toMatchObject({
        OTEL_SERVICE_NAME: component,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.monitoring:4318',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.1',
      });
      // By default nothing is exported: an empty endpoint counts as unset.
      expect(find(objects, 'ConfigMap', `shoshizan-${component}`).data).toMatchObject({ OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_TRACES_SAMPLER_ARG: '1' });
    }
    expect(Object.keys(find(traced, 'ConfigMap', 'shoshizan-ui').data ?? {}).filter((key) => key.startsWith('OTEL_'))).toEqual([]);
  });

  it('leaves the replicas to the HPA on CPU for the HTTP services, and sets them when it is off', () => {
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'shoshizan-gateway');
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 6, scaleTargetRef: { kind: 'Deployment', name: 'shoshizan-gateway' } });
    expect(hpa.spec.metrics[0].resource).toEqual({ name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } });
    expect(find(objects, 'Deployment', 'shoshizan-gateway').spec.replicas).toBeUndefined();
    const fixed = synth({ gateway: { autoscaling: { enabled: false }, replicas: 3 } });
    expect(find(fixed, 'Deployment', 'shoshizan-gateway').spec.replicas).toBe(3);
    expect(fixed.some((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'shoshizan-gateway')).toBe(false);
  });

  it('puts the gateway and UI behind one Ingress, with TLS when asked', () => {
    const ingress = find(objects, 'Ingress', 'shoshizan-gateway');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    const rule = ingress.spec.rules[0];
    expect(rule.host).toBe('shoshizan.localhost');
    expect(rule.http.paths.map((p: { path: string; backend: { service: { name: string } } }) => `${p.path} -> ${p.backend.service.name}`)).toEqual([
      '/v1 -> shoshizan-gateway',
      '/health -> shoshizan-gateway',
      '/docs -> shoshizan-gateway',
      '/ -> shoshizan-ui',
    ]);
    expect(ingress.spec.tls).toBeUndefined();
    expect(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-buffering']).toBe('off');
    const tls = find(synth({ ingress: { host: 'chat.example.com', tls: { enabled: true, secretName: 'cert' } } }), 'Ingress', 'shoshizan-gateway');
    expect(tls.spec.tls).toEqual([{ hosts: ['chat.example.com'], secretName: 'cert' }]);
    const noUi = find(synth({ ui: { enabled: false } }), 'Ingress', 'shoshizan-gateway');
    expect(noUi.spec.rules[0].http.paths.map((p: { path: string }) => p.path)).toEqual(['/']);
  });
});

describe('capacity, set in one place', () => {
  it('makes Ollama\'s slots times its pods the workers\' in-flight limit, gpt-api\'s limit and KEDA\'s target', () => {
    const objects = synth({ ollama: { numParallel: 3, replicas: 2 } });
    const env = (component: string) =>
      find(objects, 'StatefulSet', 'shoshizan-ollama').spec.template.spec.containers[0].env.find(
        (e: { name: string }) => e.name === component,
      )?.value;
    expect(env('OLLAMA_NUM_PARALLEL')).toBe('3');
    expect(find(objects, 'ConfigMap', 'shoshizan-kafka-consumer').data?.WORKER_MAX_IN_FLIGHT).toBe('6');
    expect(find(objects, 'ConfigMap', 'shoshizan-gpt-api').data?.OLLAMA_MAX_CONCURRENCY).toBe('6');
    const so = find(objects, 'ScaledObject', 'shoshizan-kafka-consumer');
    expect(so.spec.triggers.map((t: { metadata: { lagThreshold: string } }) => t.metadata.lagThreshold)).toEqual(['6', '6', '6', '6']);
  });
});

describe('kafka-consumer autoscaling (KEDA)', () => {
  it('scales on the lag of both consumer groups, capped at the request partitions, with a fallback', () => {
    const objects = synth();
    const so = find(objects, 'ScaledObject', 'shoshizan-kafka-consumer');
    expect(so.apiVersion).toBe('keda.sh/v1alpha1');
    expect(so.spec).toMatchObject({
      scaleTargetRef: { name: 'shoshizan-kafka-consumer' },
      minReplicaCount: 1,
      maxReplicaCount: TOPICS.requests.partitions,
      fallback: { failureThreshold: 3, replicas: 2 },
    });
    expect(so.spec.triggers.map((t: { metadata: Record<string, string> }) => t.metadata)).toEqual([
      expect.objectContaining({
        bootstrapServers: 'shoshizan-kafka:9092',
        consumerGroup: 'shoshizan.chat-workers',
        topic: 'shoshizan.chat.requests.v1',
        lagThreshold: '4', // the capacity: ollama.numParallel 4 x 1 pod
        activationLagThreshold: '0',
        sasl: 'none',
        tls: 'disable',
      }),
      // Each retry tier with its topic: without one KEDA counts every topic of a new group.
      ...[1, 2, 3].map((n) =>
        expect.objectContaining({ consumerGroup: 'shoshizan.chat-workers.retry', topic: `shoshizan.chat.requests.retry-${n}.v1` }),
      ),
    ]);
    expect(so.spec.triggers.map((t: { name: string }) => t.name)).toEqual(['requests', 'retries-1', 'retries-2', 'retries-3']);
    expect(find(objects, 'Deployment', 'shoshizan-kafka-consumer').spec.replicas).toBeUndefined();
    expect(objects.some((o) => o.kind === 'TriggerAuthentication')).toBe(false);
  });

  it('gives KEDA the SASL credentials through a TriggerAuthentication, and the workers too', () => {
    const objects = synth({ kafka: { mode: 'external', bootstrapServers: 'k:9096', tls: true, sasl: { enabled: true, mechanism: 'scram-sha-256', existingSecret: 'kafka-creds' } } });
    const auth = find(objects, 'TriggerAuthentication', 'shoshizan-kafka-consumer-kafka');
    expect(auth.spec.secretTargetRef).toEqual([
      { parameter: 'username', name: 'kafka-creds', key: 'username' },
      { parameter: 'password', name: 'kafka-creds', key: 'password' },
    ]);
    const so = find(objects, 'ScaledObject', 'shoshizan-kafka-consumer');
    for (const trigger of so.spec.triggers) expect(trigger.authenticationRef).toEqual({ name: 'shoshizan-kafka-consumer-kafka' });
    expect(so.spec.triggers[0].metadata).toMatchObject({ bootstrapServers: 'k:9096', sasl: 'scram_sha256', tls: 'enable' });
    const worker = find(objects, 'Deployment', 'shoshizan-kafka-consumer').spec.template.spec.containers[0];
    expect(worker.env.map((e: { name: string }) => e.name)).toEqual(['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'POSTGRES_PASSWORD', 'DATABASE_URL']);
    expect(find(objects, 'ConfigMap', 'shoshizan-kafka-consumer').data).toMatchObject({ KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-256' });
  });

  it('removes replicas only after the lag stayed low for the scale-down window', () => {
    const window = (objects: Obj[]) =>
      find(objects, 'ScaledObject', 'shoshizan-kafka-consumer').spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown;
    expect(window(synth())).toEqual({ stabilizationWindowSeconds: 300 });
    expect(window(synth({ kafkaConsumer: { autoscaling: { scaleDownStabilizationSeconds: 20 } } }))).toEqual({ stabilizationWindowSeconds: 20 });
  });

  it('sets fixed replicas when KEDA is off', () => {
    const objects = synth({ kafkaConsumer: { autoscaling: { enabled: false }, replicas: 4 } });
    expect(objects.some((o) => o.kind === 'ScaledObject')).toBe(false);
    expect(find(objects, 'Deployment', 'shoshizan-kafka-consumer').spec.replicas).toBe(4);
  });
});

describe('Ollama', () => {
  it('runs on GPU nodes with a volume per pod, ready when it answers and the model operator says it holds the models', () => {
    const objects = synth();
    const sts = find(objects, 'StatefulSet', 'shoshizan-ollama');
    const pod = sts.spec.template.spec;
    const ollama = pod.containers[0];
    expect(ollama.resources.limits).toEqual({ memory: '16Gi', 'nvidia.com/gpu': 1 });
    expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.runtimeClassName).toBeUndefined();
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('50Gi');
    // One container: the model operator pulls the models (no sidecar, no model list here).
    expect(pod.containers.map((c: { name: string }) => c.name)).toEqual(['ollama']);
    expect(ollama.env.map((e: { name: string }) => e.name)).not.toContain('OLLAMA_REQUIRED_MODELS');
    expect(ollama.readinessProbe.httpGet).toEqual({ path: '/', port: 'http' });
    expect(ollama.livenessProbe.httpGet.path).not.toBe(ollama.readinessProbe.httpGet.path);
    expect(pod.readinessGates).toEqual([{ conditionType: MODELS_READY_CONDITION }]);
    expect(sts.spec.serviceName).toBe('shoshizan-ollama-headless');
    const headless = find(objects, 'Service', 'shoshizan-ollama-headless').spec;
    expect(headless).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ name: 'http', port: 11434 }] });
  });

  it('has no readiness gate without the model operator (nobody would set it)', () => {
    const pod = find(synth({ modelOperator: { enabled: false } }), 'StatefulSet', 'shoshizan-ollama').spec.template.spec;
    expect(pod.readinessGates).toBeUndefined();
  });

  it('copies models baked into the image first when asked', () => {
    const pod = (objects: Obj[]) => find(objects, 'StatefulSet', 'shoshizan-ollama').spec.template.spec;
    expect(pod(synth()).initContainers).toBeUndefined();
    const seeded = pod(synth({ ollama: { image: 'reg/ollama:1', seedModelsFrom: '/opt/ollama/seed-models' } }));
    expect(seeded.initContainers).toHaveLength(1);
    expect(seeded.initContainers[0]).toMatchObject({
      name: 'seed-models',
      image: 'reg/ollama:1',
      env: [{ name: 'SEED_MODELS_FROM', value: '/opt/ollama/seed-models' }],
      volumeMounts: [{ name: 'models', mountPath: '/models' }],
      securityContext: { runAsUser: 1000, readOnlyRootFilesystem: true },
    });
    expect(seeded.initContainers[0].command.join(' ')).toContain('cp -R "$SEED_MODELS_FROM"/. /models/');
  });

  it('takes a runtime class and its own placement, and leaves the GPU out on the CPU profile', () => {
    const gpu = find(synth({ ollama: { gpu: { runtimeClassName: 'nvidia', count: 2 } } }), 'StatefulSet', 'shoshizan-ollama').spec.template.spec;
    expect(gpu.runtimeClassName).toBe('nvidia');
    expect(gpu.containers[0].resources.limits['nvidia.com/gpu']).toBe(2);
    const cpu = find(synth({ ollama: { gpu: { enabled: false } } }), 'StatefulSet', 'shoshizan-ollama').spec.template.spec;
    expect(cpu.containers[0].resources.limits).toEqual({ memory: '16Gi' });
    expect(cpu.nodeSelector).toBeUndefined();
    expect(cpu.tolerations).toBeUndefined();
  });
});

describe('the models (ollama.models) and the model operator', () => {
  const models = [
    { name: 'gemma3:270m', source: { registry: { reference: 'library/gemma3:270m' } } },
    { name: 'Team/Llama3.2:1b', source: { gguf: { url: 'https://models.example/l.gguf', sha256: 'a'.repeat(64), parameters: { temperature: 0.2 } } }, default: true, roles: ['staff'], keepAlive: '30m' },
  ];

  it('makes each model an OllamaModel of the release, named after the model, the item as its spec', () => {
    const objects = synth({ ollama: { models } });
    const found = objects.filter((o) => o.kind === 'OllamaModel');
    expect(found.map((o) => o.metadata.name)).toEqual(['gemma3-270m', 'team-llama3-2-1b']);
    expect(found.map((o) => o.spec)).toEqual(models);
    for (const o of found) {
      expect(o.apiVersion).toBe('models.shoshizan.io/v1alpha1');
      expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/instance': 'shoshizan', 'app.kubernetes.io/component': 'ollama-model' });
    }
    // The default: gemma3:270m from the registry, the default model.
    expect(synth().filter((o) => o.kind === 'OllamaModel').map((o) => o.spec)).toEqual([
      { name: 'gemma3:270m', source: { registry: { reference: 'library/gemma3:270m' } }, default: true },
    ]);
  });

  it('puts the CRD first in a plain synth, from ollamaModelCrd(), labelled for no release', () => {
    const objects = synth();
    const [first] = objects;
    expect(first?.kind).toBe('CustomResourceDefinition');
    expect(first?.metadata.name).toBe(ollamaModelCrd().metadata.name);
    expect(first?.spec).toEqual(ollamaModelCrd().spec);
    expect(first?.metadata.labels?.['app.kubernetes.io/instance']).toBeUndefined();
    expect(synth({ modelOperator: { installCRD: false } }).some((o) => o.kind === 'CustomResourceDefinition')).toBe(false);
  });

  it('runs the operator: 2 replicas, its settings, the namespace and pod name from the downward API, probes on 9464', () => {
    const objects = synth();
    const deployment = find(objects, 'Deployment', 'shoshizan-model-operator');
    expect(deployment.spec.replicas).toBe(2);
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    expect(container.image).toBe('ghcr.io/shoshizan/model-operator:0.1.0');
    expect(container.ports).toEqual([{ name: 'metrics', containerPort: METRICS_PORTS.modelOperator }]);
    expect(find(objects, 'ConfigMap', 'shoshizan-model-operator').data).toEqual({
      METRICS_PORT: '9464',
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      OLLAMA_SERVICE: 'shoshizan-ollama-headless',
      OLLAMA_PORT_NAME: 'http',
      LEASE_NAME: 'shoshizan-model-operator',
      LEASE_DURATION_SECONDS: '15',
    });
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'shoshizan-model-operator' } }]);
    expect(container.env).toEqual([
      { name: 'WATCH_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    ]);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/metrics', port: 'metrics' });
    expect(container.resources).toEqual({ requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '256Mi' } });
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(pod).toMatchObject({ serviceAccountName: 'shoshizan-model-operator', automountServiceAccountToken: true });
    expect(find(objects, 'ServiceAccount', 'shoshizan-model-operator').automountServiceAccountToken).toBe(true);
    expect(find(objects, 'Service', 'shoshizan-model-operator').spec.ports).toEqual([{ name: 'metrics', port: 9464, targetPort: 9464 }]);
    expect(find(objects, 'ServiceMonitor', 'shoshizan-model-operator').spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
    expect(find(objects, 'PodDisruptionBudget', 'shoshizan-model-operator').spec).toEqual({ maxUnavailable: 1, selector: deployment.spec.selector });
  });

  it('grants the operator what it touches, in its namespace; the Lease by name where it can', () => {
    const objects = synth();
    const rules = find(objects, 'Role', 'shoshizan-model-operator').rules;
    const flat = (rules ?? []).flatMap((r: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }) =>
      r.resources.map((res) => `${r.apiGroups.join('|')}/${res}${r.resourceNames ? `[${r.resourceNames.join(',')}]` : ''}: ${r.verbs.join(',')}`),
    );
    expect(flat.sort()).toEqual(
      [
        'coordination.k8s.io/leases: create',
        'coordination.k8s.io/leases[shoshizan-model-operator]: get,update',
        'models.shoshizan.io/ollamamodels: get,list,watch,update,patch,delete',
        'models.shoshizan.io/ollamamodels/status: get,update,patch',
        'models.shoshizan.io/ollamamodels/finalizers: update',
        'discovery.k8s.io/endpointslices: get,list,watch',
        '/pods: get,list',
        '/pods/status: get,patch,update',
        '|events.k8s.io/events: create,patch',
      ].sort(),
    );
    expect(find(objects, 'RoleBinding', 'shoshizan-model-operator').subjects).toEqual([{ kind: 'ServiceAccount', name: 'shoshizan-model-operator', namespace: 'shoshizan' }]);
    expect(objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding')).toEqual([]);
  });

  it('lets gpt-api read the OllamaModels of its namespace with its own token, and nothing else', () => {
    const objects = synth();
    expect(find(objects, 'Role', 'shoshizan-gpt-api').rules).toEqual([{ apiGroups: ['models.shoshizan.io'], resources: ['ollamamodels'], verbs: ['get', 'list', 'watch'] }]);
    expect(find(objects, 'RoleBinding', 'shoshizan-gpt-api').subjects).toEqual([{ kind: 'ServiceAccount', name: 'shoshizan-gpt-api', namespace: 'shoshizan' }]);
    const pod = find(objects, 'Deployment', 'shoshizan-gpt-api').spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.containers[0].env).toContainEqual({ name: 'MODEL_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } });
  });

  it('without the operator: no operator, no models, no token for gpt-api, which offers ollama.models by name', () => {
    const objects = synth({ modelOperator: { enabled: false }, ollama: { models } });
    expect(objects.filter((o) => /model-operator|ollama-model|remove-models/.test(o.metadata.labels?.['app.kubernetes.io/component'] ?? ''))).toEqual([]);
    expect(objects.some((o) => o.kind === 'OllamaModel' || o.kind === 'Role' || o.kind === 'RoleBinding')).toBe(false);
    expect(find(objects, 'ConfigMap', 'shoshizan-gpt-api').data).toMatchObject({
      MODEL_CATALOG: 'ollama',
      ALLOWED_MODELS: 'gemma3:270m,Team/Llama3.2:1b',
      DEFAULT_MODEL: 'Team/Llama3.2:1b',
    });
    const pod = find(objects, 'Deployment', 'shoshizan-gpt-api').spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0].env.map((e: { name: string }) => e.name)).not.toContain('MODEL_NAMESPACE');
    // No model marked default: the first.
    expect(find(synth({ modelOperator: { enabled: false } }), 'ConfigMap', 'shoshizan-gpt-api').data?.DEFAULT_MODEL).toBe('gemma3:270m');
  });
});

describe('Kafka and PostgreSQL modes', () => {
  it('bundled: a single-node KRaft StatefulSet and a PostgreSQL StatefulSet', () => {
    const objects = synth();
    const kafka = find(objects, 'StatefulSet', 'shoshizan-kafka').spec.template.spec.containers[0];
    expect(kafka.env).toContainEqual({ name: 'KAFKA_PROCESS_ROLES', value: 'broker,controller' });
    expect(find(objects, 'StatefulSet', 'shoshizan-postgresql').spec.template.spec.containers[0].env).toContainEqual({
      name: 'POSTGRES_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'shoshizan-postgresql', key: 'password' } },
    });
  });

  it('external: nothing of their own; the bootstrap address and database URL from settings and Secret', () => {
    const objects = synth({ kafka: { mode: 'external', bootstrapServers: 'a:9092,b:9092' }, postgresql: { mode: 'external', existingSecret: 'db' } });
    expect(objects.filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.name)).toEqual(['shoshizan-ollama']);
    expect(find(objects, 'ConfigMap', 'shoshizan-gateway').data?.KAFKA_BROKERS).toBe('a:9092,b:9092');
    const env = find(objects, 'Deployment', 'shoshizan-gpt-api').spec.template.spec.containers[0].env;
    expect(env).toEqual([
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'db', key: 'database-url' } } },
      { name: 'MODEL_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    ]);
  });

  it('strimzi: a Kafka, its KafkaNodePool and a KafkaTopic per topic, which the services then leave alone', () => {
    const objects = synth({ kafka: { mode: 'strimzi', topicPrefix: 'p.' } });
    expect(find(objects, 'Kafka', 'shoshizan-kafka').apiVersion).toBe('kafka.strimzi.io/v1');
    expect(find(objects, 'KafkaNodePool', 'shoshizan-kafka-dual').spec).toMatchObject({ replicas: 3, roles: ['controller', 'broker'] });
    const topics = objects.filter((o) => o.kind === 'KafkaTopic');
    expect(topics.map((t) => t.spec.topicName).sort()).toEqual(Object.values(TOPICS).map((t) => `p.${t.name}`).sort());
    const requests = topics.find((t) => t.spec.topicName === `p.${TOPICS.requests.name}`);
    expect(requests?.spec).toMatchObject({ partitions: 6, replicas: 3, config: { 'message.timestamp.type': 'LogAppendTime' } });
    expect(topics.every((t) => t.metadata.labels?.['strimzi.io/cluster'] === 'shoshizan-kafka')).toBe(true);
    expect(find(objects, 'ConfigMap', 'shoshizan-kafka-producer').data).toMatchObject({
      KAFKA_BROKERS: 'shoshizan-kafka-kafka-bootstrap:9092',
      KAFKA_ENSURE_TOPICS: 'false',
      KAFKA_TOPIC_PREFIX: 'p.',
    });
  });
});

describe('ShoshizanService', () => {
  it('refuses a metrics port that is no port or is the API port, naming the field', () => {
    const chart = new Chart(Testing.app(), 'test');
    const props = { release: new Release(Settings.plain(declarations, {})), component: 'svc', port: 3000, image: 'svc', replicas: 1, resources: {}, config: {} };
    expect(() => new ShoshizanService(chart, 'same', { ...props, metricsPort: 3000 })).toThrow('svc: metricsPort must differ from port (both 3000)');
    expect(() => new ShoshizanService(chart, 'big', { ...props, metricsPort: 70000 })).toThrow('svc: metricsPort must be 1-65535, got 70000');
    expect(() => new ShoshizanService(chart, 'none', props)).not.toThrow();
    expect(Testing.synth(chart).filter((o: { kind: string }) => o.kind === 'ServiceMonitor')).toEqual([]);
  });

  it('lets one autoscaler own the replicas, and refuses a second', () => {
    const s = Settings.plain(declarations, {});
    const props = { release: new Release(s), component: 'svc', port: 3000, image: 'svc', replicas: 1, resources: {}, config: {} };
    const service = new ShoshizanService(new Chart(Testing.app(), 'test'), 'svc', props);
    service.markHasAutoscaler(s.values.ui.enabled);
    expect(() => service.markHasAutoscaler(s.values.ui.enabled)).toThrow('shoshizan-svc: a second autoscaler; one owns the replicas');
  });
});

describe('NetworkPolicies', () => {
  const objects = synth();
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');

  it('deny everything of the release by default, but DNS', () => {
    const deny = find(policies, 'NetworkPolicy', 'shoshizan-default-deny');
    expect(deny.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/instance': 'shoshizan', 'app.kubernetes.io/name': 'shoshizan' } });
    expect(deny.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(deny.spec.ingress).toEqual([]);
    expect(deny.spec.egress).toHaveLength(1);
  });

  it('allow only the flows of the architecture', () => {
    const from = (name: string) =>
      find(policies, 'NetworkPolicy', `shoshizan-${name}`).spec.ingress.flatMap((r: { from: { podSelector?: { matchLabels: Record<string, string> }; namespaceSelector?: { matchLabels: Record<string, string> } }[] }) =>
        r.from.map((p) => p.podSelector?.matchLabels['app.kubernetes.io/component'] ?? p.namespaceSelector?.matchLabels['kubernetes.io/metadata.name']),
      );
    expect(from('gpt-api').sort()).toEqual(['gateway', 'helm-test', 'kafka-consumer', 'monitoring']);
    expect(from('kafka-producer').sort()).toEqual(['gateway', 'helm-test', 'monitoring']);
    expect(from('ollama')).toEqual(['gpt-api', 'model-operator']);
    expect(from('postgresql').sort()).toEqual(['gateway', 'gpt-api', 'kafka-consumer']);
    expect(from('kafka').sort()).toEqual(['gateway', 'kafka-consumer', 'kafka-producer', 'keda']);
    expect(from('ui')).toEqual(['ingress-nginx']);
  });

  it('let Prometheus reach the metrics port of each service and nothing else; the API ports as before', () => {
    type Peer = { podSelector?: { matchLabels: Record<string, string> }; namespaceSelector?: { matchLabels: Record<string, string> } };
    const reach = (name: string) =>
      find(policies, 'NetworkPolicy', `shoshizan-${name}`).spec.ingress.flatMap((r: { from: Peer[]; ports: { protocol: string; port: number }[] }) =>
        r.from.flatMap((p) =>
          r.ports.map(({ protocol, port }) => `${p.podSelector?.matchLabels['app.kubernetes.io/component'] ?? `ns/${p.namespaceSelector?.matchLabels['kubernetes.io/metadata.name']}`} -> ${protocol}/${port}`),
        ),
      );
    expect(reach('gateway')).toEqual(['ns/ingress-nginx -> TCP/3000', 'helm-test -> TCP/3000', 'ns/monitoring -> TCP/9460']);
    // `helm test` asks every service's readiness route on its API port.
    expect(reach('kafka-producer')).toEqual(['gateway -> TCP/3001', 'helm-test -> TCP/3001', 'ns/monitoring -> TCP/9461']);
    expect(reach('kafka-consumer')).toEqual(['gateway -> TCP/3002', 'helm-test -> TCP/3002', 'ns/monitoring -> TCP/9462']);
    expect(reach('gpt-api')).toEqual(['gateway -> TCP/3003', 'kafka-consumer -> TCP/3003', 'helm-test -> TCP/3003', 'ns/monitoring -> TCP/9463']);
    expect(reach('ui')).toEqual(['ns/ingress-nginx -> TCP/8080']);
    expect(reach('model-operator')).toEqual(['ns/monitoring -> TCP/9464']);
    expect(reach('remove-models')).toEqual([]);
    // Each metrics port is the one the pod serves /metrics on, where the ServiceMonitor scrapes.
    for (const [component, [, metricsPort]] of Object.entries(SERVICES)) {
      const container = find(objects, 'Deployment', `shoshizan-${component}`).spec.template.spec.containers[0];
      expect(container.ports).toContainEqual({ containerPort: metricsPort, name: 'metrics' });
    }
    const custom = synth({ networkPolicy: { monitoringNamespace: 'observability' } });
    expect(find(custom.filter((o) => o.kind === 'NetworkPolicy'), 'NetworkPolicy', 'shoshizan-gpt-api').spec.ingress.at(-1)).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } } }],
      ports: [{ protocol: 'TCP', port: 9463 }],
    });
  });

  it('let the model operator, its Jobs and gpt-api reach the API server; Ollama and the operator the model registries', () => {
    type Egress = { to: { ipBlock?: { cidr: string }; podSelector?: { matchLabels: Record<string, string> } }[]; ports?: { protocol: string; port: number }[] };
    const to = (name: string, objects = objects0) =>
      find(objects.filter((o) => o.kind === 'NetworkPolicy'), 'NetworkPolicy', `shoshizan-${name}`).spec.egress.map((r: Egress) =>
        `${r.to.map((p) => p.ipBlock?.cidr ?? p.podSelector?.matchLabels['app.kubernetes.io/component']).join(',')} -> ${(r.ports ?? []).map((p) => `${p.protocol}/${p.port}`).join(',')}`,
      );
    const objects0 = synth();
    expect(to('model-operator')).toEqual(['0.0.0.0/0 -> TCP/443,TCP/6443', 'ollama -> TCP/11434', '0.0.0.0/0 -> TCP/443,TCP/80']);
    expect(to('remove-models')).toEqual(['0.0.0.0/0 -> TCP/443,TCP/6443']);
    expect(to('helm-test')).toEqual(['gateway -> TCP/3000', 'kafka-producer -> TCP/3001', 'kafka-consumer -> TCP/3002', 'gpt-api -> TCP/3003']);
    expect(to('ollamamodel-crd')).toEqual(['0.0.0.0/0 -> TCP/443,TCP/6443']);
    expect(to('ollama')).toEqual(['0.0.0.0/0 -> TCP/443,TCP/80']);
    expect(to('gpt-api')).toEqual(['ollama -> TCP/11434', 'postgresql -> ', '0.0.0.0/0 -> TCP/443,TCP/6443']);
    const off = synth({ modelOperator: { enabled: false } });
    expect(to('gpt-api', off)).toEqual(['ollama -> TCP/11434', 'postgresql -> ']);
    expect(off.some((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'shoshizan-model-operator')).toBe(false);
    const registry = synth({ networkPolicy: { modelRegistryPorts: [{ protocol: 'TCP', port: 5000 }] } });
    expect(to('ollama', registry)).toEqual(['0.0.0.0/0 -> TCP/5000']);
  });

  it('can be turned off', () => {
    expect(synth({ networkPolicy: { enabled: false } }).some((o) => o.kind === 'NetworkPolicy')).toBe(false);
  });
});

describe('the settings registry', () => {
  it('refuses to read a non-boolean as a flag in a chart synth', () => {
    const s = Settings.helm(declarations);
    expect(() => s.choose(s.values.global.imageTag as unknown as Condition, 'a', 'b')).toThrow(/boolean setting/);
  });

  it('merges overrides as Helm merges a values file: maps deeply, lists replaced, null deletes', () => {
    const models = [{ name: 'a', source: { registry: { reference: 'library/a:1' } } }];
    const s = Settings.plain(declarations, {
      ollama: { resources: { requests: { cpu: '2' } }, models, gpu: { nodeSelector: { 'nvidia.com/gpu.present': null } } },
    });
    expect(s.values.ollama.resources).toEqual({ requests: { cpu: '2', memory: '4Gi' }, limits: { memory: '16Gi' } });
    expect(s.values.ollama.models).toEqual(models);
    expect(s.values.ollama.gpu.nodeSelector).toEqual({});
  });
});

it('matches the snapshot of the default manifests', () => {
  expect(synth()).toMatchSnapshot();
});
