import {
  ErrorCode,
  generationOptionsSchema,
  jsonSchemaObjectSchema,
  modelNameSchema,
  responseFormatSchema as formatSchema,
  text,
  toolNameSchema,
  z,
} from '@shoshizan/shared-interfaces';

/*
 * The parts of OpenAI's Chat Completions, Completions and Embeddings requests that Shoshizan
 * serves, and the shapes of its answers (the OpenAPI document is built from them). A field
 * OpenAI defines that Shoshizan cannot honour is refused by name, with a 400 whose `param`
 * is that field; a field OpenAI does not define is ignored, as OpenAI's own API does with
 * vendor extensions. Bounds come from the shared generation options, so a value Shoshizan
 * would refuse is refused here, under OpenAI's name for it.
 */

const option = generationOptionsSchema.shape;

/** A field that changes the answer in a way Shoshizan cannot: absent or null only. */
const refused = (why: string) => z.null({ error: why }).optional().describe(`Not supported: ${why}.`);
/** A field OpenAI uses for its own bookkeeping: taken, and without effect here. */
const noEffect = <S extends z.ZodType>(schema: S) => schema.optional().describe('Accepted; has no effect.');

const stopSchema = z.union([option.stop.unwrap().element, option.stop.unwrap()]).nullish();

/** `user` and `safety_identifier` name the caller's end user; the gateway logs them with the request id. */
const endUserFields = {
  user: text().max(256).optional().describe('Logged with the request id (OpenAI: an end-user id for abuse reports).'),
  safety_identifier: text().max(256).optional().describe('Logged with the request id, like `user`.'),
};

const textPartSchema = z.object({ type: z.literal('text'), text: text().max(200_000) });

/** Message content as OpenAI allows it: a string, or text parts joined. */
const textContent = (refusal: string) =>
  z.union([text().max(200_000), z.array(textPartSchema).max(1000)], {
    error: `must be a string or an array of text parts (${refusal})`,
  });

const toolCallParamSchema = z.object({
  id: text().min(1).max(100),
  type: z.literal('function', { error: 'only function calls are supported' }),
  function: z.object({ name: toolNameSchema, arguments: text().max(200_000) }),
});

const messageSchema = z.discriminatedUnion(
  'role',
  [
    z.object({
      role: z.enum(['system', 'developer']),
      content: textContent('a system message holds text'),
      name: noEffect(text().max(256)),
    }),
    z.object({
      role: z.literal('user'),
      content: textContent('images, audio and files are not supported'),
      name: noEffect(text().max(256)),
    }),
    z.object({
      role: z.literal('assistant'),
      // null when the assistant only called tools
      content: textContent('an assistant message holds text').nullish(),
      // What the model said instead of an answer: its text, when there is no content.
      refusal: text().max(200_000).nullish(),
      tool_calls: z.array(toolCallParamSchema).max(128).optional(),
      function_call: refused('`function_call` is deprecated: use `tool_calls`'),
      audio: refused('audio is not supported'),
      name: noEffect(text().max(256)),
    }),
    z.object({
      role: z.literal('tool'),
      content: textContent('a tool result is text'),
      tool_call_id: text().min(1).max(100),
    }),
  ],
  { error: 'must be system, developer, user, assistant or tool (the deprecated function role is not supported)' },
);
export type OpenAiMessage = z.infer<typeof messageSchema>;

const functionToolSchema = z.object({
  type: z.literal('function', { error: 'only function tools are supported' }),
  function: z.object({
    name: toolNameSchema,
    description: text().max(10_000).optional(),
    parameters: jsonSchemaObjectSchema.optional(),
    strict: z.boolean().nullish(),
  }),
});

const toolChoiceSchema = z.union(
  [z.enum(['auto', 'none', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: toolNameSchema }) })],
  { error: "must be auto, none, required or {type: 'function', function: {name}} (allowed_tools and custom tools are not supported)" },
);

/** The shared structured-output formats (the one definition of a format's name and schema), as OpenAI nests them. */
const [jsonObjectFormat, jsonSchemaFormat] = formatSchema.options;
const responseFormatSchema = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('text') }),
    z.object(jsonObjectFormat.shape),
    z.object({
      type: jsonSchemaFormat.shape.type,
      json_schema: z.object({
        name: jsonSchemaFormat.shape.name,
        description: noEffect(text().max(10_000)),
        schema: jsonSchemaFormat.shape.schema,
        strict: z.boolean().nullish(),
      }),
    }),
  ],
  { error: 'must be text, json_object or json_schema' },
);

const streamOptionsSchema = z
  .object({ include_usage: z.boolean().optional(), include_obfuscation: noEffect(z.boolean()) })
  .nullish();

/** OpenAI's `n` and `best_of`: one answer a request. */
const onlyOne = z.literal(1, { error: 'only 1 is supported' }).nullish();
const noLogitBias = z
  .strictObject({}, { error: 'is not supported (only an empty map is)' })
  .nullish()
  .describe('Not supported: only an empty map.');

export const chatCompletionRequestSchema = z.object({
  // An Ollama model name: refused here, naming `model`, rather than after the mapping.
  model: modelNameSchema,
  messages: z.array(messageSchema).min(1).max(1000),
  stream: z.boolean().nullish(),
  stream_options: streamOptionsSchema,
  max_completion_tokens: option.maxTokens.unwrap().nullish(),
  max_tokens: option.maxTokens.unwrap().nullish().describe('Deprecated by OpenAI; `max_completion_tokens` wins.'),
  temperature: option.temperature.unwrap().nullish(),
  top_p: option.topP.unwrap().nullish(),
  seed: option.seed.unwrap().nullish(),
  stop: stopSchema,
  frequency_penalty: option.frequencyPenalty.unwrap().nullish(),
  presence_penalty: option.presencePenalty.unwrap().nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: option.topLogprobs.unwrap().nullish(),
  tools: z.array(functionToolSchema).max(128).optional(),
  tool_choice: toolChoiceSchema.optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: responseFormatSchema.optional(),
  n: onlyOne,
  logit_bias: noLogitBias,
  service_tier: z.enum(['auto', 'default'], { error: 'only auto and default are supported' }).nullish(),
  modalities: z.array(z.literal('text', { error: 'only text is supported' })).nullish(),
  audio: refused('audio output is not supported'),
  prediction: refused('predicted outputs are not supported'),
  web_search_options: refused('web search is not supported'),
  reasoning_effort: refused('reasoning effort is not supported'),
  verbosity: refused('verbosity is not supported'),
  functions: z
    .never({ error: '`functions` is deprecated and not supported: use `tools`' })
    .optional()
    .describe('Not supported (deprecated): use `tools`.'),
  function_call: z
    .never({ error: '`function_call` is deprecated and not supported: use `tool_choice`' })
    .optional()
    .describe('Not supported (deprecated): use `tool_choice`.'),
  store: noEffect(z.boolean().nullable()),
  metadata: noEffect(z.record(text().max(64), text().max(512)).nullable()),
  prompt_cache_key: noEffect(text().max(1024)),
  prompt_cache_retention: noEffect(z.enum(['in-memory', '24h']).nullable()),
  ...endUserFields,
});
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

/** OpenAI's legacy Completions request: a prompt continued as it is, with no chat template. */
export const completionRequestSchema = z.object({
  model: modelNameSchema,
  prompt: z.union([text().max(200_000), z.tuple([text().max(200_000)])], {
    error: 'must be a string or an array of one string (several prompts and token arrays are not supported)',
  }),
  stream: z.boolean().nullish(),
  stream_options: streamOptionsSchema,
  max_tokens: option.maxTokens.unwrap().nullish().describe("Absent: the model's own limit (OpenAI's default is 16)."),
  temperature: option.temperature.unwrap().nullish(),
  top_p: option.topP.unwrap().nullish(),
  seed: option.seed.unwrap().nullish(),
  stop: stopSchema,
  frequency_penalty: option.frequencyPenalty.unwrap().nullish(),
  presence_penalty: option.presencePenalty.unwrap().nullish(),
  logprobs: z.int().min(0).max(5).nullish().describe('The log probabilities of this many likeliest tokens in each place.'),
  n: onlyOne,
  best_of: onlyOne,
  echo: z.literal(false, { error: 'is not supported' }).nullish(),
  suffix: refused('a suffix (fill in the middle) is not supported'),
  logit_bias: noLogitBias,
  ...endUserFields,
});
export type CompletionRequest = z.infer<typeof completionRequestSchema>;

export const embeddingsRequestSchema = z.object({
  input: z.union([text().min(1).max(200_000), z.array(text().min(1).max(200_000)).min(1).max(2048)], {
    error: 'must be a non-empty string or an array of 1 to 2048 of them (token arrays are not supported)',
  }),
  model: modelNameSchema,
  encoding_format: z.enum(['float', 'base64']).optional().describe('`base64`: each vector as little-endian float32 bytes.'),
  dimensions: z.int().min(1).max(65_536).optional(),
  user: endUserFields.user,
});
export type EmbeddingsRequest = z.infer<typeof embeddingsRequestSchema>;

/** The query of `GET /v1/chat/completions/{completion_id}`. */
export const retrieveChatCompletionQuerySchema = z.object({
  stream: z
    .enum(['true', 'false'])
    .optional()
    .describe('`true`: the chunks again, after the one `Last-Event-ID` names (none: all), then the live ones.'),
  include_usage: z
    .enum(['true', 'false'])
    .optional()
    .describe('With `stream=true`: the usage chunk at the end, as `stream_options.include_usage` gives it.'),
});

const usageSchema = z.strictObject({
  prompt_tokens: z.int().min(0),
  completion_tokens: z.int().min(0),
  total_tokens: z.int().min(0),
});
export type OpenAiUsage = z.infer<typeof usageSchema>;

const topLogprobSchema = z.strictObject({ token: z.string(), logprob: z.number(), bytes: z.array(z.int()).nullable() });
const tokenLogprobSchema = topLogprobSchema.extend({ top_logprobs: z.array(topLogprobSchema) });
export type OpenAiTokenLogprob = z.infer<typeof tokenLogprobSchema>;
/** Null unless the request asked for `logprobs`. */
const choiceLogprobsSchema = z.strictObject({ content: z.array(tokenLogprobSchema), refusal: z.null() }).nullable();

const toolCallSchema = z.strictObject({
  id: z.string(),
  type: z.literal('function'),
  function: z.strictObject({ name: z.string(), arguments: z.string() }),
});
const chatFinishReasonSchema = z.enum(['stop', 'length', 'tool_calls']);
export type ChatFinishReason = z.infer<typeof chatFinishReasonSchema>;

/** The answer of a chat completion without `stream` (OpenAI's `chat.completion`). */
export const chatCompletionSchema = z.strictObject({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.int(),
  model: z.string(),
  choices: z.array(
    z.strictObject({
      index: z.int().min(0),
      message: z.strictObject({
        role: z.literal('assistant'),
        /** Null when the answer is only tool calls. */
        content: z.string().nullable(),
        refusal: z.null(),
        tool_calls: z.array(toolCallSchema).optional(),
      }),
      finish_reason: chatFinishReasonSchema,
      logprobs: choiceLogprobsSchema,
    }),
  ),
  usage: usageSchema,
});
export type ChatCompletion = z.infer<typeof chatCompletionSchema>;

/**
 * One `data:` event of a streamed chat completion (OpenAI's `chat.completion.chunk`): the
 * role first, then content and whole tool calls, then the finish reason; with
 * `stream_options.include_usage`, a last chunk with no choices and the usage.
 */
export const chatCompletionChunkSchema = z.strictObject({
  id: z.string(),
  object: z.literal('chat.completion.chunk'),
  created: z.int(),
  model: z.string(),
  choices: z.array(
    z.strictObject({
      index: z.int().min(0),
      delta: z.strictObject({
        role: z.literal('assistant').optional(),
        content: z.string().optional(),
        tool_calls: z.array(toolCallSchema.extend({ index: z.int().min(0) })).optional(),
      }),
      finish_reason: chatFinishReasonSchema.nullable(),
      logprobs: choiceLogprobsSchema,
    }),
  ),
  /** With `stream_options.include_usage`: null but in the last chunk. */
  usage: usageSchema.nullable().optional(),
});
export type ChatCompletionChunk = z.infer<typeof chatCompletionChunkSchema>;

/** The legacy Completions API's log probabilities: one entry a token, in parallel arrays. */
const textLogprobsSchema = z.strictObject({
  tokens: z.array(z.string()),
  token_logprobs: z.array(z.number()),
  top_logprobs: z.array(z.record(z.string(), z.number())),
  /** Where each token starts in the completion's text, in UTF-16 code units. */
  text_offset: z.array(z.int().min(0)),
});
export type TextLogprobs = z.infer<typeof textLogprobsSchema>;

/**
 * A legacy completion (`text_completion`), whole or, with `stream`, one `data:` event of it:
 * a piece of text each, the last with its finish reason; with `include_usage`, a last one
 * with no choices and the usage.
 */
export const textCompletionSchema = z.strictObject({
  id: z.string(),
  object: z.literal('text_completion'),
  created: z.int(),
  model: z.string(),
  choices: z.array(
    z.strictObject({
      index: z.int().min(0),
      text: z.string(),
      finish_reason: z.enum(['stop', 'length']).nullable(),
      logprobs: textLogprobsSchema.nullable(),
    }),
  ),
  usage: usageSchema.nullable().optional(),
});
export type TextCompletion = z.infer<typeof textCompletionSchema>;

export const embeddingListSchema = z.strictObject({
  object: z.literal('list'),
  data: z.array(
    z.strictObject({
      object: z.literal('embedding'),
      index: z.int().min(0),
      /** A string with `encoding_format: base64`. */
      embedding: z.union([z.array(z.number()), z.string()]),
    }),
  ),
  model: z.string(),
  usage: z.strictObject({ prompt_tokens: z.int().min(0), total_tokens: z.int().min(0) }),
});
export type EmbeddingList = z.infer<typeof embeddingListSchema>;

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
