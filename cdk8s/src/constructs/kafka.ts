import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { TOPICS, type TopicKey } from '@shoshizan/shared-interfaces';
import * as strimzi from '../../imports/kafka.strimzi.io';
import { PORTS, type Release } from './context';
import { containerSecurity, statefulWorkload } from './stateful';

export interface KafkaProps {
  readonly release: Release;
}

/** A cluster id for the bundled broker's storage (KRaft); not a secret. */
const BUNDLED_CLUSTER_ID = 'c2hvc2hpemFuLWRldi0x';

/**
 * Kafka, by `kafka.mode`:
 * - `bundled`: a single-node KRaft StatefulSet (broker and controller), for development;
 * - `external`: nothing here; the services use `kafka.bootstrapServers`;
 * - `strimzi`: a Kafka cluster, its KafkaNodePool and a KafkaTopic per topic of
 *   shared-interfaces, for the Strimzi operator to run (the services do not create topics).
 */
export class Kafka extends Construct {
  constructor(scope: Construct, id: string, { release }: KafkaProps) {
    super(scope, id);
    const { s } = release;
    s.when(release.is('kafka', 'bundled'), this, 'bundled', (inner) => this.bundled(inner, release));
    s.when(release.is('kafka', 'strimzi'), this, 'strimzi', (inner) => this.strimzi(inner, release));
  }

  private bundled(scope: Construct, release: Release): void {
    const { s, v } = release;
    const name = release.name('kafka');
    const labels = release.labels('kafka');
    const selector = release.selectorLabels('kafka');
    const ports = [
      { name: 'kafka', port: PORTS.kafka, targetPort: kplus.k8s.IntOrString.fromNumber(PORTS.kafka) },
      { name: 'controller', port: 9093, targetPort: kplus.k8s.IntOrString.fromNumber(9093) },
    ];
    new kplus.k8s.KubeService(scope, 'service', {
      metadata: { name, labels },
      spec: { clusterIp: 'None', publishNotReadyAddresses: true, selector, ports },
    });
    const env: Record<string, string> = {
      CLUSTER_ID: BUNDLED_CLUSTER_ID,
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://:${PORTS.kafka},CONTROLLER://:9093`,
      KAFKA_ADVERTISED_LISTENERS: s.format`PLAINTEXT://${name}:${PORTS.kafka}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_LOG_DIRS: '/var/lib/kafka/data/logs',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    };
    const sts = statefulWorkload(scope, 'statefulset', {
      release,
      component: 'kafka',
      user: 1000,
      claim: { name: 'data', size: s.text(v.kafka.bundled.storage) },
      containers: [
        {
          name: 'kafka',
          image: s.text(v.kafka.bundled.image),
          env: Object.entries(env).map(([k, value]) => ({ name: k, value })),
          ports: [
            { name: 'kafka', containerPort: PORTS.kafka },
            { name: 'controller', containerPort: 9093 },
          ],
          // The image writes its generated server.properties into /opt/kafka/config.
          securityContext: containerSecurity(1000, { readOnlyRootFilesystem: false }),
          volumeMounts: [{ name: 'data', mountPath: '/var/lib/kafka/data' }],
          readinessProbe: { tcpSocket: { port: kplus.k8s.IntOrString.fromString('kafka') }, periodSeconds: 5, failureThreshold: 3 },
          livenessProbe: { tcpSocket: { port: kplus.k8s.IntOrString.fromString('controller') }, initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 6 },
        },
      ],
    });
    s.set(sts, '/spec/template/spec/containers/0/resources', v.kafka.bundled.resources);
  }

  private strimzi(scope: Construct, release: Release): void {
    const { s, v } = release;
    const cluster = release.name('kafka');
    const labels = { ...release.labels('kafka'), 'strimzi.io/cluster': cluster };
    const rf = s.int(v.kafka.strimzi.replicationFactor);
    new strimzi.Kafka(scope, 'kafka', {
      // Strimzi's v1 API: KRaft and node pools only.
      metadata: { name: cluster, labels: release.labels('kafka') },
      spec: {
        kafka: {
          version: s.text(v.kafka.strimzi.version),
          listeners: [
            { name: 'plain', port: 9092, type: strimzi.KafkaSpecKafkaListenersType.INTERNAL, tls: false },
            { name: 'tls', port: 9093, type: strimzi.KafkaSpecKafkaListenersType.INTERNAL, tls: true },
          ],
          config: {
            'default.replication.factor': rf,
            'offsets.topic.replication.factor': rf,
            'transaction.state.log.replication.factor': rf,
            'transaction.state.log.min.isr': 1,
            'min.insync.replicas': 1,
          },
        },
        entityOperator: { topicOperator: {}, userOperator: {} },
      },
    });
    new strimzi.KafkaNodePool(scope, 'node-pool', {
      metadata: { name: s.format`${cluster}-dual`, labels },
      spec: {
        replicas: s.int(v.kafka.strimzi.replicas),
        roles: [strimzi.KafkaNodePoolSpecRoles.CONTROLLER, strimzi.KafkaNodePoolSpecRoles.BROKER],
        storage: {
          type: strimzi.KafkaNodePoolSpecStorageType.JBOD,
          volumes: [
            {
              id: 0,
              type: strimzi.KafkaNodePoolSpecStorageVolumesType.PERSISTENT_HYPHEN_CLAIM,
              size: s.text(v.kafka.strimzi.storage),
              deleteClaim: false,
              kraftMetadata: strimzi.KafkaNodePoolSpecStorageVolumesKraftMetadata.SHARED,
            },
          ],
        },
      },
    });
    for (const key of Object.keys(TOPICS) as TopicKey[]) {
      const topic = TOPICS[key];
      new strimzi.KafkaTopic(scope, `topic-${key}`, {
        metadata: { name: s.format`${cluster}-${topic.name.replace(/[^a-z0-9-]/g, '-')}`, labels },
        spec: {
          topicName: s.format`${v.kafka.topicPrefix}${topic.name}`,
          partitions: topic.partitions,
          replicas: rf,
          config: { ...topic.config },
        },
      });
    }
    void s;
  }
}
