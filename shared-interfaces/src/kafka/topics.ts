/**
 * Kafka topic names and layouts. This is the only place they are written down:
 * services, scripts, tests and the Kubernetes manifests all import them from here.
 */
export interface TopicSpec {
  /** Base name; a deployment may put a prefix in front (see `topicName`). */
  readonly name: string;
  /** Partition count. Also the ceiling for consumer replicas of that topic. */
  readonly partitions: number;
  /** Topic-level configuration applied when the topic is created. */
  readonly config: Readonly<Record<string, string>>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const TOPICS = {
  /** Chat requests, keyed by conversation id so one conversation is answered in order. */
  requests: {
    name: 'shoshizan.chat.requests.v1',
    partitions: 6,
    config: { 'retention.ms': String(7 * DAY_MS), 'min.insync.replicas': '1' },
  },
  /** Response events (queued, started, token, done, error, cancelled), keyed by request id. */
  responses: {
    name: 'shoshizan.chat.responses.v1',
    partitions: 6,
    config: { 'retention.ms': String(1 * DAY_MS) },
  },
  /** Cancellation events; every consumer replica reads all of them. */
  cancellations: {
    name: 'shoshizan.chat.cancellations.v1',
    partitions: 1,
    config: { 'retention.ms': String(1 * DAY_MS) },
  },
  /** Requests that cannot be processed (poison, permanent failure), with the reason in headers. */
  deadLetter: {
    name: 'shoshizan.chat.requests.dlq.v1',
    partitions: 1,
    config: { 'retention.ms': String(30 * DAY_MS) },
  },
} as const satisfies Record<string, TopicSpec>;

export type TopicKey = keyof typeof TOPICS;

/**
 * The full topic name for a key. A prefix lets several installations (or test runs) share
 * one broker without seeing each other's messages.
 */
export function topicName(key: TopicKey, prefix = ''): string {
  return `${prefix}${TOPICS[key].name}`;
}

/** Consumer group ids, built the same way as topic names. */
export const CONSUMER_GROUPS = {
  /** kafka-consumer workers share one group: each request is handled by one of them. */
  chatWorkers: 'shoshizan.chat-workers',
} as const;

export function consumerGroup(key: keyof typeof CONSUMER_GROUPS, prefix = ''): string {
  return `${prefix}${CONSUMER_GROUPS[key]}`;
}

/** Message header names. Values are UTF-8 strings. */
export const HEADERS = {
  requestId: 'x-request-id',
  schemaVersion: 'x-schema-version',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  /** Dead-letter headers: why, where from, and after how many attempts. */
  dlqReason: 'x-dlq-reason',
  dlqErrorCode: 'x-dlq-error-code',
  dlqSourceTopic: 'x-dlq-source-topic',
  dlqSourcePartition: 'x-dlq-source-partition',
  dlqSourceOffset: 'x-dlq-source-offset',
  attempt: 'x-attempt',
} as const;
