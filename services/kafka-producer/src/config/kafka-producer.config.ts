import { env, loadConfig, metricsPortApart, kafkaSecurityEnv } from '@shoshizan/service-kit';
import { SERVICE_PORTS, z } from '@shoshizan/shared-interfaces';

/** kafka-producer's environment variables. Each default is what local mode uses. */
export const kafkaProducerConfigSchema = z.object({
  PORT: env.port(SERVICE_PORTS.kafkaProducer.port),
  /** Where GET /metrics is served (on HOST too); the API's port has none. */
  METRICS_PORT: env.port(SERVICE_PORTS.kafkaProducer.metricsPort),
  HOST: env.host(),
  LOG_LEVEL: env.logLevel(),
  KAFKA_BROKERS: env.brokers(),
  KAFKA_CLIENT_ID: z.string().min(1).default('shoshizan-kafka-producer'),
  /** Prefix for every topic name; lets several installations share one broker. */
  KAFKA_TOPIC_PREFIX: env.topicPrefix(),
  /** Create missing topics at start-up (turn off where topics are managed elsewhere). */
  KAFKA_ENSURE_TOPICS: env.bool(true),
  ...kafkaSecurityEnv,
  /** How long one produce may wait for the broker's acknowledgement, in ms. */
  KAFKA_PRODUCE_TIMEOUT_MS: env.positiveInt(10_000),
}).superRefine(metricsPortApart);
export type KafkaProducerConfig = z.output<typeof kafkaProducerConfigSchema>;

export const KAFKA_PRODUCER_CONFIG = Symbol('KAFKA_PRODUCER_CONFIG');

export function loadKafkaProducerConfig(environment: NodeJS.ProcessEnv = process.env): KafkaProducerConfig {
  return loadConfig('kafka-producer', kafkaProducerConfigSchema, environment);
}
