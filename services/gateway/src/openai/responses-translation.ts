import {
  ErrorCode,
  type ChatMessage,
  type GenerationOptions,
  type ResponseEvent,
  type ToolCall,
  type Usage,
} from '@shoshizan/shared-interfaces';
import type {
  CreateResponseRequest,
  FunctionCallItem,
  OutputMessage,
  ResponseInputItem,
  ResponseObject,
  ResponseStreamEvent,
  ResponseUsage,
} from './responses.schemas';

/*
 * OpenAI's Responses API over Shoshizan's events, as pure functions: a request becomes the
 * messages and options of a chat request; the events of its answer become the Responses
 * stream events (response.created ... response.completed) and the final Response object.
 * The translation of a request's events is deterministic, so replaying them from the start
 * gives the same `sequence_number`s: that is how a dropped stream is resumed
 * (`starting_after`) without a gap or a repeat.
 */

/** A response's id is its chat request's id: one lookup finds its conversation and events. */
export const RESPONSE_ID_PREFIX = 'resp_';
export const RESPONSE_ID = /^resp_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
export const responseIdOf = (requestId: string): string => `${RESPONSE_ID_PREFIX}${requestId}`;
export const requestIdOf = (responseId: string): string => responseId.slice(RESPONSE_ID_PREFIX.length);

/** The request's settings the Response object echoes back. */
export type ResponseEcho = Pick<
  ResponseObject,
  | 'instructions'
  | 'previous_response_id'
  | 'metadata'
  | 'parallel_tool_calls'
  | 'temperature'
  | 'top_p'
  | 'max_output_tokens'
  | 'tool_choice'
  | 'tools'
  | 'text'
  | 'user'
>;

export function echoOf(request: CreateResponseRequest): ResponseEcho {
  return {
    instructions: request.instructions ?? null,
    previous_response_id: request.previous_response_id ?? null,
    metadata: request.metadata ?? {},
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    temperature: request.temperature ?? null,
    top_p: request.top_p ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    text: { format: request.text?.format ?? { type: 'text' } },
    user: request.user ?? null,
  };
}

/** What a stored response echoes when the request that made it is not at hand (a retrieve). */
export const STORED_ECHO: ResponseEcho = {
  instructions: null,
  previous_response_id: null,
  metadata: {},
  parallel_tool_calls: true,
  temperature: null,
  top_p: null,
  max_output_tokens: null,
  tool_choice: 'auto',
  tools: [],
  text: { format: { type: 'text' } },
  user: null,
};

/** Present: neither left out nor null (OpenAI's SDKs send null for "not set"). */
const isSet = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

const textOf = (content: string | readonly { text: string }[]): string =>
  typeof content === 'string' ? content : content.map((part) => part.text).join('');

/**
 * The input items as chat messages. Function calls that follow one another (and the
 * assistant text just before them) are one assistant turn, as the model wrote them.
 */
export function inputMessages(input: CreateResponseRequest['input']): ChatMessage[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  const messages: ChatMessage[] = [];
  for (const item of input as readonly ResponseInputItem[]) {
    if (item.type === 'function_call') {
      const call: ToolCall = { id: item.call_id, name: item.name, arguments: item.arguments };
      const last = messages.at(-1);
      if (last?.role === 'assistant') messages[messages.length - 1] = { ...last, toolCalls: [...(last.toolCalls ?? []), call] };
      else messages.push({ role: 'assistant', content: '', toolCalls: [call] });
    } else if (item.type === 'function_call_output') {
      messages.push({ role: 'tool', content: textOf(item.output), toolCallId: item.call_id });
    } else {
      messages.push({ role: item.role === 'developer' ? 'system' : item.role, content: textOf(item.content) });
    }
  }
  return messages;
}

/** The request's generation options (tools, tool choice, format, sampling). */
export function responseOptions(request: CreateResponseRequest): GenerationOptions {
  const format = request.text?.format;
  const choice = request.tool_choice;
  const tools = request.tools?.length
    ? request.tools.map((t) => ({
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        ...(t.parameters ? { parameters: t.parameters } : {}),
        ...(isSet(t.strict) ? { strict: t.strict } : {}),
      }))
    : undefined;
  return {
    ...(isSet(request.max_output_tokens) ? { maxTokens: request.max_output_tokens } : {}),
    ...(isSet(request.temperature) ? { temperature: request.temperature } : {}),
    ...(isSet(request.top_p) ? { topP: request.top_p } : {}),
    ...(tools ? { tools } : {}),
    ...(isSet(choice) ? { toolChoice: typeof choice === 'string' ? choice : { name: choice.name } } : {}),
    ...(isSet(request.parallel_tool_calls) ? { parallelToolCalls: request.parallel_tool_calls } : {}),
    ...(format?.type === 'json_object' ? { responseFormat: { type: 'json_object' } } : {}),
    ...(format?.type === 'json_schema'
      ? {
          responseFormat: {
            type: 'json_schema',
            name: format.name,
            schema: format.schema,
            ...(isSet(format.strict) ? { strict: format.strict } : {}),
          },
        }
      : {}),
  };
}

/**
 * The messages a request sends: the instructions (this response's only), the conversation
 * so far (for `previous_response_id`), then the new input.
 */
export function requestMessages(
  request: Pick<CreateResponseRequest, 'instructions'>,
  history: readonly ChatMessage[],
  input: readonly ChatMessage[],
): ChatMessage[] {
  return [...(request.instructions ? [{ role: 'system' as const, content: request.instructions }] : []), ...history, ...input];
}

/** A short title for the conversation behind a response: its first user text. */
export function titleOf(input: readonly ChatMessage[]): string {
  const first = input.find((m) => m.role === 'user')?.content.trim() ?? '';
  const line = first.split('\n', 1)[0] ?? '';
  return (line.length > 80 ? `${line.slice(0, 79)}…` : line) || 'Response';
}

function usageOf(usage: Usage): ResponseUsage {
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.totalTokens,
  };
}

/**
 * Turns one request's events, in seq order, into Responses stream events, keeping the
 * Response object they describe. The text is one message item, opened by the first token;
 * each tool call is a function_call item, whole (our events carry whole calls).
 */
export class ResponseStreamTranslator {
  private sequence = 0;
  private readonly state: ResponseObject;
  private message: { item: OutputMessage; index: number } | undefined;
  private ended = false;

  constructor(meta: { id: string; createdAt: number; model: string; echo: ResponseEcho }) {
    this.state = {
      id: meta.id,
      object: 'response',
      created_at: meta.createdAt,
      status: 'in_progress',
      model: meta.model,
      output: [],
      error: null,
      incomplete_details: null,
      truncation: 'disabled',
      store: true,
      usage: null,
      ...meta.echo,
    };
  }

  /** The Response as the events so far describe it (a copy). */
  get response(): ResponseObject {
    return structuredClone({ ...this.state, output_text: this.outputText() });
  }

  /** Whether a final event (completed, incomplete, failed) was translated. */
  get isEnded(): boolean {
    return this.ended;
  }

  /** `response.created` and `response.in_progress`: what a stream opens with. */
  start(): ResponseStreamEvent[] {
    return [this.emit('response.created', { response: this.snapshot() }), this.emit('response.in_progress', { response: this.snapshot() })];
  }

  next(event: ResponseEvent): ResponseStreamEvent[] {
    if (this.ended) return [];
    switch (event.type) {
      case 'started':
        this.state.model = event.model;
        return [];
      case 'token':
        return this.token(event.text);
      case 'tool_call':
        return this.toolCall(event);
      case 'done': {
        const out = this.closeMessage(event.finishReason === 'length' ? 'incomplete' : 'completed');
        this.state.model = event.model;
        this.state.usage = usageOf(event.usage);
        this.ended = true;
        if (event.finishReason === 'length') {
          this.state.status = 'incomplete';
          this.state.incomplete_details = { reason: 'max_output_tokens' };
          return [...out, this.emit('response.incomplete', { response: this.snapshot() })];
        }
        this.state.status = 'completed';
        return [...out, this.emit('response.completed', { response: this.snapshot() })];
      }
      case 'error':
        return this.fail(event.code, event.message, 'failed');
      case 'cancelled':
        return this.fail(ErrorCode.Cancelled, `Cancelled: ${event.reason}`, 'cancelled');
      case 'queued':
      case 'resumed':
      case 'retrying':
        return [];
    }
  }

  /**
   * The events ended without a final one (the gateway is stopping, the subscription was
   * lost): an `error` event, which the SDKs raise, so that a cut stream is never taken
   * for a finished one.
   */
  cut(): ResponseStreamEvent[] {
    if (this.ended) return [];
    this.ended = true;
    return [
      this.emit('error', {
        code: ErrorCode.UpstreamUnavailable,
        message: 'The stream was cut before the response ended; retrieve it again with GET /v1/responses/{id}?stream=true.',
        param: null,
      }),
    ];
  }

  private token(delta: string): ResponseStreamEvent[] {
    const out: ResponseStreamEvent[] = [];
    if (!this.message) {
      const item: OutputMessage = { type: 'message', id: `msg_${this.itemSuffix()}`, role: 'assistant', status: 'in_progress', content: [] };
      const index = this.state.output.push(item) - 1;
      this.message = { item, index };
      out.push(this.emit('response.output_item.added', { output_index: index, item: structuredClone(item) }));
      item.content.push({ type: 'output_text', text: '', annotations: [], logprobs: [] });
      out.push(
        this.emit('response.content_part.added', {
          item_id: item.id,
          output_index: index,
          content_index: 0,
          part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
        }),
      );
    }
    const { item, index } = this.message;
    item.content[0]!.text += delta;
    out.push(this.emit('response.output_text.delta', { item_id: item.id, output_index: index, content_index: 0, delta, logprobs: [] }));
    return out;
  }

  private toolCall(call: { index: number; id: string; name: string; arguments: string }): ResponseStreamEvent[] {
    const out = this.closeMessage('completed');
    const item: FunctionCallItem = {
      type: 'function_call',
      id: `fc_${this.itemSuffix()}_${call.index}`,
      call_id: call.id,
      name: call.name,
      arguments: '',
      status: 'in_progress',
    };
    const index = this.state.output.push(item) - 1;
    out.push(this.emit('response.output_item.added', { output_index: index, item: structuredClone(item) }));
    out.push(this.emit('response.function_call_arguments.delta', { item_id: item.id, output_index: index, delta: call.arguments }));
    item.arguments = call.arguments;
    item.status = 'completed';
    out.push(
      this.emit('response.function_call_arguments.done', { item_id: item.id, output_index: index, name: call.name, arguments: call.arguments }),
    );
    out.push(this.emit('response.output_item.done', { output_index: index, item: structuredClone(item) }));
    return out;
  }

  private closeMessage(status: 'completed' | 'incomplete'): ResponseStreamEvent[] {
    if (!this.message) return [];
    const { item, index } = this.message;
    this.message = undefined;
    const part = item.content[0]!;
    item.status = status;
    return [
      this.emit('response.output_text.done', { item_id: item.id, output_index: index, content_index: 0, text: part.text, logprobs: [] }),
      this.emit('response.content_part.done', { item_id: item.id, output_index: index, content_index: 0, part: structuredClone(part) }),
      this.emit('response.output_item.done', { output_index: index, item: structuredClone(item) }),
    ];
  }

  private fail(code: string, message: string, status: 'failed' | 'cancelled'): ResponseStreamEvent[] {
    const out = this.closeMessage('incomplete');
    this.state.status = status;
    this.state.error = { code, message };
    this.ended = true;
    return [...out, this.emit('response.failed', { response: this.snapshot() })];
  }

  private emit(type: string, body: Record<string, unknown>): ResponseStreamEvent {
    return { type, sequence_number: this.sequence++, ...body };
  }

  private snapshot(): ResponseObject {
    return this.response;
  }

  private outputText(): string {
    return this.state.output
      .flatMap((item) => (item.type === 'message' ? item.content.map((c) => c.text) : []))
      .join('');
  }

  /** Item ids are made from the response's id: the same on every replay. */
  private itemSuffix(): string {
    return this.state.id.slice(RESPONSE_ID_PREFIX.length).replaceAll('-', '');
  }
}

/** One Responses stream event as SSE (`event:` is its type, as OpenAI writes them). */
export function formatResponseSse(event: ResponseStreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}
