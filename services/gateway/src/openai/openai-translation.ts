import { DomainException } from '@shoshizan/service-kit';
import {
  ErrorCode,
  chatBodySchema,
  isFinalStatus,
  parseWith,
  type ChatBody,
  type ChatRequestStatus,
  type CancelledEvent,
  type ChatMessage,
  type DoneEvent,
  type ErrorEvent,
  type EmbedRequest,
  type EmbedResult,
  type GenerationOptions,
  type ResponseEvent,
  type TokenLogprob,
  type ToolCall,
  type Usage,
} from '@shoshizan/shared-interfaces';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import type { SseTranslation } from '../chat/sse-writer';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatFinishReason,
  CompletionRequest,
  EmbeddingList,
  EmbeddingsRequest,
  OpenAiError,
  OpenAiMessage,
  OpenAiTokenLogprob,
  OpenAiUsage,
  TextCompletion,
  TextLogprobs,
} from './openai.schemas';

/*
 * OpenAI's APIs over Shoshizan's, as pure functions: an OpenAI request becomes a chat body
 * (or gpt-api's embed request), and a request's response events become OpenAI's answers,
 * whole or as a stream of chunks. The routes only wire these to the queue and the stream.
 */

/** How long an OpenAI request may wait and run (OpenAI's requests cannot say): a native request's default. */
const TIMEOUT_SECONDS = 300;

/** A completion's id is its request's id, so that the completion can be found again. */
export const chatCompletionIdOf = (requestId: string): string => `chatcmpl-${requestId}`;
export const completionIdOf = (requestId: string): string => `cmpl-${requestId}`;
export const CHAT_COMPLETION_ID = /^chatcmpl-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The request of a chat completion id; any other id is no completion of the caller's (404, as OpenAI answers). */
export function requestIdOfChatCompletion(completionId: string): string {
  const requestId = CHAT_COMPLETION_ID.exec(completionId)?.[1];
  if (requestId === undefined) throw new DomainException(ErrorCode.NotFound, `No chat completion ${completionId}.`);
  return requestId;
}

// ---------------------------------------------------------------- requests

/** A Chat Completions request as a chat body; a 400 naming OpenAI's field if Shoshizan refuses it. */
export function chatCompletionToChatBody(request: ChatCompletionRequest): ChatBody {
  return validChatBody('Chat completion request', {
    model: request.model,
    messages: request.messages.map(chatMessageOf),
    options: presentOnly({
      maxTokens: request.max_completion_tokens ?? request.max_tokens,
      temperature: request.temperature,
      topP: request.top_p,
      seed: request.seed,
      stop: typeof request.stop === 'string' ? [request.stop] : request.stop,
      frequencyPenalty: request.frequency_penalty,
      presencePenalty: request.presence_penalty,
      logprobs: request.logprobs,
      topLogprobs: request.top_logprobs,
      tools: request.tools?.map(({ function: f }) =>
        presentOnly({ name: f.name, description: f.description, parameters: f.parameters, strict: f.strict }),
      ),
      toolChoice: typeof request.tool_choice === 'object' ? { name: request.tool_choice.function.name } : request.tool_choice,
      parallelToolCalls: request.parallel_tool_calls,
      responseFormat: responseFormatOf(request.response_format),
    }),
    timeoutSeconds: TIMEOUT_SECONDS,
  });
}

function chatMessageOf(message: OpenAiMessage): ChatMessage {
  const joined = (content: string | { text: string }[]) =>
    typeof content === 'string' ? content : content.map((part) => part.text).join('');
  switch (message.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: joined(message.content) };
    case 'user':
      return { role: 'user', content: joined(message.content) };
    case 'tool':
      return { role: 'tool', content: joined(message.content), toolCallId: message.tool_call_id };
    case 'assistant': {
      const toolCalls = (message.tool_calls ?? []).map((call) => ({
        id: call.id,
        name: call.function.name,
        arguments: call.function.arguments,
      }));
      const content = message.content ?? message.refusal ?? '';
      return { role: 'assistant', content: joined(content), ...(toolCalls.length > 0 ? { toolCalls } : {}) };
    }
  }
}

function responseFormatOf(format: ChatCompletionRequest['response_format']): GenerationOptions['responseFormat'] {
  switch (format?.type) {
    case undefined:
    case 'text':
      return undefined;
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      const { name, schema, strict } = format.json_schema;
      return presentOnly({ type: 'json_schema' as const, name, schema, strict });
    }
  }
}

/**
 * A legacy Completions request as a chat body: the prompt, the single user message, is
 * continued as it is (`raw`, no chat template). Its `logprobs` is a count of alternatives.
 */
export function completionToChatBody(request: CompletionRequest): ChatBody {
  const prompt = typeof request.prompt === 'string' ? request.prompt : request.prompt[0];
  const alternatives = request.logprobs ?? undefined;
  return validChatBody('Completion request', {
    model: request.model,
    messages: [{ role: 'user', content: prompt }],
    options: presentOnly({
      raw: true,
      maxTokens: request.max_tokens,
      temperature: request.temperature,
      topP: request.top_p,
      seed: request.seed,
      stop: typeof request.stop === 'string' ? [request.stop] : request.stop,
      frequencyPenalty: request.frequency_penalty,
      presencePenalty: request.presence_penalty,
      ...(alternatives !== undefined ? { logprobs: true, topLogprobs: alternatives } : {}),
    }),
    timeoutSeconds: TIMEOUT_SECONDS,
  });
}

/** An Embeddings request as gpt-api's embed request. */
export function embeddingsToEmbedRequest(request: EmbeddingsRequest, user: AuthenticatedUser, requestId: string): EmbedRequest {
  return {
    requestId,
    userId: user.userId,
    roles: [...user.roles],
    model: request.model,
    input: typeof request.input === 'string' ? [request.input] : request.input,
    ...(request.dimensions !== undefined ? { dimensions: request.dimensions } : {}),
  };
}

/**
 * Validates a chat body made from an OpenAI request by Shoshizan's own schema (the rules
 * between fields: a tool choice needs tools, at least one user message). A refusal names
 * the field as the client wrote it: `options.topLogprobs` is `top_logprobs`.
 */
function validChatBody(what: string, body: ChatBody): ChatBody {
  const result = parseWith(chatBodySchema, body);
  if (result.ok) return result.value;
  const issues = result.issues.map((issue) => ({ ...issue, path: openAiPathOf(issue.path) }));
  throw new DomainException(ErrorCode.ValidationFailed, `${what} is invalid.`, { issues });
}

/** Shoshizan's path of a chat body field as OpenAI names it. */
export function openAiPathOf(path: string): string {
  return path.replace(/^options\./, '').replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Without the fields OpenAI's client left out or set to null (Shoshizan's schemas take neither as "unset"). */
function presentOnly<T extends Record<string, unknown>>(fields: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== null)) as {
    [K in keyof T]: Exclude<T[K], null>;
  };
}

// ---------------------------------------------------------------- answers

export const openAiUsage = (usage: Usage): OpenAiUsage => ({
  prompt_tokens: usage.promptTokens,
  completion_tokens: usage.completionTokens,
  total_tokens: usage.totalTokens,
});

export function openAiLogprob(entry: TokenLogprob): OpenAiTokenLogprob {
  return {
    token: entry.token,
    logprob: entry.logprob,
    bytes: entry.bytes ?? null,
    top_logprobs: (entry.topLogprobs ?? []).map((top) => ({ token: top.token, logprob: top.logprob, bytes: top.bytes ?? null })),
  };
}

/** The contract lets `done` say `cancelled`, which OpenAI has no word for: the answer stopped. */
function chatFinishReasonOf(done: DoneEvent): ChatFinishReason {
  return done.finishReason === 'cancelled' ? 'stop' : done.finishReason;
}

/** A raw prompt takes no tools: its answer stops or runs out of tokens. */
const textFinishReasonOf = (done: DoneEvent): 'stop' | 'length' => (done.finishReason === 'length' ? 'length' : 'stop');

/** OpenAI's error `type` for each of our codes. */
export function openAiErrorType(code: ErrorCode): string {
  switch (code) {
    case ErrorCode.Unauthenticated:
      return 'authentication_error';
    case ErrorCode.Forbidden:
      return 'permission_error';
    case ErrorCode.NotFound:
    case ErrorCode.ModelNotFound:
      return 'not_found_error';
    case ErrorCode.RateLimited:
    case ErrorCode.LoginThrottled:
      return 'rate_limit_error';
    case ErrorCode.QuotaExceeded:
      return 'insufficient_quota';
    case ErrorCode.ValidationFailed:
    case ErrorCode.PoisonMessage:
    case ErrorCode.Conflict:
    case ErrorCode.MethodNotAllowed:
    case ErrorCode.PayloadTooLarge:
    case ErrorCode.UnsupportedMediaType:
      return 'invalid_request_error';
    case ErrorCode.DeadlineExceeded:
    case ErrorCode.UpstreamTimeout:
      return 'timeout_error';
    case ErrorCode.Cancelled:
    case ErrorCode.ModelUnavailable:
    case ErrorCode.QueueUnavailable:
    case ErrorCode.UpstreamUnavailable:
    case ErrorCode.Internal:
      return 'server_error';
  }
}

export function openAiErrorOf(code: ErrorCode, message: string, param: string | null = null): OpenAiError {
  return { error: { message, type: openAiErrorType(code), param, code } };
}

/** An answer's events, gathered: what a whole (not streamed) answer is made of. */
export interface GatheredAnswer {
  readonly text: string;
  readonly toolCalls: readonly ToolCall[];
  /** Undefined unless the tokens carry log probabilities (the request asked for them). */
  readonly logprobs: readonly TokenLogprob[] | undefined;
  readonly done: DoneEvent;
}

/**
 * The answer a request's events make, once they end with `done`; otherwise the error the
 * route answers: the error event's own, a cancel, or a stream that stopped without a final
 * event (the gateway shutting down).
 */
export function gatherAnswer(requestId: string, events: readonly ResponseEvent[]): GatheredAnswer {
  let text = '';
  const toolCalls: ToolCall[] = [];
  let logprobs: TokenLogprob[] | undefined;
  for (const event of events) {
    switch (event.type) {
      case 'token':
        text += event.text;
        if (event.logprobs) (logprobs ??= []).push(...event.logprobs);
        break;
      case 'tool_call':
        toolCalls.push({ id: event.id, name: event.name, arguments: event.arguments });
        break;
      case 'done':
        return { text, toolCalls, logprobs, done: event };
      case 'error':
        throw new DomainException(event.code, event.message);
      case 'cancelled':
        throw new DomainException(ErrorCode.Cancelled, `Cancelled: ${event.reason}`);
      case 'queued':
      case 'started':
      case 'resumed':
      case 'retrying':
        break; // how the request went, not what it answered
    }
  }
  throw new DomainException(ErrorCode.UpstreamUnavailable, `The answer to ${requestId} ended before it was complete.`, {
    retryAfterSeconds: 5,
  });
}

export interface CompletionMeta {
  readonly id: string;
  /** Unix seconds. */
  readonly created: number;
}

export function chatCompletionOf(answer: GatheredAnswer, meta: CompletionMeta): ChatCompletion {
  const onlyCalls = answer.text === '' && answer.toolCalls.length > 0;
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: answer.done.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: onlyCalls ? null : answer.text,
          refusal: null,
          ...(answer.toolCalls.length > 0 ? { tool_calls: answer.toolCalls.map(openAiToolCall) } : {}),
        },
        finish_reason: chatFinishReasonOf(answer.done),
        logprobs: answer.logprobs ? { content: answer.logprobs.map(openAiLogprob), refusal: null } : null,
      },
    ],
    usage: openAiUsage(answer.done.usage),
  };
}

export function textCompletionOf(answer: GatheredAnswer, meta: CompletionMeta): TextCompletion {
  return {
    id: meta.id,
    object: 'text_completion',
    created: meta.created,
    model: answer.done.model,
    choices: [
      {
        index: 0,
        text: answer.text,
        finish_reason: textFinishReasonOf(answer.done),
        logprobs: answer.logprobs ? textLogprobsOf(answer.logprobs, 0) : null,
      },
    ],
    usage: openAiUsage(answer.done.usage),
  };
}

const openAiToolCall = (call: ToolCall) => ({
  id: call.id,
  type: 'function' as const,
  function: { name: call.name, arguments: call.arguments },
});

/** The legacy API's log probabilities; `offset`: where the first token starts in the completion. */
export function textLogprobsOf(entries: readonly TokenLogprob[], offset: number): TextLogprobs {
  const text_offset: number[] = [];
  for (const entry of entries) {
    text_offset.push(offset);
    offset += entry.token.length;
  }
  return {
    tokens: entries.map((e) => e.token),
    token_logprobs: entries.map((e) => e.logprob),
    top_logprobs: entries.map((e) => Object.fromEntries((e.topLogprobs ?? []).map((top) => [top.token, top.logprob]))),
    text_offset,
  };
}

export function embeddingListOf(result: EmbedResult, encoding: 'float' | 'base64' = 'float'): EmbeddingList {
  return {
    object: 'list',
    data: result.embeddings.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: encoding === 'base64' ? float32Base64(vector) : vector,
    })),
    model: result.model,
    usage: { prompt_tokens: result.promptTokens, total_tokens: result.promptTokens },
  };
}

/** A vector as OpenAI's `base64` encoding has it: little-endian float32s, whatever this machine's order. */
export function float32Base64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes.toString('base64');
}

// ---------------------------------------------------------------- streams

export const SSE_DONE = 'data: [DONE]\n\n';

/**
 * OpenAI stream objects as SSE: `data:` each; the last carries the seq of the event they
 * came from as its `id` (OpenAI's SDKs ignore it): a client that resumes after it gets the
 * chunks of the next event, and one cut off between an event's chunks gets them all again.
 */
export function sseDataOf(objects: readonly object[], seq?: number): string {
  return objects
    .map((object, i) => `${seq !== undefined && i === objects.length - 1 ? `id: ${seq}\n` : ''}data: ${JSON.stringify(object)}\n\n`)
    .join('');
}

/**
 * What an OpenAI stream ends with. `data: [DONE]` only after `done`: an SDK takes a stream
 * without an error for a finished answer. After an error or a cancel, nothing more (the
 * error object was their translation). Without a final event the stream was cut (the
 * gateway shutting down) though the answer may go on: an error object, which the SDKs raise.
 * Unless it was resumed after the end (`statusAtOpen` final): the client had every event,
 * and gets the end a complete answer has.
 */
export function openAiStreamEnd(final: ResponseEvent | undefined, resumeHint: string, statusAtOpen?: ChatRequestStatus): string {
  if (final?.type === 'done' || (!final && statusAtOpen === 'done')) return SSE_DONE;
  if (final || (statusAtOpen && isFinalStatus(statusAtOpen))) return '';
  const message = `The stream was cut before the answer ended; the request goes on.${resumeHint}`;
  return sseDataOf([openAiErrorOf(ErrorCode.UpstreamUnavailable, message)]);
}

/** The error object an `error` or `cancelled` event becomes in an OpenAI stream. */
function failureOf(event: ErrorEvent | CancelledEvent): OpenAiError {
  return event.type === 'error'
    ? openAiErrorOf(event.code, event.message)
    : openAiErrorOf(ErrorCode.Cancelled, `Cancelled: ${event.reason}`);
}

export interface StreamMeta extends CompletionMeta {
  readonly requestId: string;
  /** The model the request named, until the `started` event says which one answers. */
  readonly model: string;
  /** `stream_options.include_usage`. */
  readonly includeUsage: boolean;
  /** The seq a resumed stream starts after; -1 (a new stream) sends the opening chunk. */
  readonly afterSeq?: number;
  /** A resumed stream: the request's status when it opened. */
  readonly statusAtOpen?: ChatRequestStatus;
}

/**
 * A chat completion's events as `chat.completion.chunk`s: the assistant role first, then
 * a chunk a token (with its log probabilities when the request asked), a chunk a whole tool
 * call, and the finish reason; with `include_usage`, every chunk has `usage: null` but the
 * last, which has no choices and the usage.
 */
export function chatCompletionSse(meta: StreamMeta): SseTranslation {
  let model = meta.model;
  const chunk = (choices: ChatCompletionChunk['choices']): ChatCompletionChunk => ({
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model,
    choices,
    ...(meta.includeUsage ? { usage: null } : {}),
  });
  const choice = (delta: ChatCompletionChunk['choices'][number]['delta'], extra: Partial<ChatCompletionChunk['choices'][number]> = {}) => ({
    index: 0,
    delta,
    finish_reason: null,
    logprobs: null,
    ...extra,
  });
  const chunksOf = (event: ResponseEvent): object[] => {
    switch (event.type) {
      case 'queued':
      case 'resumed':
      case 'retrying':
        return []; // the client just waits: OpenAI's stream has no word for these
      case 'started':
        model = event.model;
        return [];
      case 'token':
        return [
          chunk([
            choice(
              { content: event.text },
              event.logprobs ? { logprobs: { content: event.logprobs.map(openAiLogprob), refusal: null } } : {},
            ),
          ]),
        ];
      case 'tool_call':
        return [chunk([choice({ tool_calls: [{ index: event.index, ...openAiToolCall(event) }] })])];
      case 'done': {
        model = event.model;
        const finish = chunk([choice({}, { finish_reason: chatFinishReasonOf(event) })]);
        return meta.includeUsage ? [finish, { ...chunk([]), usage: openAiUsage(event.usage) }] : [finish];
      }
      case 'error':
      case 'cancelled':
        return [failureOf(event)];
    }
  };
  return {
    open: () => ((meta.afterSeq ?? -1) < 0 ? sseDataOf([chunk([choice({ role: 'assistant', content: '' })])]) : ''),
    format: (batch) => batch.map((event) => sseDataOf(chunksOf(event), event.seq)).join(''),
    end: (final) =>
      openAiStreamEnd(
        final,
        ` Resume it with GET /v1/chat/completions/${meta.id}?stream=true and the last event id as Last-Event-ID.`,
        meta.statusAtOpen,
      ),
  };
}

/**
 * A legacy completion's events as `text_completion` objects: one a token (with its log
 * probabilities in the legacy shape when asked, their offsets running on across chunks),
 * then the finish reason; with `include_usage`, a last one with no choices and the usage.
 */
export function textCompletionSse(meta: StreamMeta): SseTranslation {
  let model = meta.model;
  let offset = 0;
  const object = (choices: TextCompletion['choices']): TextCompletion => ({
    id: meta.id,
    object: 'text_completion',
    created: meta.created,
    model,
    choices,
    ...(meta.includeUsage ? { usage: null } : {}),
  });
  const objectsOf = (event: ResponseEvent): object[] => {
    switch (event.type) {
      case 'queued':
      case 'resumed':
      case 'retrying':
      case 'tool_call': // a raw prompt takes no tools
        return [];
      case 'started':
        model = event.model;
        return [];
      case 'token': {
        const logprobs = event.logprobs ? textLogprobsOf(event.logprobs, offset) : null;
        offset += event.text.length;
        return [object([{ index: 0, text: event.text, finish_reason: null, logprobs }])];
      }
      case 'done': {
        model = event.model;
        const finish = object([{ index: 0, text: '', finish_reason: textFinishReasonOf(event), logprobs: null }]);
        return meta.includeUsage ? [finish, { ...object([]), usage: openAiUsage(event.usage) }] : [finish];
      }
      case 'error':
      case 'cancelled':
        return [failureOf(event)];
    }
  };
  return {
    format: (batch) => batch.map((event) => sseDataOf(objectsOf(event), event.seq)).join(''),
    end: (final) => openAiStreamEnd(final, ` Its events: GET /v1/chat/${meta.requestId}/events.`),
  };
}
