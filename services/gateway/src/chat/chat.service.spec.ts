import { Test, type TestingModule } from '@nestjs/testing';
import type { Admin } from 'kafkajs';
import { PinoLogger } from 'nestjs-pino';
import { DomainException, KAFKA_ADMIN } from '@shoshizan/service-kit';
import {
  ENVELOPE_VERSION,
  ErrorCode,
  type CancellationEnvelope,
  type ChatBody,
  type ChatRequestEnvelopeInput,
  type ChatRequestStatus,
  type EnqueueResult,
  type ResponseEvent,
} from '@shoshizan/shared-interfaces';
import { EdgeAdmissionService } from '../admission/edge-admission.service';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { ModelsClient } from '../models/models.client';
import { ChatRequestsRepository, type ChatRequestRecord } from './chat-requests.repository';
import { ChatService } from './chat.service';
import { EventSubscription } from './event-subscription';
import { ProducerClient } from './producer.client';
import { ResponseHub } from './response-hub.service';

/*
 * ChatService's decisions, with every port replaced by an in-memory fake. The service is
 * built by Nest's testing module under the tokens ChatModule provides (its classes, the
 * config and Kafka admin symbols), so a constructor the container cannot fill fails here.
 */

/** A fake of the public members a test needs; the class's private fields make a cast necessary. */
const fake = <T>(members: Partial<T>): T => members as unknown as T;

const ALICE: AuthenticatedUser = { userId: 'alice', roles: ['user'] };
const REQUEST = '0b5ad8b4-6e53-4a8a-9d86-2f1f5a1b3c4d';
const CONVERSATION = '6f1c2a9e-1b7d-4c5e-8f3a-2d4b6c8e0f12';
const body: ChatBody = { messages: [{ role: 'user', content: 'Hi' }], options: {}, timeoutSeconds: 60 };

/** kafka-producer, answering from a script. */
class FakeProducer extends ProducerClient {
  readonly enqueued: ChatRequestEnvelopeInput[] = [];
  readonly cancelled: CancellationEnvelope[] = [];
  refuse: Error | undefined;
  constructor(private readonly log: string[]) {
    super();
  }
  async enqueue(envelope: ChatRequestEnvelopeInput): Promise<EnqueueResult> {
    this.log.push('enqueue');
    if (this.refuse) throw this.refuse;
    this.enqueued.push(envelope);
    return { requestId: envelope.requestId, topic: 'requests', partition: 2, offset: '41' };
  }
  async cancel(cancellation: CancellationEnvelope): Promise<void> {
    this.cancelled.push(cancellation);
  }
}

const record = (status: ChatRequestStatus): ChatRequestRecord => ({
  requestId: REQUEST,
  userId: 'alice',
  conversationId: CONVERSATION,
  model: null,
  status,
  errorCode: null,
  promptTokens: null,
  completionTokens: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
});

const event = (seq: number): ResponseEvent => ({
  version: ENVELOPE_VERSION,
  kind: 'chat.response',
  requestId: REQUEST,
  conversationId: CONVERSATION,
  userId: 'alice',
  seq,
  at: '2026-01-01T00:00:00.000Z',
  type: 'token',
  text: `t${seq}`,
});

/** What ChatService's constructor is given, one fake per injection token. */
interface ChatPorts {
  producer: ProducerClient;
  hub: ResponseHub;
  repository: ChatRequestsRepository;
  models: ModelsClient;
  admission: EdgeAdmissionService;
  logger: PinoLogger;
  config: GatewayConfig;
  admin: Admin;
}

const modules: TestingModule[] = [];
afterEach(async () => {
  await Promise.all(modules.splice(0).map((module) => module.close()));
});

async function buildChatService(ports: ChatPorts): Promise<ChatService> {
  const module = await Test.createTestingModule({
    providers: [
      ChatService,
      { provide: ProducerClient, useValue: ports.producer },
      { provide: ResponseHub, useValue: ports.hub },
      { provide: ChatRequestsRepository, useValue: ports.repository },
      { provide: ModelsClient, useValue: ports.models },
      { provide: EdgeAdmissionService, useValue: ports.admission },
      { provide: PinoLogger, useValue: ports.logger },
      { provide: GATEWAY_CONFIG, useValue: ports.config },
      { provide: KAFKA_ADMIN, useValue: ports.admin },
    ],
  }).compile();
  modules.push(module);
  return module.get(ChatService);
}

interface Scene {
  /** The caller's request, when it has one. */
  status?: ChatRequestStatus;
  stored?: ResponseEvent[];
  /** Whether the conversation named is the caller's to send under. */
  open?: boolean;
  /** The workers' committed offset on the request's partition. */
  committed?: string;
  /** The mean run time of recent answers; undefined: none yet. */
  runMs?: number | undefined;
}

async function setUp(options: Scene = {}) {
  const log: string[] = [];
  const producer = new FakeProducer(log);
  const subscriptions: { requestId: string; options: unknown; subscription: EventSubscription }[] = [];
  const hub = fake<ResponseHub>({
    subscribe: (requestId: string, subscribeOptions: { afterSeq?: number; held?: boolean } = {}) => {
      log.push('subscribe');
      const subscription = new EventSubscription(undefined, subscribeOptions);
      subscriptions.push({ requestId, options: subscribeOptions, subscription });
      return subscription;
    },
  });
  const statuses: { requestId: string; status: string; code?: string }[] = [];
  const queued: { requestId: string; place: { partition: number; offset: string } }[] = [];
  const repository = fake<ChatRequestsRepository>({
    conversationOpenTo: async () => options.open ?? true,
    setStatus: async (requestId, status, code) => {
      statuses.push({ requestId, status, ...(code ? { code } : {}) });
    },
    markQueued: async (requestId, place) => {
      queued.push({ requestId, place });
    },
    placeOf: async () => ({ partition: 2, offset: '41' }),
    recentRunMs: async () => ('runMs' in options ? options.runMs : 1500),
    findForUser: async (requestId, userId) =>
      requestId === REQUEST && userId === 'alice' && options.status ? record(options.status) : undefined,
    eventsAfter: async (_requestId, afterSeq) => (options.stored ?? []).filter((e) => e.seq > afterSeq),
  });
  const models = fake<ModelsClient>({ requireModel: async () => void log.push('requireModel') });
  const admission = fake<EdgeAdmissionService>({ admit: async () => void log.push('admit') });
  const logger = fake<PinoLogger>({ setContext: () => undefined, info: () => undefined, warn: () => undefined });
  const config = fake<GatewayConfig>({ ENQUEUE_TIMEOUT_MS: 10_000, KAFKA_TOPIC_PREFIX: '' });
  const admin = fake<Admin>({
    fetchOffsets: async () => [{ topic: 'requests', partitions: [{ partition: 2, offset: options.committed ?? '38', metadata: null }] }],
  });
  const service = await buildChatService({ producer, hub, repository, models, admission, logger, config, admin });
  return { service, log, producer, subscriptions, statuses, queued };
}

const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof DomainException ? error.code : error),
  );

describe('ChatService.accept', () => {
  it('subscribes to the events before it enqueues, then notes where the request waits', async () => {
    const { service, log, producer, queued, subscriptions } = await setUp();
    const before = Date.now();
    const accepted = await service.accept(ALICE, { ...body, model: 'gemma3:270m' }, REQUEST);
    expect(log).toEqual(['requireModel', 'admit', 'subscribe', 'enqueue']);
    expect(accepted).toMatchObject({ requestId: REQUEST, enqueued: { partition: 2, offset: '41' } });
    expect(accepted.events).toBe(subscriptions[0]!.subscription);
    expect(queued).toEqual([{ requestId: REQUEST, place: { requestId: REQUEST, topic: 'requests', partition: 2, offset: '41' } }]);
    const envelope = producer.enqueued[0]!;
    expect(envelope).toMatchObject({ requestId: REQUEST, userId: 'alice', roles: ['user'], model: 'gemma3:270m' });
    // The deadline is the body's timeout; the time to be enqueued by, the gateway's.
    const created = Date.parse(envelope.createdAt);
    expect(created).toBeGreaterThanOrEqual(before);
    expect(Date.parse(envelope.deadline) - created).toBe(60_000);
    expect(Date.parse(envelope.enqueueBy!) - created).toBe(10_000);
  });

  it('starts a conversation when the body names none, and asks for no model check without a model', async () => {
    const { service, log, producer } = await setUp();
    const accepted = await service.accept(ALICE, body, REQUEST);
    expect(accepted.conversationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(producer.enqueued[0]!.conversationId).toBe(accepted.conversationId);
    expect(producer.enqueued[0]).not.toHaveProperty('model');
    expect(log).not.toContain('requireModel');
  });

  it("answers another user's conversation as a missing one, before anything is recorded or sent", async () => {
    const { service, log } = await setUp({ open: false });
    expect(await codeOf(service.accept(ALICE, { ...body, conversationId: CONVERSATION }, REQUEST))).toBe(ErrorCode.NotFound);
    expect(log).toEqual([]);
  });

  it('records a refused request as rejected with the refusal’s code, and closes its stream', async () => {
    const { service, producer, statuses, queued, subscriptions } = await setUp();
    producer.refuse = new DomainException(ErrorCode.UpstreamUnavailable, 'kafka-producer is down');
    expect(await codeOf(service.accept(ALICE, body, REQUEST))).toBe(ErrorCode.UpstreamUnavailable);
    expect(statuses).toEqual([{ requestId: REQUEST, status: 'rejected', code: ErrorCode.UpstreamUnavailable }]);
    expect(queued).toEqual([]);
    expect(subscriptions[0]!.subscription.closedSignal.aborted).toBe(true);
  });

  it('records an unexpected failure to enqueue as an internal error', async () => {
    const { service, producer, statuses } = await setUp();
    producer.refuse = new Error('socket hang up');
    await expect(service.accept(ALICE, body, REQUEST)).rejects.toThrow('socket hang up');
    expect(statuses).toEqual([{ requestId: REQUEST, status: 'rejected', code: ErrorCode.Internal }]);
  });
});

describe('ChatService.resume', () => {
  it('sends the stored events after the seq the client has, then stays open for the live ones', async () => {
    const { service, subscriptions } = await setUp({ status: 'running', stored: [event(0), event(1), event(2)] });
    const { events } = await service.resume(ALICE, REQUEST, 0);
    expect(subscriptions[0]!.options).toEqual({ afterSeq: 0, held: true });
    const batches = events.batches();
    expect((await batches.next()).value).toEqual([event(1), event(2)]);
    expect(events.closedSignal.aborted).toBe(false);
    events.close();
  });

  it('ends at once when the request is final and the client has every event', async () => {
    const { service } = await setUp({ status: 'done', stored: [event(0), event(1)] });
    const { events } = await service.resume(ALICE, REQUEST, 1);
    expect(events.closedSignal.aborted).toBe(true);
  });

  it('ends at once for a request refused before it was queued (no events at all)', async () => {
    const { service } = await setUp({ status: 'rejected' });
    const { record: found, events } = await service.resume(ALICE, REQUEST, -1);
    expect(found.status).toBe('rejected');
    expect(events.closedSignal.aborted).toBe(true);
  });

  it('keeps a final request open while stored events remain to send (they end with the final one)', async () => {
    const { service } = await setUp({ status: 'done', stored: [event(0), event(1)] });
    const { events } = await service.resume(ALICE, REQUEST, 0);
    expect(events.closedSignal.aborted).toBe(false);
    events.close();
  });

  it('keeps a request that is not final open even with nothing stored yet', async () => {
    const { service } = await setUp({ status: 'queued' });
    const { events } = await service.resume(ALICE, REQUEST, -1);
    expect(events.closedSignal.aborted).toBe(false);
    events.close();
  });

  it("answers another user's request as a missing one, without subscribing", async () => {
    const { service, subscriptions } = await setUp({ status: 'running' });
    expect(await codeOf(service.resume({ userId: 'bob', roles: ['user'] }, REQUEST, -1))).toBe(ErrorCode.NotFound);
    expect(subscriptions).toEqual([]);
  });
});

describe('ChatService.cancel', () => {
  it.each(['done', 'error', 'cancelled', 'rejected'] as const)('sends nothing for a request that is %s', async (status) => {
    const { service, producer } = await setUp({ status });
    await service.cancel(ALICE, REQUEST, 'changed my mind');
    expect(producer.cancelled).toEqual([]);
  });

  it.each(['accepted', 'queued', 'running'] as const)('sends the cancel of a request that is %s to the worker', async (status) => {
    const { service, producer } = await setUp({ status });
    await service.cancel(ALICE, REQUEST, 'changed my mind');
    expect(producer.cancelled).toEqual([
      expect.objectContaining({ kind: 'chat.cancel', requestId: REQUEST, userId: 'alice', reason: 'changed my mind' }),
    ]);
  });

  it("answers another user's request as a missing one", async () => {
    const { service, producer } = await setUp({ status: 'running' });
    expect(await codeOf(service.cancel({ userId: 'bob', roles: [] }, REQUEST, 'x'))).toBe(ErrorCode.NotFound);
    expect(producer.cancelled).toEqual([]);
  });
});

describe('ChatService: the place in the queue', () => {
  it('counts the requests between the workers’ committed offset and this one', async () => {
    expect(await (await setUp({ committed: '38' })).service.queuePosition({ partition: 2, offset: '41' })).toBe(3);
    // No offset committed yet (-1): everything before it waits.
    expect(await (await setUp({ committed: '-1' })).service.queuePosition({ partition: 2, offset: '41' })).toBe(41);
    // The workers are past it already.
    expect(await (await setUp({ committed: '45' })).service.queuePosition({ partition: 2, offset: '41' })).toBe(0);
  });

  it('estimates the wait from recent run times, and none for the first in line', async () => {
    const { service } = await setUp();
    expect(await service.estimateWaitSeconds(0)).toBe(0);
    expect(await service.estimateWaitSeconds(3)).toBe(5); // 3 × 1.5 s, rounded up
    expect(await (await setUp({ runMs: 0 })).service.estimateWaitSeconds(3)).toBe(1); // never under a second
  });

  it('gives no estimate with nothing to go on', async () => {
    expect(await (await setUp({ runMs: undefined })).service.estimateWaitSeconds(3)).toBeUndefined();
  });

  it('tells a queued request its place, and a running one none', async () => {
    expect(await (await setUp({ status: 'queued', committed: '38' })).service.state(ALICE, REQUEST)).toMatchObject({
      status: 'queued',
      queuePosition: 3,
      estimatedWaitSeconds: 5,
    });
    expect(await (await setUp({ status: 'running' })).service.state(ALICE, REQUEST)).toMatchObject({
      status: 'running',
      queuePosition: null,
      estimatedWaitSeconds: null,
    });
  });
});
