import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Admin } from 'kafkajs';
import { DomainException, KAFKA_ADMIN, traceRecordHeaders, withRequestId } from '@shoshizan/service-kit';
import {
  ENVELOPE_VERSION,
  ErrorCode,
  consumerGroup,
  isFinalStatus,
  topicName,
  type ChatBody,
  type ChatRequestState,
  type EnqueueResult,
  type ResponseEvent,
} from '@shoshizan/shared-interfaces';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { EdgeAdmissionService } from '../admission/edge-admission.service';
import { ModelsClient } from '../models/models.client';
import { ChatRequestsRepository, type ChatRequestRecord } from './chat-requests.repository';
import type { EventSubscription } from './event-subscription';
import { ProducerClient } from './producer.client';
import { ResponseHub } from './response-hub.service';

export interface AcceptedChat {
  readonly requestId: string;
  readonly conversationId: string;
  readonly enqueued: EnqueueResult;
  readonly events: EventSubscription;
}

@Injectable()
export class ChatService {
  constructor(
    private readonly producer: ProducerClient,
    private readonly hub: ResponseHub,
    private readonly repository: ChatRequestsRepository,
    private readonly models: ModelsClient,
    private readonly admission: EdgeAdmissionService,
    private readonly logger: PinoLogger,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
  ) {
    logger.setContext(ChatService.name);
  }

  /**
   * Records the request, subscribes to its events, then makes it durable in Kafka. When
   * this resolves the request is accepted: it will be answered even if the caller leaves.
   * The request carries the trace of the HTTP request that made it (its SERVER span, whose
   * parent is the caller's `traceparent` when it sent one): every hop joins that trace.
   */
  accept(user: AuthenticatedUser, body: ChatBody, requestId: string = randomUUID()): Promise<AcceptedChat> {
    return withRequestId(requestId, () => this.acceptAs(user, body, requestId));
  }

  private async acceptAs(user: AuthenticatedUser, body: ChatBody, requestId: string): Promise<AcceptedChat> {
    // A conversation id is the Kafka key its requests are ordered under; another user's is
    // answered as the conversation routes answer it: as if it did not exist.
    if (body.conversationId && !(await this.repository.conversationOpenTo(body.conversationId, user.userId))) {
      throw new DomainException(ErrorCode.NotFound, `No conversation ${body.conversationId}.`);
    }
    if (body.model) await this.models.requireModel(body.model, user.roles);
    const conversationId = body.conversationId ?? randomUUID();
    const now = new Date();
    await this.admission.admit(user, { requestId, conversationId, ...(body.model ? { model: body.model } : {}) });
    const events = this.hub.subscribe(requestId);
    let enqueued: EnqueueResult;
    try {
      enqueued = await this.producer.enqueue({
        version: ENVELOPE_VERSION,
        kind: 'chat.request',
        requestId,
        userId: user.userId,
        roles: [...user.roles],
        conversationId,
        messages: body.messages,
        options: body.options,
        deadline: new Date(now.getTime() + body.timeoutSeconds * 1000).toISOString(),
        enqueueBy: new Date(now.getTime() + this.config.ENQUEUE_TIMEOUT_MS).toISOString(),
        createdAt: now.toISOString(),
        trace: traceRecordHeaders(),
        ...(body.model ? { model: body.model } : {}),
      });
    } catch (error) {
      events.close();
      const code = error instanceof DomainException ? error.code : ErrorCode.Internal;
      await this.repository.setStatus(requestId, 'rejected', code);
      throw error;
    }
    await this.repository.markQueued(requestId, enqueued);
    this.logger.info(
      { requestId, conversationId, partition: enqueued.partition, offset: enqueued.offset },
      'Accepted a chat request',
    );
    return { requestId, conversationId, enqueued, events };
  }

  /**
   * How many requests are ahead of this one on its partition: its offset less the worker
   * group's committed offset there. Approximate (a worker may be mid-way through one).
   */
  async queuePosition(enqueued: Pick<EnqueueResult, 'partition' | 'offset'>): Promise<number> {
    const topic = topicName('requests', this.config.KAFKA_TOPIC_PREFIX);
    try {
      const [offsets] = await this.admin.fetchOffsets({
        groupId: consumerGroup('chatWorkers', this.config.KAFKA_TOPIC_PREFIX),
        topics: [topic],
      });
      const committed = Number(offsets?.partitions.find((p) => p.partition === enqueued.partition)?.offset ?? -1);
      return Math.max(0, Number(enqueued.offset) - Math.max(0, committed));
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not read the queue position');
      return 0;
    }
  }

  /**
   * A rough wait for a request with `position` requests ahead of it: that many times the
   * mean run time of recent answers. Undefined with nothing to go on.
   */
  async estimateWaitSeconds(position: number): Promise<number | undefined> {
    if (position === 0) return 0;
    const runMs = await this.repository.recentRunMs();
    return runMs === undefined ? undefined : Math.max(1, Math.ceil((position * runMs) / 1000));
  }

  /** A request of the caller's, with its place in the queue while it waits there. */
  async state(user: AuthenticatedUser, requestId: string): Promise<ChatRequestState> {
    const record = await this.find(user, requestId);
    const place = record.status === 'queued' ? await this.repository.placeOf(requestId) : undefined;
    const queuePosition = place ? await this.queuePosition(place) : null;
    const estimate = queuePosition === null ? undefined : await this.estimateWaitSeconds(queuePosition);
    return { ...record, queuePosition, estimatedWaitSeconds: estimate ?? null };
  }

  /**
   * The events of one of the caller's requests after `afterSeq` (-1: all): the stored ones,
   * then the live ones, without a gap or a repeat. Ends at the final event.
   */
  async resume(
    user: AuthenticatedUser,
    requestId: string,
    afterSeq: number,
  ): Promise<{ record: ChatRequestRecord; events: EventSubscription }> {
    const record = await this.find(user, requestId);
    const events = this.hub.subscribe(requestId, { afterSeq, held: true });
    try {
      const stored = await this.repository.eventsAfter(requestId, afterSeq);
      events.release(stored);
      // Final and nothing left to send (the client has it all, or it was refused): end now.
      if (stored.length === 0 && isFinalStatus(record.status)) events.close();
    } catch (error) {
      events.close();
      throw error;
    }
    return { record, events };
  }

  /** The events of one of the caller's requests stored so far, in seq order (a snapshot, not a stream). */
  async eventsSoFar(user: AuthenticatedUser, requestId: string): Promise<{ record: ChatRequestRecord; events: ResponseEvent[] }> {
    const record = await this.find(user, requestId);
    return { record, events: await this.repository.eventsAfter(requestId, -1) };
  }

  async find(user: AuthenticatedUser, requestId: string): Promise<ChatRequestRecord> {
    const record = await this.repository.findForUser(requestId, user.userId);
    // Another user's request is indistinguishable from a missing one.
    if (!record) throw new DomainException(ErrorCode.NotFound, `No chat request ${requestId}.`);
    return record;
  }

  async cancel(user: AuthenticatedUser, requestId: string, reason: string): Promise<void> {
    const record = await this.find(user, requestId);
    if (isFinalStatus(record.status)) return;
    await this.producer.cancel({
      version: ENVELOPE_VERSION,
      kind: 'chat.cancel',
      requestId,
      userId: user.userId,
      reason,
      at: new Date().toISOString(),
    });
  }
}
