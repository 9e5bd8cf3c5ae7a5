import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode, type ChatMessage, type GenerateRequest, type GenerationOptions, type ResponseFormat } from '@shoshizan/shared-interfaces';
import type { ResolvedModel } from '../models/model-catalog';
import type { ChatStreamRequest, CompletionStreamRequest, OutputFormat, SamplingOptions } from '../ollama/ollama.adapter';
import { checkToolCallArguments, planTools, type ToolPlan } from './tool-plan';

export type OllamaCall =
  | { readonly endpoint: 'chat'; readonly request: ChatStreamRequest }
  | { readonly endpoint: 'completion'; readonly request: CompletionStreamRequest };

/** What a generation asks of Ollama and how its answer is read, decided before it starts. */
export interface GenerationPlan {
  readonly model: ResolvedModel;
  readonly tools: ToolPlan;
  readonly ollama: OllamaCall;
  /**
   * A chat answer starts at its first visible character (models often open with a space or
   * a newline after the prompt's role marker). A resumed answer and a raw prompt's go on
   * from text the client has, where a leading space matters.
   */
  readonly trimLeadingWhitespace: boolean;
}

/**
 * The most tokens one answer may generate: what the request asks, within the operator's cap
 * (absent: none), which also bounds a request that asks nothing.
 */
export function maxTokensOf(asked: number | undefined, cap: number | undefined): number | undefined {
  if (cap === undefined) return asked;
  return asked === undefined ? cap : Math.min(asked, cap);
}

function samplingOf(options: GenerationOptions, maxOutputTokens: number | undefined): SamplingOptions {
  const { temperature, topP, seed, stop, frequencyPenalty, presencePenalty, logprobs, topLogprobs } = options;
  const maxTokens = maxTokensOf(options.maxTokens, maxOutputTokens);
  return { temperature, topP, maxTokens, seed, stop, frequencyPenalty, presencePenalty, logprobs, topLogprobs };
}

export function formatOf(responseFormat: ResponseFormat): OutputFormat {
  return responseFormat.type === 'json_object' ? 'json' : responseFormat.schema;
}

/** The one user message a raw prompt is (OpenAI's legacy completions send nothing else). */
function rawPromptOf(messages: readonly ChatMessage[]): string {
  const [only] = messages;
  if (messages.length !== 1 || only?.role !== 'user') {
    throw new DomainException(ErrorCode.ValidationFailed, 'A raw prompt is a single user message.', {
      issues: [{ path: 'messages', message: `must be one user message with options.raw, got ${messages.length} messages` }],
    });
  }
  return only.content;
}

/**
 * `instruction` as the system prompt's last paragraph: many chat templates print only one
 * system message, or print a second one as a user turn.
 */
export function withSystemInstruction(messages: readonly ChatMessage[], instruction: string): ChatMessage[] {
  const [first, ...rest] = messages;
  if (first?.role === 'system') return [{ ...first, content: `${first.content}\n\n${instruction}` }, ...rest];
  return [{ role: 'system', content: instruction }, ...messages];
}

/**
 * Throws DomainException ValidationFailed for a request Ollama cannot be asked.
 * `maxOutputTokens`: the operator's cap on one answer's tokens (MAX_OUTPUT_TOKENS).
 */
export function planGeneration(request: GenerateRequest, model: ResolvedModel, maxOutputTokens?: number): GenerationPlan {
  const { options, continuation } = request;
  const common = { model: model.name, options: samplingOf(options, maxOutputTokens), ...(model.keepAlive ? { keepAlive: model.keepAlive } : {}) };
  if (options.raw) {
    // The contract allows neither tools nor a response format with a raw prompt.
    const prompt = rawPromptOf(request.messages) + (continuation ?? '');
    return { model, tools: { kind: 'text' }, ollama: { endpoint: 'completion', request: { ...common, prompt } }, trimLeadingWhitespace: false };
  }
  checkToolCallArguments(request.messages);
  if (continuation !== undefined) {
    // A continuation goes in as the start of the assistant's turn: the model carries on from
    // its last character (a redelivered request resumes; nothing is said twice). It is text
    // (calls are not streamed until whole), so it goes on as text. A format's grammar would
    // start a new JSON value after it, not carry on the one begun, so there is none.
    const messages = [...request.messages, { role: 'assistant' as const, content: continuation }];
    return { model, tools: { kind: 'text' }, ollama: { endpoint: 'chat', request: { ...common, messages } }, trimLeadingWhitespace: false };
  }
  const tools = planTools(options);
  const chat: ChatStreamRequest =
    tools.kind === 'constrained'
      ? { ...common, messages: withSystemInstruction(request.messages, tools.instruction), format: tools.format }
      : {
          ...common,
          messages: request.messages,
          ...(tools.kind === 'native' ? { tools: tools.tools } : {}),
          ...(options.responseFormat ? { format: formatOf(options.responseFormat) } : {}),
        };
  return { model, tools, ollama: { endpoint: 'chat', request: chat }, trimLeadingWhitespace: true };
}
