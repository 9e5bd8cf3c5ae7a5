import { CONSUMER_GROUPS, RETRY_TOPICS, TOPICS, ollamaModelSpecSchema, toStructuralSchema, z, type OllamaModelSpec } from '@shoshizan/shared-interfaces';
import { setting, type DeepPartial, type JsonSchema, type ValuesOf } from './registry';

/**
 * Every setting a production user changes: the chart's values.yaml and values.schema.json
 * are written from these, and a plain synth takes the same shape as overrides. Defaults give
 * a self-contained install (Kafka and PostgreSQL in the cluster, Ollama on a GPU node);
 * charts/shoshizan/ci/ holds the production variants.
 */

const quantity: JsonSchema = { anyOf: [{ type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$' }, { type: 'number' }] };
const resourcesSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    requests: { type: 'object', additionalProperties: quantity },
    limits: { type: 'object', additionalProperties: quantity },
  },
};
const stringMap: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };
const tolerationsSchema: JsonSchema = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    properties: {
      key: { type: 'string' },
      operator: { enum: ['Exists', 'Equal'] },
      value: { type: 'string' },
      effect: { enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
      tolerationSeconds: { type: 'integer' },
    },
  },
};

function resources(requests: { cpu: string; memory: string }, memoryLimit: string) {
  return setting.object(
    { requests, limits: { memory: memoryLimit } },
    'Container resources. Requests set scheduling; a memory limit catches leaks. No CPU limit by default (throttling hurts latency).',
    resourcesSchema,
  );
}

/** The HTTP services that scale on CPU with a HorizontalPodAutoscaler. */
function httpService(description: string, replicas: number, res: ReturnType<typeof resources>) {
  return {
    replicas: setting.int(replicas, `${description}: replicas when autoscaling is off.`, { minimum: 1 }),
    resources: res,
    autoscaling: {
      enabled: setting.bool(true, 'Scale on CPU with a HorizontalPodAutoscaler.'),
      minReplicas: setting.int(replicas, 'Fewest replicas the autoscaler keeps.', { minimum: 1 }),
      maxReplicas: setting.int(6, 'Most replicas the autoscaler starts.', { minimum: 1 }),
      targetCPUUtilizationPercentage: setting.int(70, 'Average CPU use (of requests) the autoscaler aims at.', { minimum: 1, maximum: 100 }),
    },
    image: setting.string('', 'Full image reference; empty: <global.imageRegistry>/<component>:<global.imageTag>.'),
  };
}

/**
 * An OllamaModel's spec as values.schema.json checks an item of `ollama.models`: the JSON
 * Schema of the zod schema the CRD is generated from too (shared-interfaces'
 * ollamaModelSpecSchema, through the same toStructuralSchema as ollamaModelCrd()), as draft-07
 * like the rest of the file. Two changes for values: unknown keys are refused (typos, as
 * everywhere in values), and the CRD's CEL rule on `source` (which JSON Schema cannot run) is
 * written as JSON Schema: exactly one of its two keys.
 */
function ollamaModelSpecValuesSchema(): JsonSchema {
  const strict = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strict);
    if (node === null || typeof node !== 'object') return node;
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(node)) if (!key.startsWith('x-kubernetes-')) out[key] = strict(value);
    if (out.type === 'object' && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
    return out;
  };
  const input = z.toJSONSchema(ollamaModelSpecSchema, { io: 'input', target: 'draft-7', unrepresentable: 'throw' });
  const schema = strict(toStructuralSchema(input)) as { properties: { source: JsonSchema } };
  schema.properties.source = { ...schema.properties.source, minProperties: 1, maxProperties: 1 };
  return schema;
}

const defaultModels: OllamaModelSpec[] = [{ name: 'gemma3:270m', source: { registry: { reference: 'library/gemma3:270m' } }, default: true }];

const networkPolicyPortsSchema: JsonSchema = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['port'],
    properties: {
      protocol: { enum: ['TCP', 'UDP', 'SCTP'] },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      endPort: { type: 'integer', minimum: 1, maximum: 65535 },
    },
  },
};

const requestPartitions = TOPICS.requests.partitions;

export const declarations = {
  global: {
    imageRegistry: setting.string('ghcr.io/shoshizan', 'Registry and path the Shoshizan images are pulled from.'),
    imageTag: setting.string('0.1.0', 'Tag of the Shoshizan images.'),
    imagePullPolicy: setting.oneOf(['IfNotPresent', 'Always', 'Never'] as const, 'IfNotPresent', 'Pull policy of every container.'),
    imagePullSecrets: setting.object([] as { name: string }[], 'Secrets for a private registry.', {
      type: 'array',
      items: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false },
    }),
    logLevel: setting.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, 'info', 'Log level of the services.'),
    shutdownDelaySeconds: setting.int(
      5,
      'Seconds a service keeps serving after SIGTERM, its readiness failing, before it closes: the time the Endpoints, kube-proxy and the Ingress controller take to stop sending it requests. Counts within its 25 s shutdown.',
      { minimum: 0, maximum: 20 },
    ),
  },
  auth: {
    existingSecret: setting.string('shoshizan-auth', 'Secret holding `jwt-secret` (32+ characters) and, optionally, `admin-password`.', { minLength: 1 }),
    adminUsername: setting.string('admin', 'First admin, created at start when the Secret has `admin-password`.'),
    accessTokenTtlSeconds: setting.int(900, 'Lifetime of access tokens, in seconds.', { minimum: 60 }),
    refreshTokenTtlSeconds: setting.int(2_592_000, 'Lifetime of refresh tokens, in seconds.', { minimum: 300 }),
    oidc: {
      issuer: setting.string('', 'OpenID Connect issuer whose tokens are accepted too; empty: off.'),
      audience: setting.string('', 'Expected `aud` of OIDC tokens.'),
      jwksUrl: setting.string('', "The issuer's JWKS URL."),
    },
  },
  gateway: {
    ...httpService('gateway', 2, resources({ cpu: '200m', memory: '256Mi' }, '512Mi')),
    corsOrigins: setting.string('', 'Extra browser origins allowed by CORS (comma-separated); the UI behind the same Ingress needs none.'),
    responseEventsRetentionDays: setting.int(7, 'Days the events of a finished request are kept for replay.', { minimum: 1 }),
  },
  kafkaProducer: httpService('kafka-producer', 2, resources({ cpu: '100m', memory: '192Mi' }, '384Mi')),
  gptApi: {
    ...httpService('gpt-api', 2, resources({ cpu: '100m', memory: '192Mi' }, '384Mi')),
    defaultTokensPerDay: setting.int(0, 'Tokens a user may use a UTC day, unless a limits row says otherwise; 0: no limit.', { minimum: 0 }),
    defaultRequestsPerMinute: setting.int(0, 'Requests a user may start a minute; 0: no limit.', { minimum: 0 }),
  },
  kafkaConsumer: {
    image: setting.string('', 'Full image reference; empty: <global.imageRegistry>/kafka-consumer:<global.imageTag>.'),
    replicas: setting.int(2, 'Replicas when KEDA autoscaling is off.', { minimum: 1, maximum: requestPartitions }),
    resources: resources({ cpu: '100m', memory: '192Mi' }, '384Mi'),
    retryDelaysMs: setting.string('5000,30000,120000', 'Delays before each retry of a failed request (comma-separated ms), or `none`.', {
      pattern: '^(none|[0-9]+(,[0-9]+){0,2})$',
    }),
    autoscaling: {
      enabled: setting.bool(true, 'Scale on consumer-group lag with a KEDA ScaledObject (KEDA must be installed).'),
      minReplicas: setting.int(1, 'Fewest replicas (0 lets KEDA scale to zero when idle).', { minimum: 0, maximum: requestPartitions }),
      maxReplicas: setting.int(requestPartitions, `Most replicas; more than the ${requestPartitions} request partitions would idle.`, {
        minimum: 1,
        maximum: requestPartitions,
      }),
      activationLagThreshold: setting.int(0, 'Lag above which KEDA wakes a scaled-to-zero consumer.', { minimum: 0 }),
      pollingInterval: setting.int(15, 'Seconds between lag checks.', { minimum: 1 }),
      cooldownPeriod: setting.int(300, 'Seconds after the last activity before scaling to zero.', { minimum: 0 }),
      scaleDownStabilizationSeconds: setting.int(
        300,
        'Seconds the lag must stay low before replicas are removed (the HPA\'s scale-down window; scaling to zero waits `cooldownPeriod`).',
        { minimum: 0, maximum: 3600 },
      ),
      fallbackReplicas: setting.int(2, 'Replicas while KEDA cannot read the lag.', { minimum: 1, maximum: requestPartitions }),
    },
  },
  ui: {
    ...httpService('ui', 2, resources({ cpu: '50m', memory: '64Mi' }, '128Mi')),
    enabled: setting.bool(true, 'Serve the chat UI behind the Ingress.'),
  },
  ollama: {
    image: setting.string('ollama/ollama:0.17.4', 'Ollama image.'),
    replicas: setting.int(1, 'Ollama pods (each holds every model on its own volume).', { minimum: 1 }),
    models: setting.object(
      defaultModels,
      'The models, as OllamaModel specs (models.shoshizan.io/v1alpha1): `name` (as requests name it), `source` (`registry: {reference, insecure, pullSecretName}` or `gguf: {url, sha256, parameters, template, system}`), and optional `roles`, `default` (the model of a request that names none) and `keepAlive`. With the model operator each becomes an OllamaModel named after `name` (gemma3:270m: gemma3-270m), which the operator pulls into every Ollama replica; an Ollama pod takes traffic once it holds every available model. Without it, gpt-api offers these names, which Ollama must already hold (`seedModelsFrom`).',
      { type: 'array', minItems: 1, items: ollamaModelSpecValuesSchema() },
    ),
    numParallel: setting.int(
      4,
      'Generations one Ollama pod runs at once (OLLAMA_NUM_PARALLEL). The capacity setting: times `replicas` it is also each worker\'s in-flight limit, gpt-api\'s concurrency limit and the work per worker replica KEDA scales on.',
      { minimum: 1 },
    ),
    keepAlive: setting.string('10m', 'How long a model stays loaded after a request.'),
    seedModelsFrom: setting.string(
      '',
      'A directory in the Ollama image holding a models store (manifests and blobs, as OLLAMA_MODELS) that an init container copies into each pod\'s volume before Ollama starts, for clusters that cannot reach a model registry; empty: none.',
    ),
    resources: resources({ cpu: '1', memory: '4Gi' }, '16Gi'),
    storage: {
      size: setting.string('50Gi', 'Volume per pod for models.'),
      storageClassName: setting.string('', 'Storage class of the model volumes; empty: the default class.'),
    },
    gpu: {
      enabled: setting.bool(true, 'Schedule Ollama on GPU nodes.'),
      count: setting.int(1, 'nvidia.com/gpu per pod.', { minimum: 1 }),
      nodeSelector: setting.object({ 'nvidia.com/gpu.present': 'true' }, 'Node labels of the GPU nodes.', stringMap),
      tolerations: setting.object(
        [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] as Record<string, string>[],
        'Tolerations for taints on GPU nodes.',
        tolerationsSchema,
      ),
      runtimeClassName: setting.string('', 'RuntimeClass for GPU containers (e.g. `nvidia`); empty: the default.'),
    },
  },
  modelOperator: {
    enabled: setting.bool(
      true,
      'Run the model operator (services/model-operator): it pulls each model of `ollama.models` (an OllamaModel each) into every Ollama replica and sets their readiness gate, and gpt-api lists the models from the OllamaModels. Off: no OllamaModels; gpt-api offers `ollama.models` by name and Ollama pods are ready without waiting for models. On uninstall a pre-delete Job deletes the OllamaModels and waits until the operator has removed them from the replicas (with `helm uninstall --no-hooks` they would hang in deletion: their finalizers and no operator left to clear them).',
    ),
    installCRD: setting.bool(
      true,
      'The OllamaModel CRD (ollamamodels.models.shoshizan.io) is cluster-wide, one for every release. Helm creates it from the chart\'s crds/ at an install where it is missing (not with --skip-crds), and never changes or deletes it there: uninstall leaves the CRD, and so every OllamaModel of every namespace. On: a Job of this release (pre-install and pre-upgrade hook) replaces the CRD\'s spec by this chart\'s version, so `helm upgrade` brings schema changes. A second release in another namespace sets false, so that one release decides the version (upgrade that one first). An existing release upgraded to the first chart with the operator needs `kubectl apply --server-side -f charts/shoshizan/crds/` before (Helm adds crds/ only at install). In a plain synth: whether the manifests hold the CRD.',
    ),
    image: setting.string('', 'Full image reference; empty: <global.imageRegistry>/model-operator:<global.imageTag>.'),
    replicas: setting.int(2, 'Operator replicas: one leads (through a Lease) and reconciles, the others stand by to take over.', { minimum: 1 }),
    resources: resources({ cpu: '50m', memory: '96Mi' }, '256Mi'),
    leaseDurationSeconds: setting.int(
      15,
      'Seconds a leader that stopped renewing its Lease (every 5 s) keeps it before a standby takes over.',
      { minimum: 10, maximum: 300 },
    ),
  },
  kafka: {
    mode: setting.oneOf(['bundled', 'external', 'strimzi'] as const, 'bundled', 'bundled: a single-node KRaft StatefulSet (development); external: your brokers; strimzi: Kafka resources for the Strimzi operator.'),
    bootstrapServers: setting.string('', 'external: host:port list of the brokers.'),
    topicPrefix: setting.string('', 'Prefix of every topic and consumer group (several installs on one cluster).', { pattern: '^[A-Za-z0-9._-]*$' }),
    sasl: {
      enabled: setting.bool(false, 'Authenticate to Kafka with SASL (external or strimzi).'),
      mechanism: setting.oneOf(['plain', 'scram-sha-256', 'scram-sha-512'] as const, 'scram-sha-512', 'SASL mechanism.'),
      existingSecret: setting.string('', 'Secret with `username` and `password` for SASL.'),
    },
    tls: setting.bool(false, 'Connect to Kafka over TLS.'),
    bundled: {
      image: setting.string('apache/kafka:4.1.1', 'Kafka image of the bundled broker.'),
      storage: setting.string('8Gi', 'Volume of the bundled broker.'),
      resources: resources({ cpu: '250m', memory: '1Gi' }, '2Gi'),
    },
    strimzi: {
      replicas: setting.int(3, 'Broker-and-controller nodes in the KafkaNodePool.', { minimum: 1 }),
      version: setting.string('4.1.1', 'Kafka version the Strimzi operator runs.'),
      storage: setting.string('100Gi', 'Volume per Kafka node.'),
      replicationFactor: setting.int(3, 'Replicas of each topic.', { minimum: 1 }),
    },
  },
  postgresql: {
    mode: setting.oneOf(['bundled', 'external'] as const, 'bundled', 'bundled: a PostgreSQL StatefulSet (development); external: your database.'),
    existingSecret: setting.string('shoshizan-postgresql', 'bundled: Secret with `password`; external: Secret with `database-url` (postgres://...).', {
      minLength: 1,
    }),
    bundled: {
      image: setting.string('postgres:17.6-bookworm', 'PostgreSQL image of the bundled database.'),
      storage: setting.string('8Gi', 'Volume of the bundled database.'),
      resources: resources({ cpu: '100m', memory: '256Mi' }, '1Gi'),
    },
  },
  ingress: {
    enabled: setting.bool(true, 'Put the gateway (and UI) behind an Ingress.'),
    className: setting.string('nginx', 'IngressClass.'),
    host: setting.string('shoshizan.localhost', 'Host name the Ingress answers.', { minLength: 1 }),
    annotations: setting.object(
      {
        // Server-Sent Events: no buffering, and streams may stay open for an hour.
        'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
        'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
        'nginx.ingress.kubernetes.io/proxy-body-size': '1m',
      },
      'Annotations of the Ingress (the defaults suit ingress-nginx and streaming; add e.g. cert-manager).',
      stringMap,
    ),
    tls: {
      enabled: setting.bool(false, 'Serve the host over TLS.'),
      secretName: setting.string('shoshizan-tls', 'Secret with the certificate (tls.crt, tls.key).'),
    },
  },
  networkPolicy: {
    enabled: setting.bool(true, 'Deny all traffic but the flows of the architecture.'),
    ingressNamespace: setting.string('ingress-nginx', 'Namespace of the ingress controller, allowed to reach the gateway and UI.'),
    monitoringNamespace: setting.string('monitoring', "Namespace of Prometheus, allowed to reach the services' metrics ports (and only those)."),
    kedaNamespace: setting.string('keda', 'Namespace of KEDA, allowed to read the bundled Kafka for consumer lag.'),
    modelRegistryPorts: setting.object(
      [
        { protocol: 'TCP', port: 443 },
        { protocol: 'TCP', port: 80 },
      ] as { protocol?: string; port: number; endPort?: number }[],
      'Ports Ollama and the model operator may reach on any address, to pull models (registries and GGUF URLs are outside the cluster); add the port of a private registry, e.g. 5000.',
      networkPolicyPortsSchema,
    ),
  },
  tracing: {
    otlpEndpoint: setting.string(
      '',
      "OTLP/HTTP base URL of an OpenTelemetry Collector (e.g. http://otel-collector.monitoring:4318): every service exports its spans to <this>/v1/traces. Empty: nothing is exported, yet trace ids still travel and reach the log lines.",
      { pattern: '^(https?://.+)?$' },
    ),
    samplingRatio: setting.string(
      '1',
      "Share of new traces recorded, 0 to 1 (a string: '0.1'); a caller's sampling decision in its traceparent is followed.",
      { pattern: '^(0(\\.[0-9]+)?|1(\\.0+)?)$' },
    ),
  },
  metrics: {
    serviceMonitor: {
      enabled: setting.bool(true, 'ServiceMonitors for the Prometheus Operator.'),
      interval: setting.string('30s', 'Scrape interval.'),
      labels: setting.object({}, 'Extra labels (e.g. the `release` your Prometheus selects).', stringMap),
    },
    prometheusRule: {
      enabled: setting.bool(true, "A PrometheusRule for the Prometheus Operator with Shoshizan's alerts (SLO burn rates, Kafka, models) and their recording rules."),
      labels: setting.object({}, 'Extra labels (e.g. the `release` the ruleSelector of your Prometheus selects).', stringMap),
      runbookBaseUrl: setting.string(
        'docs/runbooks',
        "Where the runbooks are: each alert's runbook_url is <this>/<AlertName>.md. Point it at docs/runbooks/ of this repository where your team reads it.",
      ),
    },
    grafanaDashboard: {
      enabled: setting.bool(true, 'A ConfigMap per Grafana dashboard (overview, pipeline, model servers, Kubernetes), labelled `grafana_dashboard: "1"` for the Grafana sidecar.'),
      namespace: setting.string('', "Namespace the Grafana sidecar watches, if not the release's."),
      folder: setting.string('Shoshizan', "Grafana folder of the dashboards: the ConfigMaps' `grafana_folder` annotation, for a sidecar whose folderAnnotation is grafana_folder ('': none)."),
    },
  },
} as const;

export type ShoshizanValues = ValuesOf<typeof declarations>;
export type ShoshizanOverrides = DeepPartial<ShoshizanValues>;

/** Consumer groups and topics the manifests name (prefix added where used). */
export const KAFKA_NAMES = {
  requestsTopic: TOPICS.requests.name,
  retryTopics: RETRY_TOPICS.map((key) => TOPICS[key].name),
  workersGroup: CONSUMER_GROUPS.chatWorkers,
  retryGroup: CONSUMER_GROUPS.chatRetryWorkers,
};
