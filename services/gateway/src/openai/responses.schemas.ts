import { jsonSchemaObjectSchema, modelNameSchema, responseFormatSchema, text, toolNameSchema, z } from '@shoshizan/shared-interfaces';
import { RESPONSE_ID } from './responses-translation';

/**
 * The part of OpenAI's Responses API (`POST /v1/responses`) that Shoshizan serves: text,
 * function tools and structured output, with `previous_response_id` kept in a conversation.
 * Fields OpenAI defines and Shoshizan cannot honour are refused by name (a 400 naming the
 * field); fields it does not know are ignored, as OpenAI's own API does.
 */

const refused = (what: string) => z.undefined({ error: `${what} is not supported` }).optional();

const inputTextSchema = z.object({ type: z.enum(['input_text', 'output_text']), text: text() });
/** A message item: `content` is a string or text parts (images and files are refused). */
const messageItemSchema = z.object({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'system', 'developer', 'assistant']),
  content: z.union([text(), z.array(inputTextSchema)]),
});
/** A call the model made earlier, sent back with the history (when not using previous_response_id). */
const functionCallItemSchema = z.object({
  type: z.literal('function_call'),
  call_id: text().min(1).max(100),
  name: toolNameSchema,
  arguments: text(),
});
/** A tool's result, answering the call with `call_id`. */
const functionCallOutputItemSchema = z.object({
  type: z.literal('function_call_output'),
  call_id: text().min(1).max(100),
  output: z.union([text(), z.array(z.object({ type: z.literal('input_text'), text: text() }))]),
});

export const responseInputItemSchema = z.union([messageItemSchema, functionCallItemSchema, functionCallOutputItemSchema], {
  error: 'must be a message, a function_call or a function_call_output (other item types are not supported)',
});
export type ResponseInputItem = z.infer<typeof responseInputItemSchema>;

const functionToolSchema = z.object({
  type: z.literal('function', { error: 'only function tools are supported' }),
  name: toolNameSchema,
  description: text().max(10_000).nullish(),
  parameters: jsonSchemaObjectSchema.nullish(),
  strict: z.boolean().nullish(),
});

/** The shared structured-output formats (responseFormatSchema), with OpenAI's nullable fields and free text. */
const [jsonObjectFormat, jsonSchemaFormat] = responseFormatSchema.options;
const textFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object(jsonObjectFormat.shape),
  z.object({ ...jsonSchemaFormat.shape, strict: z.boolean().nullish(), description: text().nullish() }),
]);

export const createResponseRequestSchema = z.object({
  model: modelNameSchema,
  input: z.union([text().min(1), z.array(responseInputItemSchema).min(1)]),
  /** A system message for this response only: not carried into the next one (as OpenAI does). */
  instructions: text().max(200_000).nullish(),
  previous_response_id: z.string().regex(RESPONSE_ID, 'must be the id of a response this API gave').nullish(),
  stream: z.boolean().nullish(),
  tools: z.array(functionToolSchema).max(128).nullish(),
  tool_choice: z
    .union([z.enum(['auto', 'none', 'required']), z.object({ type: z.literal('function'), name: toolNameSchema })])
    .nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z.object({ format: textFormatSchema.nullish() }).nullish(),
  max_output_tokens: z.int().min(1).max(32_768).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  /** Always kept: a conversation backs `previous_response_id` (false is accepted and ignored). */
  store: z.boolean().nullish(),
  metadata: z.record(z.string().max(64), text().max(512)).nullish(),
  user: text().max(256).nullish(),
  background: z.literal(false, { error: 'background responses are not supported' }).nullish(),
  conversation: refused('conversation (use previous_response_id)'),
  prompt: refused('prompt (stored prompt templates)'),
  reasoning: refused('reasoning'),
  include: z.array(z.never({ error: 'include is not supported' })).nullish(),
  truncation: z.literal('disabled', { error: 'only truncation "disabled" is supported' }).nullish(),
  top_logprobs: refused('top_logprobs'),
});
export type CreateResponseRequest = z.infer<typeof createResponseRequestSchema>;

export const retrieveResponseQuerySchema = z.object({
  stream: z.enum(['true', 'false']).optional().describe('`true`: the response’s events as SSE, from the start or after `starting_after`.'),
  starting_after: z
    .string()
    .regex(/^\d{1,9}$/, 'must be a sequence number')
    .optional()
    .describe('With `stream=true`: the `sequence_number` of the last event the client has.'),
});

/* What the Responses API answers, one definition for the code and the OpenAPI document. */

const outputTextSchema = z.strictObject({
  type: z.literal('output_text'),
  text: z.string(),
  annotations: z.array(z.unknown()).max(0),
  logprobs: z.array(z.unknown()).max(0),
});
export type OutputText = z.infer<typeof outputTextSchema>;

const outputMessageSchema = z.strictObject({
  type: z.literal('message'),
  id: z.string(),
  role: z.literal('assistant'),
  status: z.enum(['in_progress', 'completed', 'incomplete']),
  content: z.array(outputTextSchema),
});
export type OutputMessage = z.infer<typeof outputMessageSchema>;

const functionCallOutputSchema = z.strictObject({
  type: z.literal('function_call'),
  id: z.string(),
  call_id: z.string(),
  name: z.string(),
  arguments: z.string(),
  status: z.enum(['in_progress', 'completed']),
});
export type FunctionCallItem = z.infer<typeof functionCallOutputSchema>;
export type OutputItem = OutputMessage | FunctionCallItem;

const responseUsageSchema = z.strictObject({
  input_tokens: z.int().min(0),
  input_tokens_details: z.strictObject({ cached_tokens: z.int().min(0) }),
  output_tokens: z.int().min(0),
  output_tokens_details: z.strictObject({ reasoning_tokens: z.int().min(0) }),
  total_tokens: z.int().min(0),
});
export type ResponseUsage = z.infer<typeof responseUsageSchema>;

/** OpenAI's Response object, with the fields its SDKs read. */
export const responseObjectSchema = z.strictObject({
  id: z.string(),
  object: z.literal('response'),
  created_at: z.int(),
  status: z.enum(['in_progress', 'completed', 'incomplete', 'failed', 'cancelled']),
  model: z.string(),
  output: z.array(z.discriminatedUnion('type', [outputMessageSchema, functionCallOutputSchema])),
  /** The text of the message items, joined (the SDKs compute it too). */
  output_text: z.string().optional(),
  error: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
  incomplete_details: z.strictObject({ reason: z.literal('max_output_tokens') }).nullable(),
  instructions: z.string().nullable(),
  previous_response_id: z.string().nullable(),
  metadata: z.record(z.string(), z.string()),
  parallel_tool_calls: z.boolean(),
  temperature: z.number().nullable(),
  top_p: z.number().nullable(),
  max_output_tokens: z.int().nullable(),
  tool_choice: z.unknown(),
  tools: z.array(z.unknown()),
  text: z.strictObject({ format: z.unknown() }),
  truncation: z.literal('disabled'),
  store: z.literal(true),
  usage: responseUsageSchema.nullable(),
  user: z.string().nullable(),
});
export type ResponseObject = z.infer<typeof responseObjectSchema>;
export type ResponseStatus = ResponseObject['status'];

/**
 * One event of a Responses stream: `type` (also its SSE `event:` name), `sequence_number`
 * from 0, and the fields of its type (OpenAI's `ResponseStreamEvent`s).
 */
export const responseStreamEventSchema = z.looseObject({ type: z.string(), sequence_number: z.int().min(0) });
export type ResponseStreamEvent = z.infer<typeof responseStreamEventSchema>;
