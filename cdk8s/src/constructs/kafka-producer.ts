import { Construct } from 'constructs';
import { METRICS_PORTS, PORTS, type Release } from './context';
import { ShoshizanService } from './shoshizan-service';

export interface KafkaProducerProps {
  readonly release: Release;
}

/** kafka-producer: validates chat requests and makes them durable in Kafka. */
export class KafkaProducer extends ShoshizanService {
  constructor(scope: Construct, id: string, { release }: KafkaProducerProps) {
    const { v } = release;
    super(scope, id, {
      release,
      component: 'kafka-producer',
      port: PORTS.kafkaProducer,
      metricsPort: METRICS_PORTS.kafkaProducer,
      image: release.image('kafka-producer', v.kafkaProducer.image),
      replicas: v.kafkaProducer.replicas,
      resources: v.kafkaProducer.resources,
      autoscaling: v.kafkaProducer.autoscaling,
      config: release.kafkaConfig(),
      env: release.kafkaEnv(),
    });
  }
}
