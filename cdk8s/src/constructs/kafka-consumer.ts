import { Construct } from 'constructs';
import * as keda from '../../imports/keda.sh';
import { KAFKA_NAMES } from '../settings/values';
import { METRICS_PORTS, PORTS, type Release } from './context';
import { ShoshizanService } from './shoshizan-service';

export interface KafkaConsumerProps {
  readonly release: Release;
}

/**
 * kafka-consumer: the workers, each able to run the installation's whole capacity at once
 * (Release.capacity). With `kafkaConsumer.autoscaling.enabled` a KEDA ScaledObject
 * scales them on work per replica: the lag of their consumer groups (new requests and
 * retries; running requests count, as they are not committed) against that capacity, between
 * min and max replicas (max at most the request partitions: more would idle), falling back
 * to a fixed count while the lag cannot be read. With SASL a TriggerAuthentication gives KEDA
 * the workers' credentials.
 */
export class KafkaConsumer extends Construct {
  readonly service: ShoshizanService;

  constructor(scope: Construct, id: string, { release }: KafkaConsumerProps) {
    super(scope, id);
    const { s, v } = release;
    const a = v.kafkaConsumer.autoscaling;
    const kedaOn = a.enabled;
    this.service = new ShoshizanService(this, 'service', {
      release,
      component: 'kafka-consumer',
      port: PORTS.kafkaConsumer,
      metricsPort: METRICS_PORTS.kafkaConsumer,
      image: release.image('kafka-consumer', v.kafkaConsumer.image),
      replicas: v.kafkaConsumer.replicas,
      resources: v.kafkaConsumer.resources,
      config: {
        ...release.kafkaConfig(),
        GPT_API_URL: release.url('gpt-api', PORTS.gptApi),
        WORKER_MAX_IN_FLIGHT: s.format`${release.capacity}`,
        RETRY_DELAYS_MS: s.text(v.kafkaConsumer.retryDelaysMs),
      },
      env: s.concat(release.kafkaEnv(), release.databaseEnv()),
      // Workers hand their requests back on SIGTERM within 25 s.
      terminationGracePeriodSeconds: 40,
    });

    const name = release.name('kafka-consumer');
    const labels = release.labels('kafka-consumer');
    const prefix = v.kafka.topicPrefix;
    s.when(kedaOn, this, 'keda', (inner) => {
      this.service.markHasAutoscaler(kedaOn);
      const authName = s.format`${name}-kafka`;
      s.when(release.kafkaSasl, inner, 'auth', (auth) => {
        new keda.TriggerAuthentication(auth, 'trigger-auth', {
          metadata: { name: authName, labels },
          spec: {
            secretTargetRef: [
              { parameter: 'username', name: s.text(v.kafka.sasl.existingSecret), key: 'username' },
              { parameter: 'password', name: s.text(v.kafka.sasl.existingSecret), key: 'password' },
            ],
          },
        });
      });
      const mechanism = v.kafka.sasl.mechanism;
      const kedaSasl = s.choose(
        release.kafkaSasl,
        s.choose(s.equals(mechanism, 'plain'), 'plaintext', s.choose(s.equals(mechanism, 'scram-sha-256'), 'scram_sha256', 'scram_sha512')),
        'none',
      );
      const metadata = (group: string, topic?: string) => ({
        bootstrapServers: release.kafkaBootstrap,
        consumerGroup: s.format`${prefix}${group}`,
        ...(topic ? { topic: s.format`${prefix}${topic}` } : {}),
        lagThreshold: s.format`${release.capacity}`,
        activationLagThreshold: s.format`${a.activationLagThreshold}`,
        offsetResetPolicy: 'earliest',
        sasl: kedaSasl,
        tls: s.choose(release.kafkaTls, 'enable', 'disable'),
      });
      const scaledObject = new keda.ScaledObject(inner, 'scaled-object', {
        metadata: { name, labels },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
          minReplicaCount: s.int(a.minReplicas),
          maxReplicaCount: s.int(a.maxReplicas),
          pollingInterval: s.int(a.pollingInterval),
          cooldownPeriod: s.int(a.cooldownPeriod),
          fallback: { failureThreshold: 3, replicas: s.int(a.fallbackReplicas) },
          advanced: {
            horizontalPodAutoscalerConfig: {
              behavior: { scaleDown: { stabilizationWindowSeconds: s.int(a.scaleDownStabilizationSeconds) } },
            },
          },
          triggers: [
            { type: 'kafka', name: 'requests', metadata: metadata(KAFKA_NAMES.workersGroup, KAFKA_NAMES.requestsTopic) },
            // One trigger per retry tier, each naming its topic: a trigger without one counts
            // the lag of every topic while the group has committed nothing yet (the requests
            // topic included), which held the workers at their maximum on an idle system.
            ...KAFKA_NAMES.retryTopics.map((topic, i) => ({
              type: 'kafka',
              name: `retries-${i + 1}`,
              metadata: metadata(KAFKA_NAMES.retryGroup, topic),
            })),
          ],
        },
      });
      for (let i = 0; i <= KAFKA_NAMES.retryTopics.length; i++) {
        s.setOptional(scaledObject, `/spec/triggers/${i}/authenticationRef`, s.choose(release.kafkaSasl, { name: authName }, null));
      }
    });
  }
}
