import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { KafkaMessage } from 'kafkajs';
import {
  ATTEMPT_ATTRIBUTE,
  DomainException,
  KafkaPublisher,
  OUTCOME_ATTRIBUTE,
  Quarantine,
  activeTraceId,
  annotateActiveSpan,
  answerAttributes,
  headerText,
} from '@shoshizan/service-kit';
import {
  ErrorCode,
  HEADERS,
  SchemaValidationError,
  chatRequestEnvelopeSchema,
  decodeMessage,
  topicName,
  type ChatRequestEnvelope,
  type GenerationOptions,
} from '@shoshizan/shared-interfaces';
import { CancellationRegistry, RequestStopped } from '../cancellation/cancellation.registry';
import { KAFKA_CONSUMER_CONFIG, type KafkaConsumerConfig } from '../config/kafka-consumer.config';
import { GptApiClient } from '../gpt-api/gpt-api.client';
import { AttemptsRepository } from '../recovery/attempts.repository';
import { ResponseLog, type AnswerSoFar } from '../recovery/response-log';
import { ConsumerMetrics, type Outcome } from './consumer.metrics';
import { ResponseEmitter } from './response-emitter';
import { afterFailure, afterStop, nextDeliveryStep, type DeliveryFacts } from './delivery-decisions';

export interface MessageContext {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
  /** Tells the group coordinator this member is alive; cheap to call often. */
  readonly heartbeat: () => Promise<void>;
  /** Aborted when the message's partition went to another replica (ParallelConsumer). */
  readonly revoked?: AbortSignal;
}

const HEARTBEAT_EVERY_MS = 3000;

/** Thrown when a shutdown stops a request: it goes back to the group unfinished. */
export class HandedBack extends Error {
  constructor(readonly requestId: string) {
    super(`request ${requestId} handed back at shutdown`);
    this.name = 'HandedBack';
  }
}

/** One delivery of a request, and where it stands in its retries. */
interface Delivery {
  readonly ctx: MessageContext;
  /** Deliveries so far, this one included (crash redeliveries and retries alike). */
  readonly attempt: number;
  /** Retries so far: 0 from the requests topic, n from the n-th retry topic. */
  readonly retries: number;
}

/** The envelope of a readable request (nextDeliveryStep dead-letters the others first). */
function requestOf(envelope: ChatRequestEnvelope | undefined): ChatRequestEnvelope {
  if (!envelope) throw new Error('no chat request: an unreadable message reached a step that needs one');
  return envelope;
}

function headerOf(ctx: MessageContext, name: string): string | undefined {
  return headerText(ctx.message.headers, name) ?? undefined;
}

/**
 * Answers one chat request from the requests topic. Returns when the request reached a
 * final state (done, error, cancelled, dead-lettered); throws only when that state could not
 * be written to Kafka, so the offset is not committed and the request is redelivered.
 *
 * Redelivery (the worker before this one died or lost the partition) is answered once as
 * the client sees it: the attempt count in PostgreSQL tells it apart, the events written so
 * far are read back from the responses topic, and the answer goes on from there (a
 * `resumed` event, then the rest of the text), ends with the tool calls it holds, or, if it
 * was final already, is left alone.
 */
@Injectable()
export class ChatRequestHandler {
  constructor(
    private readonly publisher: KafkaPublisher,
    private readonly gptApi: GptApiClient,
    private readonly cancellations: CancellationRegistry,
    private readonly attempts: AttemptsRepository,
    private readonly responseLog: ResponseLog,
    private readonly metrics: ConsumerMetrics,
    private readonly quarantine: Quarantine,
    private readonly logger: PinoLogger,
    @Inject(KAFKA_CONSUMER_CONFIG) private readonly config: KafkaConsumerConfig,
  ) {
    logger.setContext(ChatRequestHandler.name);
  }

  async handle(ctx: MessageContext): Promise<void> {
    const where = { topic: ctx.topic, partition: ctx.partition, offset: ctx.message.offset };
    // During a shutdown, or once the partition went elsewhere, nothing new starts: the
    // message stays for whoever holds the partition.
    if (this.cancellations.isShuttingDown || ctx.revoked?.aborted) throw new HandedBack(ctx.message.key?.toString() ?? '');
    let envelope: ChatRequestEnvelope | undefined;
    let unreadable: string | undefined;
    try {
      envelope = decodeMessage(chatRequestEnvelopeSchema, ctx.message.value, 'chat request');
    } catch (error) {
      if (!(error instanceof SchemaValidationError)) throw error;
      unreadable = error.message;
    }
    let facts: DeliveryFacts = {
      ...(unreadable !== undefined ? { unreadable } : {}),
      fromRequestsTopic: ctx.topic === topicName('requests', this.config.KAFKA_TOPIC_PREFIX),
      appendedAt: Number(ctx.message.timestamp),
      ...(envelope?.enqueueBy !== undefined ? { enqueueBy: Date.parse(envelope.enqueueBy) } : {}),
      redriven: headerOf(ctx, HEADERS.redrivenAt) !== undefined,
    };
    const startedAt = performance.now();
    let soFar: AnswerSoFar | undefined;
    for (;;) {
      const step = nextDeliveryStep(facts);
      switch (step.next) {
        case 'dead_letter_poison':
          await this.deadLetter({ ctx, attempt: 1, retries: 0 }, ErrorCode.PoisonMessage, step.reason);
          this.logger.warn({ ...where, reason: step.reason }, 'Dead-lettered a poison message');
          this.countOutcome('dead_lettered');
          this.quarantine.count(ctx.topic, ErrorCode.PoisonMessage);
          return;
        case 'void':
          this.logger.warn(
            { ...where, requestId: envelope?.requestId, appendedAt: new Date(facts.appendedAt).toISOString(), enqueueBy: envelope?.enqueueBy },
            'Dropped a request the broker appended after its enqueue deadline (its client was refused)',
          );
          this.countOutcome('void');
          return;
        case 'begin_attempt': {
          const attempt = await this.attempts.begin(requestOf(envelope).requestId);
          annotateActiveSpan({ [ATTEMPT_ATTRIBUTE]: attempt.number });
          if (attempt.number === 1) {
            this.metrics.queueDelay.observe(Math.max(0, (Date.now() - facts.appendedAt) / 1000));
          }
          facts = { ...facts, attempt };
          break;
        }
        case 'read_answer_so_far': {
          const request = requestOf(envelope);
          // From the request's creation: a retry or redrive message is younger than the
          // events the first attempts wrote.
          soFar = await this.responseLog.read(request.requestId, Date.parse(request.createdAt), facts.redriven);
          facts = {
            ...facts,
            soFar: {
              final: soFar.final !== undefined,
              lastSeq: soFar.lastSeq,
              toolCalls: soFar.toolCalls.length,
              ...(soFar.model !== undefined ? { model: soFar.model } : {}),
            },
          };
          break;
        }
        case 'skip_duplicate':
          if (step.finish) await this.attempts.finish(requestOf(envelope).requestId);
          this.logger.info(
            { ...where, requestId: envelope?.requestId, attempt: facts.attempt?.number },
            'Skipped a redelivered request that was answered already',
          );
          this.countOutcome('duplicate');
          return;
        case 'finish_tool_calls': {
          const request = requestOf(envelope);
          const attempt = facts.attempt?.number ?? 1;
          const emitter = new ResponseEmitter(this.publisher, request, step.afterSeq + 1, activeTraceId());
          // `resumed` first, as for any redelivery that goes on: it reopens a redriven
          // request's records, which a final event alone would not change.
          await emitter.emit({ type: 'resumed', attempt, afterSeq: step.afterSeq });
          this.metrics.resumed.inc();
          // Zeros: this attempt generated nothing, and the earlier one's usage was counted by
          // gpt-api when its stream ended (if it got that far; a cut stream is not counted).
          await emitter.emit({
            type: 'done',
            model: step.model,
            usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
            finishReason: 'tool_calls',
            durationMs: 0,
          });
          await this.attempts.finish(request.requestId);
          this.countOutcome('done');
          this.metrics.duration.observe({ outcome: 'done' }, (performance.now() - startedAt) / 1000);
          this.logger.info(
            { ...where, requestId: request.requestId, attempt, afterSeq: step.afterSeq, toolCalls: soFar?.toolCalls.length },
            'Finished a redelivered request with the tool calls an earlier attempt wrote',
          );
          return;
        }
        case 'resume':
        case 'answer': {
          const request = requestOf(envelope);
          const attempt = facts.attempt?.number ?? 1;
          const log = { ...where, requestId: request.requestId };
          const emitter = new ResponseEmitter(this.publisher, request, step.next === 'resume' ? step.afterSeq + 1 : 1, activeTraceId());
          if (step.next === 'resume') {
            await emitter.emit({ type: 'resumed', attempt, afterSeq: step.afterSeq });
            this.metrics.resumed.inc();
            this.logger.info({ ...log, attempt, afterSeq: step.afterSeq, tokens: soFar?.tokens }, 'Resuming a redelivered request');
          }
          const retries = Math.max(0, Number.parseInt(headerOf(ctx, HEADERS.retries) ?? '0', 10) || 0);
          const outcome = await this.answer(request, emitter, { ctx, attempt, retries }, log, soFar);
          // Final outcomes only: a retried request is not finished, a superseded one is not ours.
          if (outcome !== 'superseded' && outcome !== 'retried') await this.attempts.finish(request.requestId);
          this.countOutcome(outcome);
          this.metrics.duration.observe({ outcome }, (performance.now() - startedAt) / 1000);
          this.logger.info({ ...log, outcome, events: emitter.emitted }, 'Finished a chat request');
          return;
        }
      }
    }
  }

  private async answer(
    envelope: ChatRequestEnvelope,
    emitter: ResponseEmitter,
    delivery: Delivery,
    log: Record<string, unknown>,
    soFar: AnswerSoFar | undefined,
  ): Promise<Outcome> {
    const { ctx, attempt } = delivery;
    const remainingMs = Date.parse(envelope.deadline) - Date.now();
    if (remainingMs <= 0) {
      await emitter.emit({
        type: 'error',
        code: ErrorCode.DeadlineExceeded,
        message: 'The request waited in the queue past its deadline and was dropped.',
        retriable: false,
      });
      return 'expired';
    }

    const controller = this.cancellations.register(envelope.requestId);
    const deadlineTimer = setTimeout(() => controller.abort(new RequestStopped({ kind: 'deadline' })), remainingMs);
    const revoke = () => controller.abort(new RequestStopped({ kind: 'revoked' }));
    ctx.revoked?.addEventListener('abort', revoke, { once: true });
    if (ctx.revoked?.aborted) revoke();
    // Each tick keeps this member in the group and checks the fence: a worker that lost the
    // request to a later attempt (it was too slow to rejoin a rebalance) stops writing.
    const heartbeat = setInterval(() => {
      void ctx.heartbeat().catch(() => undefined);
      void this.attempts
        .isLatest(envelope.requestId, attempt)
        .then((latest) => {
          if (!latest) controller.abort(new RequestStopped({ kind: 'superseded' }));
        })
        .catch(() => undefined);
    }, HEARTBEAT_EVERY_MS);
    this.metrics.inflight.inc();
    try {
      if (controller.signal.aborted) return await this.stopped(controller.signal.reason, emitter);
      const chunks = this.gptApi.generate(
        {
          requestId: envelope.requestId,
          userId: envelope.userId,
          roles: envelope.roles,
          messages: envelope.messages,
          options: remainingOptions(envelope.options, soFar),
          ...(envelope.model ? { model: envelope.model } : {}),
          ...(soFar?.text ? { continuation: soFar.text } : {}),
        },
        controller.signal,
      );
      for await (const chunk of chunks) {
        switch (chunk.type) {
          case 'started':
            annotateActiveSpan({ 'gen_ai.request.model': chunk.model });
            this.logger.info({ ...log, model: chunk.model, attempt }, 'Started a generation');
            // A resumed answer was announced by its `resumed` event; `started` is said once.
            if (!soFar?.started) await emitter.emit({ type: 'started', model: chunk.model });
            break;
          case 'token':
            await emitter.emit({ type: 'token', text: chunk.text, ...(chunk.logprobs ? { logprobs: chunk.logprobs } : {}) });
            break;
          case 'tool_call':
            await emitter.emit({ type: 'tool_call', index: chunk.index, id: chunk.id, name: chunk.name, arguments: chunk.arguments });
            break;
          case 'done':
            annotateActiveSpan(
              answerAttributes({
                responseModel: chunk.model,
                inputTokens: chunk.usage.promptTokens,
                outputTokens: chunk.usage.completionTokens,
                finishReason: chunk.finishReason,
              }),
            );
            await emitter.emit({
              type: 'done',
              model: chunk.model,
              usage: chunk.usage,
              finishReason: chunk.finishReason,
              durationMs: chunk.durationMs,
            });
            return 'done';
          case 'error':
            return await this.failed(new DomainException(chunk.code, chunk.message), emitter, delivery);
        }
      }
      if (controller.signal.aborted) return await this.stopped(controller.signal.reason, emitter);
      return await this.failed(
        new DomainException(ErrorCode.UpstreamUnavailable, 'gpt-api ended the stream without a final chunk.'),
        emitter,
        delivery,
      );
    } catch (error) {
      if (controller.signal.aborted) return await this.stopped(controller.signal.reason, emitter);
      if (error instanceof DomainException) return await this.failed(error, emitter, delivery);
      throw error;
    } finally {
      this.metrics.inflight.dec();
      clearInterval(heartbeat);
      clearTimeout(deadlineTimer);
      ctx.revoked?.removeEventListener('abort', revoke);
      this.cancellations.unregister(envelope.requestId);
    }
  }

  /** Counts how a delivery ended, and says so on its span. */
  private countOutcome(outcome: Outcome): void {
    this.metrics.processed.inc({ outcome });
    annotateActiveSpan({ [OUTCOME_ATTRIBUTE]: outcome });
  }

  private async stopped(reason: unknown, emitter: ResponseEmitter): Promise<Outcome> {
    const step = afterStop(reason instanceof RequestStopped ? reason.stop : undefined);
    switch (step.next) {
      case 'hand_back':
        // Thrown, not returned: the offset stays uncommitted and the group hands the
        // request to another replica, which resumes the answer after the last event here.
        emitter.abandon();
        throw new HandedBack(emitter.requestId);
      case 'superseded':
        emitter.abandon();
        this.logger.warn({ requestId: emitter.requestId }, 'A later attempt took the request over; this one stopped');
        return 'superseded';
      case 'expired':
        await emitter.emit({
          type: 'error',
          code: ErrorCode.DeadlineExceeded,
          message: 'The request ran past its deadline; the model was stopped.',
          retriable: false,
        });
        return 'expired';
      case 'cancelled':
        await emitter.emit({ type: 'cancelled', reason: step.reason });
        return 'cancelled';
    }
  }

  /**
   * A failure that may pass (gpt-api or Ollama down, a timeout) sends the request to the
   * next retry topic while retries are left, and tells the client (`retrying`). Otherwise
   * the client gets the error, and the request goes to the dead-letter topic for an admin.
   */
  private async failed(error: DomainException, emitter: ResponseEmitter, delivery: Delivery): Promise<Outcome> {
    const step = afterFailure({
      code: error.code,
      message: error.message,
      retries: delivery.retries,
      delaysMs: this.config.RETRY_DELAYS_MS,
    });
    if (step.next === 'retry') {
      await this.publisher.send(step.topic, [
        {
          key: delivery.ctx.message.key?.toString('utf8') ?? '',
          value: delivery.ctx.message.value ?? Buffer.alloc(0),
          headers: {
            ...delivery.ctx.message.headers,
            [HEADERS.retries]: String(step.retry),
            [HEADERS.lastErrorCode]: error.code,
            [HEADERS.lastError]: error.message.slice(0, 1000),
          },
        },
      ]);
      await emitter.emit({ type: 'retrying', retry: step.retry, delayMs: step.delayMs, code: error.code, message: error.message });
      this.logger.warn(
        { requestId: emitter.requestId, code: error.code, retry: step.retry, delayMs: step.delayMs },
        'Sent a failed request to a retry topic',
      );
      this.metrics.retries.inc({ reason: error.code });
      return 'retried';
    }
    await emitter.emit({ type: 'error', code: error.code, message: step.message, retriable: step.retriable });
    if (!step.deadLetter) return 'error';
    await this.deadLetter(delivery, error.code, step.message);
    return 'dead_lettered';
  }

  /**
   * The last resort for a message whose handling failed for its own sake as often as it
   * was tried (Quarantine.guard decides when): its client gets an `error` event unless the
   * answer was final already, and the message goes to the dead-letter topic with the
   * reason, so the partition moves on. The event is best effort; the dead letter is not:
   * if that produce fails this throws, and the message is tried again.
   */
  async giveUp(ctx: MessageContext, error: unknown, tries: number): Promise<void> {
    const cause = error instanceof Error ? error.message : String(error);
    const reason = `handling failed ${tries} times: ${cause}`;
    let envelope: ChatRequestEnvelope | undefined;
    try {
      envelope = decodeMessage(chatRequestEnvelopeSchema, ctx.message.value, 'chat request');
    } catch {
      envelope = undefined;
    }
    if (envelope) {
      try {
        const soFar = await this.responseLog.read(envelope.requestId, Date.parse(envelope.createdAt));
        if (!soFar.final) {
          await new ResponseEmitter(this.publisher, envelope, soFar.lastSeq + 1, activeTraceId()).emit({
            type: 'error',
            code: ErrorCode.Internal,
            message: 'The request could not be processed; it was set aside for an administrator.',
            retriable: false,
          });
        }
        await this.attempts.finish(envelope.requestId);
      } catch (failure) {
        this.logger.warn({ requestId: envelope.requestId, err: failure }, 'Could not tell the client about a request set aside');
      }
    }
    const retries = Math.max(0, Number.parseInt(headerOf(ctx, HEADERS.retries) ?? '0', 10) || 0);
    await this.deadLetter({ ctx, attempt: tries, retries }, ErrorCode.Internal, reason);
    this.countOutcome('dead_lettered');
  }

  private async deadLetter(delivery: Delivery, code: ErrorCode, reason: string): Promise<void> {
    const { ctx } = delivery;
    await this.publisher.send('deadLetter', [
      {
        key: ctx.message.key?.toString('utf8') ?? '',
        value: ctx.message.value ?? Buffer.alloc(0),
        headers: {
          ...ctx.message.headers,
          [HEADERS.dlqReason]: reason.slice(0, 1000),
          [HEADERS.dlqErrorCode]: code,
          [HEADERS.dlqSourceTopic]: ctx.topic,
          [HEADERS.dlqSourcePartition]: String(ctx.partition),
          [HEADERS.dlqSourceOffset]: ctx.message.offset,
          [HEADERS.attempt]: String(delivery.attempt),
          [HEADERS.retries]: String(delivery.retries),
        },
      },
    ]);
    this.metrics.deadLetters.inc({ reason: code });
  }
}

/** The request's options for a resumed attempt: the token budget less what was streamed. */
function remainingOptions(options: GenerationOptions, soFar: AnswerSoFar | undefined): GenerationOptions {
  if (!soFar || options.maxTokens === undefined) return options;
  return { ...options, maxTokens: Math.max(1, options.maxTokens - soFar.tokens) };
}
