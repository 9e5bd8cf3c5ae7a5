import { Inject, Injectable } from '@nestjs/common';
import { Ollama, type Message, type Options } from 'ollama';
import { DomainException, bindToActiveContext, tracedFetch, type ReadinessCheck } from '@shoshizan/service-kit';
import {
  ErrorCode,
  type ChatMessage,
  type GenerationOptions,
  type JsonSchemaObject,
  type TokenLogprob,
  type Tool,
} from '@shoshizan/shared-interfaces';
import { GPT_API_CONFIG, type GptApiConfig } from '../config/gpt-api.config';

export interface InstalledModel {
  readonly name: string;
  readonly sizeBytes: number;
  readonly family?: string;
  readonly parameterSize?: string;
}

/** The options that shape sampling; tools and formats are decided before they reach Ollama. */
export type SamplingOptions = Pick<
  GenerationOptions,
  'temperature' | 'topP' | 'maxTokens' | 'seed' | 'stop' | 'frequencyPenalty' | 'presencePenalty' | 'logprobs' | 'topLogprobs'
>;

/** `json`: any JSON value; an object: JSON valid against that schema (Ollama compiles it into a grammar). */
export type OutputFormat = 'json' | JsonSchemaObject;

export interface ChatStreamRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly options: SamplingOptions;
  /** Offered through the model's chat template; Ollama parses the calls out of the answer. */
  readonly tools?: readonly Tool[];
  readonly format?: OutputFormat;
  /** How long Ollama keeps the model loaded afterwards, e.g. `10m`; absent: OLLAMA_KEEP_ALIVE. */
  readonly keepAlive?: string;
}

/** A prompt continued as it is, with no chat template (Ollama's /api/generate with `raw`). */
export interface CompletionStreamRequest {
  readonly model: string;
  readonly prompt: string;
  readonly options: SamplingOptions;
  readonly keepAlive?: string;
}

export interface EmbedCall {
  readonly model: string;
  readonly input: readonly string[];
  readonly dimensions?: number;
  readonly keepAlive?: string;
}

export interface Embeddings {
  readonly embeddings: number[][];
  readonly promptTokens: number;
}

/** A call Ollama parsed out of the answer, its arguments as JSON text. */
export interface ParsedToolCall {
  /** Absent when Ollama's parser for the model gives none. */
  readonly id?: string;
  readonly name: string;
  readonly arguments: string;
}

/** One piece of Ollama's answer; the last has `done` and the token counts. */
export interface OllamaChunk {
  readonly text: string;
  readonly toolCalls?: readonly ParsedToolCall[];
  /** Those of the tokens this piece holds, with `logprobs` asked for. */
  readonly logprobs?: readonly TokenLogprob[];
  readonly done: boolean;
  readonly doneReason?: string;
  readonly promptTokens?: number;
  readonly completionTokens?: number;
}

/**
 * The port to Ollama. Unit tests replace it; integration tests and production use
 * OllamaClientAdapter against a real server.
 */
export abstract class OllamaAdapter implements ReadinessCheck {
  readonly name = 'ollama';
  abstract listModels(): Promise<InstalledModel[]>;
  /**
   * What the model can do (`completion`, `tools`, `embedding`...), as /api/show says;
   * undefined when Ollama does not say.
   */
  abstract capabilities(model: string): Promise<readonly string[] | undefined>;
  /** Streams an answer; aborting `signal` stops the generation in Ollama. */
  abstract chat(request: ChatStreamRequest, signal: AbortSignal): AsyncIterable<OllamaChunk>;
  /** As chat(), for a raw prompt. */
  abstract complete(request: CompletionStreamRequest, signal: AbortSignal): AsyncIterable<OllamaChunk>;
  abstract embed(call: EmbedCall): Promise<Embeddings>;
  abstract check(): Promise<void>;
}

export function toolsUnsupported(model: string, cause?: unknown): DomainException {
  return new DomainException(
    ErrorCode.ValidationFailed,
    `Model '${model}' cannot be offered tools: its chat template has none. Choose a model that supports tools, ` +
      `or set toolChoice to 'required' or to a tool's name, which work with any model.`,
    { cause },
  );
}

export function embeddingsUnsupported(model: string, cause?: unknown): DomainException {
  return new DomainException(ErrorCode.ValidationFailed, `Model '${model}' does not make embeddings: choose an embedding model.`, {
    cause,
  });
}

/** Maps what the client throws to a code that says whether to retry. */
export function classifyOllamaError(error: unknown, model: string): DomainException {
  if (error instanceof DomainException) return error;
  const status = (error as { status_code?: number }).status_code;
  const message = (error as Error).message ?? String(error);
  if (status === 404 || /not found/i.test(message)) {
    return new DomainException(ErrorCode.ModelNotFound, `Model '${model}' is not installed in Ollama.`, { cause: error });
  }
  if (/does not support tools/i.test(message)) return toolsUnsupported(model, error);
  // A model without pooling answers 501, which is no outage.
  if (status === 501 || /does not support embeddings/i.test(message)) return embeddingsUnsupported(model, error);
  // A schema the grammar compiler refuses is the caller's, though Ollama answers 500.
  if (/invalid JSON schema in format/i.test(message)) {
    return new DomainException(ErrorCode.ValidationFailed, `Ollama could not compile the JSON schema into a grammar: ${message}`, {
      cause: error,
    });
  }
  if (status === 400) {
    return new DomainException(ErrorCode.ValidationFailed, `Ollama rejected the request: ${message}`, { cause: error });
  }
  if (status === 503 || status === 429) {
    return new DomainException(ErrorCode.ModelUnavailable, `Ollama is busy: ${message}`, { cause: error, retryAfterSeconds: 5 });
  }
  return new DomainException(ErrorCode.UpstreamUnavailable, `Ollama failed: ${message}`, { cause: error, retryAfterSeconds: 5 });
}

/**
 * A keep-alive as Ollama takes it: a duration with a unit as it is (`10m`), a bare number
 * as seconds (`-1`: for ever), since Ollama refuses a string without a unit.
 */
export function ollamaKeepAlive(value: string): string | number {
  return /^-?\d+$/.test(value) ? Number(value) : value;
}

export function toOllamaOptions(options: SamplingOptions): Partial<Options> {
  return {
    ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
    ...(options.topP !== undefined ? { top_p: options.topP } : {}),
    ...(options.maxTokens !== undefined ? { num_predict: options.maxTokens } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.stop !== undefined ? { stop: options.stop } : {}),
    ...(options.frequencyPenalty !== undefined ? { frequency_penalty: options.frequencyPenalty } : {}),
    ...(options.presencePenalty !== undefined ? { presence_penalty: options.presencePenalty } : {}),
  };
}

function logprobFields(options: SamplingOptions): { logprobs?: boolean; top_logprobs?: number } {
  return {
    ...(options.logprobs ? { logprobs: true } : {}),
    ...(options.topLogprobs !== undefined ? { top_logprobs: options.topLogprobs } : {}),
  };
}

/** A message as Ollama's /api/chat takes it (the client's own type lacks the call ids). */
export interface OllamaMessage extends Message {
  tool_calls?: Array<{ id: string; function: { name: string; arguments: Record<string, unknown> } }>;
  tool_call_id?: string;
}

/**
 * Our messages in Ollama's shape: a call's arguments as an object (they must be a JSON
 * object: planGeneration checks it), and a tool result with the name of the function it
 * answers, which some chat templates print.
 */
export function toOllamaMessages(messages: readonly ChatMessage[]): OllamaMessage[] {
  const toolNames = new Map(messages.flatMap((m) => m.toolCalls ?? []).map((call) => [call.id, call.name]));
  return messages.map((m) => {
    const toolName = m.toolCallId === undefined ? undefined : toolNames.get(m.toolCallId);
    return {
      role: m.role,
      content: m.content,
      ...(m.toolCalls
        ? {
            tool_calls: m.toolCalls.map((call) => ({
              id: call.id,
              function: { name: call.name, arguments: JSON.parse(call.arguments) as Record<string, unknown> },
            })),
          }
        : {}),
      ...(m.toolCallId !== undefined ? { tool_call_id: m.toolCallId } : {}),
      ...(toolName !== undefined ? { tool_name: toolName } : {}),
    };
  });
}

export interface OllamaTool {
  type: 'function';
  function: { name: string; description?: string; parameters: JsonSchemaObject };
}

/** Tools in Ollama's (OpenAI's) shape; one that takes nothing gets an empty object schema, for the templates to print. */
export function toOllamaTools(tools: readonly Tool[]): OllamaTool[] {
  return tools.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      parameters: tool.parameters ?? { type: 'object', properties: {} },
    },
  }));
}

interface OllamaTokenLogprob {
  token: string;
  logprob: number;
  bytes?: number[];
}

/** What chat() and complete() read of Ollama's streamed pieces (/api/chat's or /api/generate's). */
export interface OllamaStreamPart {
  message?: {
    content?: string;
    tool_calls?: Array<{ id?: string; function: { name: string; arguments?: Record<string, unknown> } }>;
  };
  response?: string;
  done: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  logprobs?: Array<OllamaTokenLogprob & { top_logprobs?: OllamaTokenLogprob[] }>;
}

function tokenLogprob(value: OllamaTokenLogprob): { token: string; logprob: number; bytes?: number[] } {
  return { token: value.token, logprob: value.logprob, ...(value.bytes ? { bytes: value.bytes } : {}) };
}

export function chunkOf(part: OllamaStreamPart): OllamaChunk {
  const toolCalls = part.message?.tool_calls ?? [];
  return {
    text: part.message?.content ?? part.response ?? '',
    ...(toolCalls.length > 0
      ? {
          toolCalls: toolCalls.map((call) => ({
            ...(call.id ? { id: call.id } : {}),
            name: call.function.name,
            arguments: JSON.stringify(call.function.arguments ?? {}),
          })),
        }
      : {}),
    ...(part.logprobs?.length
      ? {
          logprobs: part.logprobs.map((lp) => ({
            ...tokenLogprob(lp),
            ...(lp.top_logprobs ? { topLogprobs: lp.top_logprobs.map(tokenLogprob) } : {}),
          })),
        }
      : {}),
    done: part.done,
    ...(part.done_reason ? { doneReason: part.done_reason } : {}),
    ...(part.done ? { promptTokens: part.prompt_eval_count ?? 0, completionTokens: part.eval_count ?? 0 } : {}),
  };
}

@Injectable()
export class OllamaClientAdapter extends OllamaAdapter {
  private readonly client: Ollama;

  constructor(@Inject(GPT_API_CONFIG) private readonly config: GptApiConfig) {
    super();
    // Every call to Ollama carries the trace context of the span it is made in.
    this.client = new Ollama({ host: config.OLLAMA_HOST, fetch: tracedFetch });
  }

  async listModels(): Promise<InstalledModel[]> {
    const { models } = await this.client.list();
    return models.map((m) => ({
      name: m.name,
      sizeBytes: m.size,
      ...(m.details?.family ? { family: m.details.family } : {}),
      ...(m.details?.parameter_size ? { parameterSize: m.details.parameter_size } : {}),
    }));
  }

  async capabilities(model: string): Promise<readonly string[] | undefined> {
    try {
      return (await this.client.show({ model })).capabilities ?? undefined;
    } catch (error) {
      throw classifyOllamaError(error, model);
    }
  }

  /** The call is made in the context active here (a generator's body would run in its reader's). */
  chat(request: ChatStreamRequest, signal: AbortSignal): AsyncIterable<OllamaChunk> {
    return this.streamed(request.model, signal, bindToActiveContext(() =>
      this.client.chat({
        model: request.model,
        messages: toOllamaMessages(request.messages),
        ...(request.tools ? { tools: toOllamaTools(request.tools) } : {}),
        ...(request.format !== undefined ? { format: request.format } : {}),
        stream: true,
        keep_alive: ollamaKeepAlive(request.keepAlive ?? this.config.OLLAMA_KEEP_ALIVE),
        options: toOllamaOptions(request.options),
        ...logprobFields(request.options),
      })),
    );
  }

  complete(request: CompletionStreamRequest, signal: AbortSignal): AsyncIterable<OllamaChunk> {
    return this.streamed(request.model, signal, bindToActiveContext(() =>
      this.client.generate({
        model: request.model,
        prompt: request.prompt,
        raw: true,
        stream: true,
        keep_alive: ollamaKeepAlive(request.keepAlive ?? this.config.OLLAMA_KEEP_ALIVE),
        options: toOllamaOptions(request.options),
        ...logprobFields(request.options),
      })),
    );
  }

  async embed(call: EmbedCall): Promise<Embeddings> {
    try {
      const response = await this.client.embed({
        model: call.model,
        input: [...call.input],
        // An input longer than the model's context is cut to it rather than refused.
        truncate: true,
        ...(call.dimensions !== undefined ? { dimensions: call.dimensions } : {}),
        keep_alive: ollamaKeepAlive(call.keepAlive ?? this.config.OLLAMA_KEEP_ALIVE),
      });
      return { embeddings: response.embeddings, promptTokens: response.prompt_eval_count ?? 0 };
    } catch (error) {
      throw classifyOllamaError(error, call.model);
    }
  }

  async check(): Promise<void> {
    await this.client.version();
  }

  private async *streamed(
    model: string,
    signal: AbortSignal,
    open: () => Promise<AsyncIterable<OllamaStreamPart> & { abort(): void }>,
  ): AsyncIterable<OllamaChunk> {
    let stream;
    try {
      stream = await open();
    } catch (error) {
      throw classifyOllamaError(error, model);
    }
    // Aborting the iterator closes the HTTP stream, which makes Ollama stop generating.
    const onAbort = () => stream.abort();
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const part of stream) yield chunkOf(part);
    } catch (error) {
      if (signal.aborted) return;
      throw classifyOllamaError(error, model);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}
