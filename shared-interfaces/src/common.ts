import { z } from 'zod';
import { UNSTORABLE_TEXT_MESSAGE, text } from './text';

/** The envelope version this code writes. Readers accept only versions they know. */
export const ENVELOPE_VERSION = 1 as const;

/** Ids are UUIDs (v4 or v7); opaque to every reader. */
export const idSchema = z.uuid();

/** A user id as issued by the gateway's identity layer (a JWT `sub`). */
export const userIdSchema = text().min(1).max(200);

/** The caller's roles (from the token); per-role limits apply through them. */
export const rolesSchema = z.array(text().min(1).max(64)).max(32);

/** A model name as Ollama knows it, e.g. `gemma3:270m`. */
export const modelNameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'must be an Ollama model name such as gemma3:270m');

export const chatRoleSchema = z.enum(['system', 'user', 'assistant', 'tool']);
export type ChatRole = z.infer<typeof chatRoleSchema>;

/**
 * A JSON value from a client that every store can hold: jsonb refuses the `\u0000` escape
 * and unpaired surrogates as text() does (JSON.stringify writes both as escapes).
 */
function storableJson(value: unknown): boolean {
  return !/\\u0000|\\ud[89a-f][0-9a-f]{2}/i.test(JSON.stringify(value) ?? '');
}

/**
 * A JSON Schema as a client gives it (a tool's `parameters`, a `json_schema` answer format):
 * an object, passed on as it is; the model server compiles it into a grammar.
 */
export const jsonSchemaObjectSchema = z
  .record(z.string(), z.unknown())
  .refine(storableJson, UNSTORABLE_TEXT_MESSAGE)
  .refine((value) => JSON.stringify(value).length <= 100_000, 'must be at most 100000 characters as JSON');
export type JsonSchemaObject = z.infer<typeof jsonSchemaObjectSchema>;

/** A function name as OpenAI allows it. */
export const toolNameSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, _ or -');

/** A function the model may call (OpenAI's `tools[].function`). */
export const toolSchema = z.strictObject({
  name: toolNameSchema,
  description: text().max(10_000).optional(),
  /** The JSON Schema of its arguments; absent: it takes none. */
  parameters: jsonSchemaObjectSchema.optional(),
  strict: z.boolean().optional(),
});
export type Tool = z.infer<typeof toolSchema>;

/**
 * Whether the model must call a tool: `auto` (it decides), `none` (it answers in text),
 * `required` (it calls one of them) or `{ name }` (it calls that one).
 */
export const toolChoiceSchema = z.union([z.enum(['auto', 'none', 'required']), z.strictObject({ name: toolNameSchema })]);
export type ToolChoice = z.infer<typeof toolChoiceSchema>;

/** A call the model made: its arguments are JSON text, as the model wrote them (OpenAI's shape). */
export const toolCallSchema = z.strictObject({
  /** Unique within the conversation; a `tool` message names it to answer the call. */
  id: text().min(1).max(100),
  name: toolNameSchema,
  arguments: text().max(200_000),
});
export type ToolCall = z.infer<typeof toolCallSchema>;

export const chatMessageSchema = z
  .strictObject({
    role: chatRoleSchema,
    content: text().max(200_000),
    /** An assistant's calls (its content may then be empty). */
    toolCalls: z.array(toolCallSchema).min(1).max(128).optional(),
    /** A `tool` message: the call whose result it holds. */
    toolCallId: text().min(1).max(100).optional(),
  })
  .superRefine((message, ctx) => {
    if (message.toolCalls && message.role !== 'assistant') {
      ctx.addIssue({ code: 'custom', path: ['toolCalls'], message: 'only an assistant message calls tools' });
    }
    if (message.role === 'tool' && message.toolCallId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['toolCallId'], message: 'a tool message must name the call it answers' });
    }
    if (message.role !== 'tool' && message.toolCallId !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['toolCallId'], message: 'only a tool message answers a call' });
    }
  });
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const chatMessagesSchema = z
  .array(chatMessageSchema)
  .min(1, 'must hold at least one message')
  .max(1000)
  .refine((messages) => messages.some((m) => m.role === 'user'), 'must hold at least one user message');

/**
 * The shape the answer must have: `json_object` any JSON object, `json_schema` one that
 * validates against `schema` (the model server constrains the tokens to it).
 */
export const responseFormatSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('json_object') }),
  z.strictObject({
    type: z.literal('json_schema'),
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, _ or -'),
    schema: jsonSchemaObjectSchema,
    strict: z.boolean().optional(),
  }),
]);
export type ResponseFormat = z.infer<typeof responseFormatSchema>;

/** Sampling and answer options passed through to the model. Every field is optional. */
export const generationOptionsSchema = z
  .strictObject({
    temperature: z.number().min(0).max(2).optional(),
    topP: z.number().gt(0).max(1).optional(),
    /** Upper bound of generated tokens; the model's own limit applies when absent. */
    maxTokens: z.int().min(1).max(32_768).optional(),
    seed: z.int().optional(),
    stop: z.array(text().min(1).max(100)).max(8).optional(),
    frequencyPenalty: z.number().min(-2).max(2).optional(),
    presencePenalty: z.number().min(-2).max(2).optional(),
    /** The functions the model may call, and whether it must. */
    tools: z.array(toolSchema).min(1).max(128).optional(),
    toolChoice: toolChoiceSchema.optional(),
    /** false: at most one call an answer. */
    parallelToolCalls: z.boolean().optional(),
    /** Absent: free text. */
    responseFormat: responseFormatSchema.optional(),
    /** The log probability of each token (and of the `topLogprobs` likeliest in its place). */
    logprobs: z.boolean().optional(),
    topLogprobs: z.int().min(0).max(20).optional(),
    /**
     * The single user message is the whole prompt, continued as it is, with no chat
     * template (OpenAI's legacy completions).
     */
    raw: z.boolean().optional(),
  })
  .superRefine((options, ctx) => {
    const choice = options.toolChoice;
    if (choice !== undefined && choice !== 'none' && choice !== 'auto' && !options.tools) {
      ctx.addIssue({ code: 'custom', path: ['toolChoice'], message: 'a tool choice needs tools' });
    }
    if (typeof choice === 'object' && options.tools && !options.tools.some((t) => t.name === choice.name)) {
      ctx.addIssue({ code: 'custom', path: ['toolChoice', 'name'], message: `names no tool: ${choice.name}` });
    }
    if (options.tools && new Set(options.tools.map((t) => t.name)).size !== options.tools.length) {
      ctx.addIssue({ code: 'custom', path: ['tools'], message: 'two tools have the same name' });
    }
    if (options.topLogprobs !== undefined && options.logprobs !== true) {
      ctx.addIssue({ code: 'custom', path: ['topLogprobs'], message: 'needs logprobs: true' });
    }
    if (options.raw && (options.tools || options.responseFormat)) {
      ctx.addIssue({ code: 'custom', path: ['raw'], message: 'a raw prompt takes no tools and no response format' });
    }
  });
export type GenerationOptions = z.infer<typeof generationOptionsSchema>;

/** One token's log probability, and those of the likeliest tokens in its place. */
export const tokenLogprobSchema = z.strictObject({
  token: text(),
  logprob: z.number(),
  bytes: z.array(z.int().min(0).max(255)).optional(),
  topLogprobs: z
    .array(z.strictObject({ token: text(), logprob: z.number(), bytes: z.array(z.int().min(0).max(255)).optional() }))
    .optional(),
});
export type TokenLogprob = z.infer<typeof tokenLogprobSchema>;

/**
 * A count or duration that PostgreSQL keeps in an `integer` column. Bounded here, in the
 * schema, so that a larger value is refused where it enters instead of failing the insert
 * of every consumer that stores it (the same class of fault as text() guards against).
 */
export const storedIntSchema = z.int().min(0).max(2_147_483_647);

export const usageSchema = z.strictObject({
  promptTokens: storedIntSchema,
  completionTokens: storedIntSchema,
  totalTokens: storedIntSchema,
});
export type Usage = z.infer<typeof usageSchema>;

/** W3C trace context, carried so that one trace spans every hop. */
export const traceContextSchema = z.strictObject({
  traceparent: z
    .string()
    .regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, 'must be a W3C traceparent')
    .optional(),
  tracestate: text().max(512).optional(),
});
export type TraceContext = z.infer<typeof traceContextSchema>;

/** A W3C trace id (32 lowercase hex digits, not all zero): what a trace backend looks a trace up by. */
export const traceIdSchema = z
  .string()
  .regex(/^(?!0{32})[0-9a-f]{32}$/, 'must be a W3C trace id (32 lowercase hex digits, not all zero)');

export const isoDateTimeSchema = z.iso.datetime({ offset: true });

/** `tool_calls`: the answer is one or more tool calls, whose results the client sends back. */
export const finishReasonSchema = z.enum(['stop', 'length', 'cancelled', 'tool_calls']);
export type FinishReason = z.infer<typeof finishReasonSchema>;
