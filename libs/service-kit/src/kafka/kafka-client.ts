import { ConfigResourceTypes, Kafka, logLevel as KafkaLogLevel, type Admin, type LogEntry, type SASLOptions } from 'kafkajs';
import type pino from 'pino';
import './kafkajs-request-queue';
import { TOPICS, topicName, type TopicKey } from '@shoshizan/shared-interfaces';

export interface KafkaClientOptions {
  readonly clientId: string;
  readonly brokers: readonly string[];
  readonly logger: pino.Logger;
  readonly ssl?: boolean;
  readonly sasl?: SASLOptions;
  /** Connection timeout in ms. @default 3000 */
  readonly connectionTimeoutMs?: number;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

const IDEMPOTENT_RETRIES_WARNING = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

/** A kafkajs client whose own log lines go through the service's JSON logger. */
export function createKafka(options: KafkaClientOptions): Kafka {
  const kafkaLogger = options.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    ...(options.ssl ? { ssl: true } : {}),
    ...(options.sasl ? { sasl: options.sasl } : {}),
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    // Our own code decides how to retry a request; the client's retries cover reconnects.
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10_000 },
    logLevel: KafkaLogLevel.INFO,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, timestamp: _timestamp, logger: _logger, ...rest } = log;
        // Settled on purpose (see KafkaPublisher): no transactions here, so no EoS to lose.
        if (message === IDEMPOTENT_RETRIES_WARNING) return;
        kafkaLogger[LEVELS[level] ?? 'info'](rest, message);
      },
  });
}

/**
 * Creates the topics a service needs, with the partition counts of shared-interfaces, when
 * they are missing. Idempotent. Deployments whose topics are managed elsewhere (Strimzi
 * KafkaTopic resources) turn this off with KAFKA_ENSURE_TOPICS=false.
 */
export async function ensureTopics(
  admin: Admin,
  prefix: string,
  keys: readonly TopicKey[],
  logger: pino.Logger,
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = keys.filter((key) => !existing.has(topicName(key, prefix)));
  await warnOnConfigDrift(admin, prefix, keys.filter((key) => existing.has(topicName(key, prefix))), logger);
  if (missing.length === 0) return;
  await admin.createTopics({
    // Waited for below: kafkajs' own wait retries only "leader not available", while a
    // broker that has just created a topic may first answer "does not host this
    // topic-partition", which failed the service's start.
    waitForLeaders: false,
    topics: missing.map((key) => ({
      topic: topicName(key, prefix),
      numPartitions: TOPICS[key].partitions,
      replicationFactor: -1, // the broker's default.replication.factor
      configEntries: Object.entries(TOPICS[key].config).map(([name, value]) => ({ name, value })),
    })),
  });
  await waitForLeaders(admin, missing.map((key) => topicName(key, prefix)));
  logger.info({ topics: missing.map((key) => topicName(key, prefix)) }, 'Created topics');
}

/** Resolves once every partition of `topics` has a leader; throws after `timeoutMs`. */
async function waitForLeaders(admin: Admin, topics: readonly string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delayMs = 100; ; delayMs = Math.min(1000, delayMs * 2)) {
    let last: unknown;
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
      const led = found.length === topics.length && found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (led) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`topics ${topics.join(', ')} had no leaders after ${timeoutMs} ms`, { cause: last });
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

/**
 * Existing topics are not altered (an operator may have tuned them), but a setting the
 * services rely on that differs from shared-interfaces is logged, with the fix.
 */
async function warnOnConfigDrift(admin: Admin, prefix: string, keys: readonly TopicKey[], logger: pino.Logger) {
  const checked = keys.filter((key) => Object.keys(TOPICS[key].config).length > 0);
  if (checked.length === 0) return;
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: checked.map((key) => ({ type: ConfigResourceTypes.TOPIC, name: topicName(key, prefix) })),
  });
  for (const resource of resources) {
    const key = checked.find((k) => topicName(k, prefix) === resource.resourceName);
    if (!key) continue;
    for (const [name, wanted] of Object.entries(TOPICS[key].config)) {
      const actual = resource.configEntries.find((entry) => entry.configName === name)?.configValue;
      if (actual !== undefined && actual !== wanted) {
        logger.warn(
          { topic: resource.resourceName, config: name, actual, wanted },
          `Topic ${resource.resourceName} has ${name}=${actual}, expected ${wanted}; change it with kafka-configs --alter`,
        );
      }
    }
  }
}
