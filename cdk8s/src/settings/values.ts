import { CONSUMER_GROUPS, RETRY_TOPICS, TOPICS } from '@shoshizan/shared-interfaces';
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
    replicas: setting.int(1, 'Ollama pods (each pulls every model to its own volume).', { minimum: 1 }),
    models: setting.object(['gemma3:270m'], 'Models pulled at start; a pod is ready once all are present.', {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      minItems: 1,
    }),
    defaultModel: setting.string('gemma3:270m', 'Model used when a request names none (one of `models`).', { minLength: 1 }),
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
  },
  metrics: {
    serviceMonitor: {
      enabled: setting.bool(true, 'ServiceMonitors for the Prometheus Operator.'),
      interval: setting.string('30s', 'Scrape interval.'),
      labels: setting.object({}, 'Extra labels (e.g. the `release` your Prometheus selects).', stringMap),
    },
    grafanaDashboard: {
      enabled: setting.bool(true, 'A ConfigMap with the Grafana dashboard, labelled `grafana_dashboard: "1"` for the Grafana sidecar.'),
      namespace: setting.string('', "Namespace the Grafana sidecar watches, if not the release's."),
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
