import {
  ErrorCode,
  chatBodySchema,
  modelNameSchema,
  parseOrThrow,
  text,
  z,
  type ChatBody,
  type ChatMessage,
} from '@shoshizan/shared-interfaces';

/**
 * The part of OpenAI's Chat Completions request that Shoshizan serves. Fields OpenAI
 * defines and Shoshizan does not support (tools, n > 1, logprobs, ...) are refused by name;
 * fields it does not know are ignored, as OpenAI's own API does with vendor extensions.
 */
const contentPartSchema = z.object({ type: z.literal('text'), text: text() });
const openAiMessageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: z.union([text(), z.array(contentPartSchema)]),
  name: text().optional(),
});

export const chatCompletionRequestSchema = z.object({
  // An Ollama model name: refused here, naming `model`, rather than after the mapping.
  model: modelNameSchema,
  messages: z.array(openAiMessageSchema).min(1),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.int().min(1).nullish(),
  max_completion_tokens: z.int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  seed: z.int().nullish(),
  stop: z.union([text(), z.array(text()).max(8)]).nullish(),
  n: z.literal(1).nullish(),
  user: text().optional(),
  tools: z.undefined({ error: 'tools are not supported' }).optional(),
  tool_choice: z.undefined({ error: 'tool_choice is not supported' }).optional(),
  logprobs: z.literal(false).nullish(),
  response_format: z.object({ type: z.literal('text') }).nullish(),
});
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

const usageSchema = z.strictObject({
  prompt_tokens: z.int().min(0),
  completion_tokens: z.int().min(0),
  total_tokens: z.int().min(0),
});
const finishReasonSchema = z.enum(['stop', 'length']);

/** The answer of a chat completion without `stream` (OpenAI's `chat.completion`). */
export const chatCompletionSchema = z.strictObject({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.int(),
  model: z.string(),
  choices: z.array(
    z.strictObject({
      index: z.int().min(0),
      message: z.strictObject({ role: z.literal('assistant'), content: z.string() }),
      finish_reason: finishReasonSchema,
      logprobs: z.null(),
    }),
  ),
  usage: usageSchema,
});
export type ChatCompletion = z.infer<typeof chatCompletionSchema>;

/** One `data:` event of a streamed chat completion (OpenAI's `chat.completion.chunk`), before `data: [DONE]`. */
export const chatCompletionChunkSchema = z.strictObject({
  id: z.string(),
  object: z.literal('chat.completion.chunk'),
  created: z.int(),
  model: z.string(),
  choices: z.array(
    z.strictObject({
      index: z.int().min(0),
      delta: z.strictObject({ role: z.literal('assistant').optional(), content: z.string().optional() }),
      finish_reason: finishReasonSchema.nullable(),
    }),
  ),
  /** Only in the last chunk, and only with `stream_options.include_usage`. */
  usage: usageSchema.optional(),
});

/** An error on the OpenAI-compatible routes, in OpenAI's shape (its SDKs raise it as such). */
export const openAiErrorSchema = z.strictObject({
  error: z.strictObject({
    message: z.string(),
    type: z.string(),
    param: z.string().nullable(),
    code: z.enum(ErrorCode),
  }),
});
export type OpenAiError = z.infer<typeof openAiErrorSchema>;

/** OpenAI's request as Shoshizan's own chat body, validated by its schema (a bad model name, no user message). */
export function toChatBody(request: ChatCompletionRequest): ChatBody {
  return parseOrThrow(chatBodySchema, fromOpenAi(request), 'Chat completion request');
}

function fromOpenAi(request: ChatCompletionRequest): ChatBody {
  const messages: ChatMessage[] = request.messages.map((m) => ({
    role: m.role === 'developer' ? 'system' : m.role,
    content: typeof m.content === 'string' ? m.content : m.content.map((part) => part.text).join(''),
  }));
  const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  const stop = (typeof request.stop === 'string' ? [request.stop] : request.stop) ?? undefined;
  const temperature = request.temperature ?? undefined;
  const topP = request.top_p ?? undefined;
  const seed = request.seed ?? undefined;
  return {
    model: request.model,
    messages,
    options: {
      ...(maxTokens !== undefined ? { maxTokens } : {}),
      ...(temperature !== undefined ? { temperature } : {}),
      ...(topP !== undefined ? { topP } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(stop !== undefined ? { stop } : {}),
    },
    timeoutSeconds: 300,
  };
}

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
