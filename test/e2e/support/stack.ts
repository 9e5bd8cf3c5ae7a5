import { randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Kafka, logLevel, type Admin, type KafkaMessage } from 'kafkajs';
// The services' fix for kafkajs 2.2.4's request queue (a 1 ms timer on every connection,
// and Node 24's TimeoutNegativeWarning): the tests' own Kafka clients get it too.
import '@shoshizan/service-kit/dist/kafka/kafkajs-request-queue';
import { Client } from 'pg';
import {
  HEADERS,
  isFinalEvent,
  responseEventSchema,
  topicName,
  type ResponseEvent,
  type TopicKey,
} from '@shoshizan/shared-interfaces';
import { readTopicToEnd } from './kafka';
import { readSse } from './sse';
import { OwnOllama, createDatabase, freePort, infra, startService, stopService, type RunningService, type ServiceName } from './system';

export const ISSUER = 'shoshizan';
export const AUDIENCE = 'shoshizan';

/** Extra environment per service, on top of what the stack gives each one. */
export type StackEnv = Partial<Record<ServiceName, Record<string, string>>>;

/**
 * One isolated Shoshizan: its own database and topic prefix on the shared local PostgreSQL
 * and Kafka, the four services as separate processes, and the helpers a test talks to it
 * with. Test files each start their own, so they never see each other's messages.
 */
export class Stack {
  readonly runId = `e2e${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  readonly prefix = `${this.runId}.`;
  readonly secret = randomBytes(32).toString('base64url');
  readonly services: Partial<Record<ServiceName, RunningService>> = {};
  readonly kafkaBrokers: string;
  readonly kafka: Kafka;
  readonly admin: Admin;
  db!: Client;
  private database!: { url: string; drop: () => Promise<void> };
  private readonly env: StackEnv;

  /** `kafkaBrokers`: a broker of the test's own instead of local mode's. */
  constructor(env: StackEnv = {}, options: { kafkaBrokers?: string } = {}) {
    this.env = { ...env };
    this.kafkaBrokers = options.kafkaBrokers ?? infra.kafkaBrokers;
    this.kafka = new Kafka({ clientId: `${this.runId}-test`, brokers: this.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    this.admin = this.kafka.admin();
  }

  /** Adds to a service's environment, for its next start. */
  setEnv(name: ServiceName, env: Record<string, string>): void {
    this.env[name] = { ...this.env[name], ...env };
  }

  get gateway(): string {
    return this.service('gateway').url;
  }

  get databaseUrl(): string {
    return this.database.url;
  }

  service(name: ServiceName): RunningService {
    const service = this.services[name];
    if (!service) throw new Error(`${name} is not running`);
    return service;
  }

  /** The environment a service of this stack starts with. */
  envOf(name: ServiceName): Record<string, string> {
    const kafka = { KAFKA_BROKERS: this.kafkaBrokers, KAFKA_TOPIC_PREFIX: this.prefix };
    const base: Record<ServiceName, Record<string, string>> = {
      'gpt-api': { DATABASE_URL: this.database.url, OLLAMA_HOST: infra.ollamaHost, DEFAULT_MODEL: infra.model },
      'kafka-producer': kafka,
      'kafka-consumer': {
        ...kafka,
        DATABASE_URL: this.database.url,
        ...(this.services['gpt-api'] ? { GPT_API_URL: this.services['gpt-api'].url } : {}),
      },
      gateway: {
        ...kafka,
        DATABASE_URL: this.database.url,
        JWT_SECRET: this.secret,
        ...(this.services['kafka-producer'] ? { PRODUCER_URL: this.services['kafka-producer'].url } : {}),
        ...(this.services['kafka-consumer'] ? { CONSUMER_URL: this.services['kafka-consumer'].url } : {}),
        ...(this.services['gpt-api'] ? { GPT_API_URL: this.services['gpt-api'].url } : {}),
      },
    };
    return { ...base[name], ...this.env[name] };
  }

  /** Starts (or restarts) one service of the stack and waits until it is ready. */
  async startService(name: ServiceName, label: string = name): Promise<RunningService> {
    const service = await startService(name, this.envOf(name), `${this.runId}-${label}`);
    this.services[name] = service;
    return service;
  }

  async start(): Promise<void> {
    this.database = await createDatabase(this.runId);
    this.db = new Client({ connectionString: this.database.url });
    await this.db.connect();
    await this.admin.connect();
    // In dependency order, as the system runs them: each waited on until ready.
    for (const name of ['gpt-api', 'kafka-producer', 'kafka-consumer', 'gateway'] as const) {
      await this.startService(name);
    }
  }

  /** Stops every service with SIGTERM; returns their exit codes (null: had to be killed). */
  async stop(): Promise<Record<string, number | null>> {
    const exitCodes: Record<string, number | null> = {};
    for (const name of ['gateway', 'kafka-consumer', 'kafka-producer', 'gpt-api'] as const) {
      const service = this.services[name];
      if (service) exitCodes[name] = await stopService(service);
    }
    await this.removeKafkaState().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
    await this.db?.end().catch(() => undefined);
    await this.database?.drop().catch(() => undefined);
    return exitCodes;
  }

  /** Deletes this stack's topics and consumer groups, so test runs do not pile up in the broker. */
  private async removeKafkaState(): Promise<void> {
    const groups = (await this.admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(this.prefix));
    if (groups.length > 0) await this.admin.deleteGroups(groups).catch(() => undefined);
    const topics = (await this.admin.listTopics()).filter((t) => t.startsWith(this.prefix));
    if (topics.length > 0) await this.admin.deleteTopics({ topics, timeout: 10_000 });
  }

  token(claims: Record<string, unknown> = {}, options: jwt.SignOptions = {}, key = this.secret): string {
    return jwt.sign({ roles: ['user'], ...claims }, key, {
      algorithm: 'HS256',
      subject: 'e2e-user',
      issuer: ISSUER,
      audience: AUDIENCE,
      expiresIn: '10m',
      ...options,
    });
  }

  /** POSTs to /v1/chat; `bearer: null` sends no Authorization header. */
  async chat(body: unknown, bearer: string | null = this.token()): Promise<Response> {
    return fetch(`${this.gateway}/v1/chat`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      body: JSON.stringify(body),
    });
  }

  async requestsTopicSize(): Promise<number> {
    const offsets = await this.admin.fetchTopicOffsets(topicName('requests', this.prefix));
    return offsets.reduce((sum, o) => sum + Number(o.high), 0);
  }

  /** Every message of one of this stack's topics, up to its end as it is now. */
  async readTopic(key: TopicKey): Promise<KafkaMessage[]> {
    return readTopicToEnd(this.kafka, topicName(key, this.prefix), `${this.prefix}inspect`);
  }

  /**
   * Writes a chat request straight to the requests topic, as kafka-producer would (for
   * cases the gateway refuses up front: a past deadline, a vanished model). Returns its id.
   */
  async writeRequest(fields: Record<string, unknown>): Promise<string> {
    const [requestId] = await this.writeRequests([fields]);
    return requestId!;
  }

  /** Writes chat requests in one produce, in order (one conversation's stay in order). */
  async writeRequests(list: readonly Record<string, unknown>[]): Promise<string[]> {
    const envelopes = list.map((fields) => ({
      version: 1,
      kind: 'chat.request',
      requestId: randomUUID(),
      userId: 'e2e-user',
      conversationId: randomUUID(),
      messages: [{ role: 'user', content: 'Say OK.' }],
      deadline: new Date(Date.now() + 120_000).toISOString(),
      createdAt: new Date().toISOString(),
      ...fields,
    }));
    const producer = this.kafka.producer();
    await producer.connect();
    await producer.send({
      topic: topicName('requests', this.prefix),
      messages: envelopes.map((envelope) => ({
        key: envelope.conversationId,
        value: JSON.stringify(envelope),
        headers: { [HEADERS.requestId]: envelope.requestId },
      })),
    });
    await producer.disconnect();
    return envelopes.map((e) => e.requestId);
  }

  /**
   * The events of each request, in seq order, once every one has its final event on the
   * responses topic; throws after `timeoutMs` naming the requests still open.
   */
  async allFinal(requestIds: readonly string[], timeoutMs = 120_000): Promise<Map<string, ResponseEvent[]>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const byRequest = new Map<string, ResponseEvent[]>(requestIds.map((id) => [id, []]));
      for (const message of await this.readTopic('responses')) {
        byRequest.get(message.key?.toString() ?? '')?.push(responseEventSchema.parse(JSON.parse(message.value?.toString() ?? 'null')));
      }
      for (const events of byRequest.values()) events.sort((a, b) => a.seq - b.seq);
      const open = requestIds.filter((id) => !byRequest.get(id)?.some(isFinalEvent));
      if (open.length === 0) return byRequest;
      if (Date.now() > deadline) throw new Error(`${open.length} of ${requestIds.length} requests had no final event after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** The request's events once its final one is on the responses topic (or after 15 s). */
  async finalEventsOf(requestId: string): Promise<ResponseEvent[]> {
    let events: ResponseEvent[] = [];
    for (let i = 0; i < 60 && !events.some(isFinalEvent); i++) {
      await new Promise((r) => setTimeout(r, 250));
      events = await this.eventsOf(requestId);
    }
    return events;
  }

  /** The response events of one request on the responses topic, in seq order. */
  async eventsOf(requestId: string): Promise<ResponseEvent[]> {
    return (await this.readTopic('responses'))
      .filter((m) => m.key?.toString() === requestId)
      .map((m) => responseEventSchema.parse(JSON.parse(m.value?.toString() ?? 'null')))
      .sort((a, b) => a.seq - b.seq);
  }
}

/**
 * Reads a whole SSE stream. Every data line must be a valid response event whose SSE
 * `event` is its type and whose `id` is its seq.
 */
/**
 * A started Stack whose gpt-api talks to an Ollama of the test's own (one a test may stop for
 * an outage), with a model catalog kept 0.5 s and retries after 300 and 600 ms, so that an
 * outage and its retries play out within a test. `parallel`: Ollama's slots.
 */
export async function startStackWithOwnOllama(parallel?: number): Promise<{ stack: Stack; ollama: OwnOllama }> {
  const ollama = new OwnOllama(await freePort(), parallel);
  const stack = new Stack({
    'gpt-api': { MODEL_CATALOG_TTL_MS: '500' },
    'kafka-consumer': { RETRY_DELAYS_MS: '300,600' },
  });
  await ollama.start(`${stack.runId}-ollama`);
  stack.setEnv('gpt-api', { OLLAMA_HOST: ollama.url });
  await stack.start();
  return { stack, ollama };
}

export async function collect(response: Response, onEvent?: (e: ResponseEvent) => void): Promise<ResponseEvent[]> {
  const events: ResponseEvent[] = [];
  if (!response.body) throw new Error('the response has no body');
  for await (const sse of readSse(response.body)) {
    const event = responseEventSchema.parse(JSON.parse(sse.data));
    expect(sse.event).toBe(event.type);
    expect(sse.id).toBe(String(event.seq));
    events.push(event);
    onEvent?.(event);
  }
  return events;
}

/** The text of the token events, in order. */
export function textOf(events: readonly ResponseEvent[]): string {
  return events.map((e) => (e.type === 'token' ? e.text : '')).join('');
}

/** The samples of one metric in a Prometheus text exposition, with their labels. */
export function metricSamples(exposition: string, name: string): { labels: Record<string, string>; value: number }[] {
  const samples: { labels: Record<string, string>; value: number }[] = [];
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ labels, value: Number(match[3]) });
  }
  return samples;
}
