import { env, loadConfig, metricsPortApart, kafkaSecurityEnv } from '@shoshizan/service-kit';
import { RETRY_TOPICS, SERVICE_PORTS, z } from '@shoshizan/shared-interfaces';

/** kafka-consumer's environment variables. Each default is what local mode uses. */
export const kafkaConsumerConfigSchema = z.object({
  PORT: env.port(SERVICE_PORTS.kafkaConsumer.port),
  /** Where GET /metrics is served (on HOST too); the API's port has none. */
  METRICS_PORT: env.port(SERVICE_PORTS.kafkaConsumer.metricsPort),
  HOST: env.host(),
  LOG_LEVEL: env.logLevel(),
  KAFKA_BROKERS: env.brokers(),
  KAFKA_CLIENT_ID: z.string().min(1).default('shoshizan-kafka-consumer'),
  KAFKA_TOPIC_PREFIX: env.topicPrefix(),
  KAFKA_ENSURE_TOPICS: env.bool(true),
  ...kafkaSecurityEnv,
  /** Where gpt-api listens. */
  GPT_API_URL: env.url().default(`http://127.0.0.1:${SERVICE_PORTS.gptApi.port}`),
  /**
   * Requests this replica answers at once, from any of its partitions (one conversation's
   * requests one after another). Local mode and the chart set it from the one capacity
   * setting, with gpt-api's and Ollama's parallel generations.
   */
  WORKER_MAX_IN_FLIGHT: env.positiveInt(2),
  /** A generation that sends nothing for this long is abandoned, in ms. */
  GENERATION_IDLE_TIMEOUT_MS: env.positiveInt(120_000),
  /**
   * Consumer session timeout, in ms: how long a dead replica keeps its partitions before
   * another takes them over. Heartbeats keep long answers from triggering a rebalance.
   */
  KAFKA_SESSION_TIMEOUT_MS: env.positiveInt(30_000),
  /**
   * Delay before each retry of a request whose attempt failed for a reason that may pass
   * (comma-separated ms, at most one a retry topic); `none`: dead-letter at once.
   */
  RETRY_DELAYS_MS: z
    .string()
    .transform((value) => (value.trim() === 'none' ? [] : value.split(',').map((s) => s.trim())))
    .pipe(z.array(z.string().regex(/^\d+$/, 'must be whole milliseconds').transform(Number)).max(RETRY_TOPICS.length))
    .default([5_000, 30_000, 120_000]),
  /** Where the delivery count of each request is kept (schema kafka_consumer). */
  DATABASE_URL: env.postgresUrl(),
}).superRefine(metricsPortApart);
export type KafkaConsumerConfig = z.output<typeof kafkaConsumerConfigSchema>;

export const KAFKA_CONSUMER_CONFIG = Symbol('KAFKA_CONSUMER_CONFIG');

export function loadKafkaConsumerConfig(environment: NodeJS.ProcessEnv = process.env): KafkaConsumerConfig {
  return loadConfig('kafka-consumer', kafkaConsumerConfigSchema, environment);
}
