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

/** Retry tier `n`: kept as long as the requests topic, so a waiting retry is never lost. */
function retryTier(n: 1 | 2 | 3): TopicSpec {
  return { name: `shoshizan.chat.requests.retry-${n}.v1`, partitions: 3, config: { 'retention.ms': String(7 * DAY_MS) } };
}

export const TOPICS = {
  /** Chat requests, keyed by conversation id so one conversation is answered in order. */
  requests: {
    name: 'shoshizan.chat.requests.v1',
    // Partitions no longer bound how many requests run at once (a worker runs many of a
    // partition's conversations at once, see ParallelConsumer); they bound worker replicas
    // (KEDA's most) and so the workers' CPU, which 6 covers with room. Raising it moves
    // conversations between partitions while they may have requests in flight.
    partitions: 6,
    // LogAppendTime: a message's timestamp is when the broker appended it, which decides
    // whether the request met its enqueueBy (see chat-request.ts).
    config: { 'retention.ms': String(7 * DAY_MS), 'min.insync.replicas': '1', 'message.timestamp.type': 'LogAppendTime' },
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
  /**
   * Requests whose attempt failed for a reason that may pass (gpt-api or Ollama down, a
   * timeout), waiting out a delay before the next attempt. One topic a delay tier, so the
   * messages of each are in the order they fall due (see RETRY_TOPICS).
   */
  requestsRetry1: retryTier(1),
  requestsRetry2: retryTier(2),
  requestsRetry3: retryTier(3),
  /**
   * Requests that cannot be processed (poison, a permanent failure, retries used up), with
   * the reason and the attempt count in headers; an admin redrives them to `requests`.
   */
  deadLetter: {
    name: 'shoshizan.chat.requests.dlq.v1',
    partitions: 1,
    config: { 'retention.ms': String(30 * DAY_MS) },
  },
  /**
   * Records any consumer set aside because it could not process them after a bounded
   * number of tries (a response event PostgreSQL refuses, garbage on the cancellations
   * topic), with the reason and where they came from in headers, so no single record stops
   * a partition. Requests go to `deadLetter` instead, where they can be redriven; these are
   * for an admin to read (GET /v1/admin/quarantine) and act on by hand.
   */
  quarantine: {
    name: 'shoshizan.quarantine.v1',
    partitions: 1,
    config: { 'retention.ms': String(30 * DAY_MS) },
  },
} as const satisfies Record<string, TopicSpec>;

export type TopicKey = keyof typeof TOPICS;

/** The retry tiers in order: the n-th retry of a request waits in the n-th of these. */
export const RETRY_TOPICS = ['requestsRetry1', 'requestsRetry2', 'requestsRetry3'] as const satisfies readonly TopicKey[];

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
  /** The same workers, reading the retry topics (a group of its own, so a waiting retry never holds up new requests). */
  chatRetryWorkers: 'shoshizan.chat-workers.retry',
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
  /** Retries so far (0 or absent on the requests topic, n on the n-th retry topic). */
  retries: 'x-retries',
  /** The failure that sent a request to a retry topic. */
  lastErrorCode: 'x-last-error-code',
  lastError: 'x-last-error',
  /** Quarantine headers: why, which consumer, where from, after how many tries. */
  quarantineReason: 'x-quarantine-reason',
  quarantineErrorCode: 'x-quarantine-error-code',
  quarantineConsumer: 'x-quarantine-consumer',
  quarantineSourceTopic: 'x-quarantine-source-topic',
  quarantineSourcePartition: 'x-quarantine-source-partition',
  quarantineSourceOffset: 'x-quarantine-source-offset',
  /** The record's own key (the quarantine topic is keyed by source position). */
  quarantineSourceKey: 'x-quarantine-source-key',
  quarantineTries: 'x-quarantine-tries',
  /** Set on a request an admin sent back from the dead-letter topic (ISO time). */
  redrivenAt: 'x-redriven-at',
} as const;
