import { SERVICE_PORTS } from '@shoshizan/shared-interfaces';
import { ApiObject, JsonPatch } from 'cdk8s';
import type { Operand } from '../settings/expression';
import type { Condition } from '../settings/registry';
import type { Settings } from '../settings/registry';
import { declarations } from '../settings/values';

export type ShoshizanSettings = Settings<typeof declarations>;

/** The chart's version, and the version of Shoshizan it deploys. */
export const CHART_VERSION = '0.1.0';
export const APP_VERSION = '0.1.0';

/**
 * What every construct shares: the settings, and the names and labels of the release. Names
 * are `<release>-<component>`; labels are the app.kubernetes.io set (selectors use only name,
 * instance and component, which never change on an upgrade).
 */
export class Release {
  /** The settings as constructs read them (booleans as conditions). */
  readonly v: ShoshizanSettings['values'];

  constructor(readonly s: ShoshizanSettings) {
    this.v = s.values;
  }

  name(component: string): string {
    return this.s.format`${this.s.releaseName}-${component}`;
  }

  selectorLabels(component: string): Record<string, string> {
    return {
      'app.kubernetes.io/name': 'shoshizan',
      'app.kubernetes.io/instance': this.s.releaseName,
      'app.kubernetes.io/component': component,
    };
  }

  labels(component: string): Record<string, string> {
    return {
      ...this.selectorLabels(component),
      'app.kubernetes.io/part-of': 'shoshizan',
      'app.kubernetes.io/version': this.s.expression(APP_VERSION, '$.Chart.AppVersion'),
      'app.kubernetes.io/managed-by': this.s.expression('cdk8s', '$.Release.Service'),
      ...(this.s.mode === 'helm' ? { 'helm.sh/chart': this.s.expression('', 'include "shoshizan.chart" $') } : {}),
    };
  }

  /**
   * Generations the installation runs at once, set in one place: Ollama's parallel slots a
   * pod (`ollama.numParallel`, its OLLAMA_NUM_PARALLEL) times its pods. It is also each
   * worker's in-flight limit (WORKER_MAX_IN_FLIGHT: one worker replica alone can fill every
   * slot), gpt-api's concurrency limit (OLLAMA_MAX_CONCURRENCY: past it a request waits in
   * gpt-api, in order, rather than in Ollama) and the work per worker replica KEDA aims at
   * (its lag threshold: a replica's lag counts its running requests too, since they are not
   * committed until final).
   */
  get capacity(): number {
    return this.s.product(this.v.ollama.numParallel, this.v.ollama.replicas);
  }

  /** A Shoshizan image: the override, or <registry>/<component>:<tag>. */
  image(component: string, override: Operand<string>): string {
    return this.s.fallback(override, this.s.format`${this.v.global.imageRegistry}/${component}:${this.v.global.imageTag}`);
  }

  /** Kafka's bootstrap address for the mode in use. */
  get kafkaBootstrap(): string {
    const bundled = this.s.format`${this.name('kafka')}:9092`;
    const strimzi = this.s.format`${this.name('kafka')}-kafka-bootstrap:${this.s.choose(this.kafkaTls, '9093', '9092')}`;
    return this.s.choose(
      this.s.equals(this.v.kafka.mode, 'external'),
      this.v.kafka.bootstrapServers,
      this.s.choose(this.s.equals(this.v.kafka.mode, 'strimzi'), strimzi, bundled),
    );
  }

  /** The model operator runs (`modelOperator.enabled`): OllamaModels, readiness gates, gpt-api's catalog from them. */
  get modelOperator(): Condition {
    return this.v.modelOperator.enabled;
  }

  get kafkaTls(): Condition {
    return this.v.kafka.tls;
  }

  get kafkaSasl(): Condition {
    return this.v.kafka.sasl.enabled;
  }

  is(setting: 'kafka' | 'postgresql', mode: string): Condition {
    return this.s.equals(this.v[setting].mode, mode);
  }

  /** The Kafka settings of a service that talks to Kafka (ConfigMap part). */
  kafkaConfig(): Record<string, string> {
    const { s, v } = this;
    return {
      KAFKA_BROKERS: this.kafkaBootstrap,
      KAFKA_TOPIC_PREFIX: s.text(v.kafka.topicPrefix),
      // Strimzi's KafkaTopics own the topics there.
      KAFKA_ENSURE_TOPICS: s.choose(this.is('kafka', 'strimzi'), 'false', 'true'),
      KAFKA_SSL: s.choose(this.kafkaTls, 'true', 'false'),
      KAFKA_SASL_MECHANISM: s.choose(this.kafkaSasl, v.kafka.sasl.mechanism, ''),
    };
  }

  /** The Kafka credentials (Secret part), when SASL is on. */
  kafkaEnv(): EnvVar[] {
    const { s, v } = this;
    return s.choose(
      this.kafkaSasl,
      [secretEnv('KAFKA_SASL_USERNAME', s.text(v.kafka.sasl.existingSecret), 'username'), secretEnv('KAFKA_SASL_PASSWORD', s.text(v.kafka.sasl.existingSecret), 'password')],
      [],
    );
  }

  /**
   * DATABASE_URL: from the Secret (external), or built from the bundled database's password
   * (Kubernetes expands $(POSTGRES_PASSWORD); the password must be URL-safe).
   */
  databaseEnv(): EnvVar[] {
    const { s, v } = this;
    return s.choose(
      this.is('postgresql', 'external'),
      [secretEnv('DATABASE_URL', s.text(v.postgresql.existingSecret), 'database-url')],
      [
        secretEnv('POSTGRES_PASSWORD', s.text(v.postgresql.existingSecret), 'password'),
        { name: 'DATABASE_URL', value: s.format`postgres://shoshizan:$(POSTGRES_PASSWORD)@${this.name('postgresql')}:5432/shoshizan` },
      ],
    );
  }

  url(component: string, port: number): string {
    return this.s.format`http://${this.name(component)}:${port}`;
  }
}

/** A container environment variable (Kubernetes' EnvVar). */
export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?:
    | { readonly secretKeyRef: { readonly name: string; readonly key: string; readonly optional?: boolean } }
    | { readonly fieldRef: { readonly fieldPath: string } };
}

/** An environment variable from the pod's own fields (the downward API), e.g. `metadata.namespace`. */
export function fieldEnv(name: string, fieldPath: string): EnvVar {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}

/** An environment variable read from a Secret key. */
export function secretEnv(name: string, secretName: string, key: string, optional = false): EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secretName, key, ...(optional ? { optional: true } : {}) } } };
}

/**
 * The ports the pods listen on: Shoshizan's own from SERVICE_PORTS (the defaults of their
 * PORT, which the manifests also set), the others those their images listen on.
 */
export const PORTS = {
  gateway: SERVICE_PORTS.gateway.port,
  kafkaProducer: SERVICE_PORTS.kafkaProducer.port,
  kafkaConsumer: SERVICE_PORTS.kafkaConsumer.port,
  gptApi: SERVICE_PORTS.gptApi.port,
  ui: SERVICE_PORTS.ui.port,
  ollama: 11434,
  kafka: 9092,
  postgresql: 5432,
} as const;

/**
 * The ports the services serve GET /metrics on, apart from their API (the defaults of their
 * METRICS_PORT): only Prometheus is let in there. The UI has none; the model operator has
 * no API, only this port (GET /metrics and GET /healthz).
 */
export const METRICS_PORTS = {
  gateway: SERVICE_PORTS.gateway.metricsPort,
  kafkaProducer: SERVICE_PORTS.kafkaProducer.metricsPort,
  kafkaConsumer: SERVICE_PORTS.kafkaConsumer.metricsPort,
  gptApi: SERVICE_PORTS.gptApi.metricsPort,
  modelOperator: SERVICE_PORTS.modelOperator.metricsPort,
} as const;

/** Sets a JSON-pointer field on the API object behind a cdk8s-plus construct. */
export function patch(object: ApiObject, path: string, value: unknown): void {
  object.addJsonPatch(JsonPatch.add(path, value));
}

export { declarations };
