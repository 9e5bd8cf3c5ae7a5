import type { LinkObject, SchemaObject } from '@nestjs/swagger';
import {
  apiKeyListSchema,
  apiKeySchema,
  cancelAcceptedSchema,
  chatRequestStateSchema,
  conversationPageSchema,
  conversationSchema,
  conversationWithMessagesSchema,
  createdApiKeySchema,
  createdUserSchema,
  deadLetterListSchema,
  deadLetterSchema,
  messageSchema,
  modelListSchema,
  postedSchema,
  problemDetailsSchema,
  quarantineListSchema,
  redrivenSchema,
  responseEventSchema,
  systemStatusSchema,
  tokenPairSchema,
  z,
} from '@shoshizan/shared-interfaces';
import {
  chatCompletionChunkSchema,
  chatCompletionSchema,
  embeddingListSchema,
  openAiErrorSchema,
  textCompletionSchema,
} from '../openai/openai.schemas';
import { responseObjectSchema, responseStreamEventSchema } from '../openai/responses.schemas';

/**
 * A zod schema as an OpenAPI 3.1 Schema Object, which is JSON Schema 2020-12: zod's own
 * output, without the `$schema` that would name the dialect on every body. `io: 'input'`
 * for what a client sends (a field with a default may be left out), `'output'` for what
 * the gateway answers.
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
  return rest;
}

/**
 * The answers' shapes, named in the OpenAPI document's components (from the zod schemas in
 * shared-interfaces and openai.schemas.ts, so the document cannot drift from what the code
 * answers). The UI's typed client is generated from them.
 */
export const API_SCHEMAS = {
  TokenPair: tokenPairSchema,
  ApiKey: apiKeySchema,
  CreatedApiKey: createdApiKeySchema,
  ApiKeyList: apiKeyListSchema,
  Conversation: conversationSchema,
  Message: messageSchema,
  ConversationWithMessages: conversationWithMessagesSchema,
  ConversationPage: conversationPageSchema,
  Posted: postedSchema,
  ChatRequestState: chatRequestStateSchema,
  CancelAccepted: cancelAcceptedSchema,
  ResponseEvent: responseEventSchema,
  ModelList: modelListSchema,
  SystemStatus: systemStatusSchema,
  CreatedUser: createdUserSchema,
  DeadLetter: deadLetterSchema,
  DeadLetterList: deadLetterListSchema,
  Redriven: redrivenSchema,
  ChatCompletion: chatCompletionSchema,
  ChatCompletionChunk: chatCompletionChunkSchema,
  TextCompletion: textCompletionSchema,
  EmbeddingList: embeddingListSchema,
  Response: responseObjectSchema,
  ResponseStreamEvent: responseStreamEventSchema,
  OpenAiError: openAiErrorSchema,
  ProblemDetails: problemDetailsSchema,
  QuarantineList: quarantineListSchema,
} as const;
export type ApiSchemaName = keyof typeof API_SCHEMAS;

/** The components, as OpenAPI 3.1 schema objects. */
export function apiSchemaComponents(): Record<ApiSchemaName, object> {
  return Object.fromEntries(
    Object.entries(API_SCHEMAS).map(([name, schema]) => [name, jsonSchemaOf(schema, 'output')]),
  ) as Record<ApiSchemaName, object>;
}

/** A reference to one of the components, for `@ApiResponse({ schema })`. */
export const schemaRef = (name: ApiSchemaName): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });

/** A `data:` field that holds JSON of the given schema. */
const jsonData = (schema: object) => ({ type: 'string', contentMediaType: 'application/json', contentSchema: schema });

/**
 * The schema of one event of a `text/event-stream` answer: OpenAPI 3.1 has no item schema
 * for streams (3.2 adds `itemSchema`), so `schema` describes each event, its fields as the
 * SSE format has them and `data` as the JSON it carries (`contentMediaType` and
 * `contentSchema`), as tools such as Schemathesis read it.
 */
export const sseEventSchemas = {
  /** Shoshizan's response events: `id` the seq, `event` the type, `data` the whole event. */
  responseEvents: (): SchemaObject => ({
    type: 'object',
    required: ['id', 'event', 'data'],
    properties: {
      id: { type: 'string', pattern: '^\\d+$', description: 'The event’s seq: what Last-Event-ID resumes after.' },
      event: { type: 'string', description: 'The event’s type.' },
      data: jsonData(schemaRef('ResponseEvent')),
    },
  }),
  /**
   * OpenAI's chunks: `data`, a chunk or an error, and `[DONE]` last after a complete answer;
   * `id`, the seq of the event a chunk came from (OpenAI's SDKs ignore it).
   */
  openAiChunks: (chunk: 'ChatCompletionChunk' | 'TextCompletion'): SchemaObject => ({
    type: 'object',
    required: ['data'],
    properties: {
      id: { type: 'string', pattern: '^\\d+$', description: 'The seq of the event the chunk came from.' },
      data: {
        anyOf: [{ const: '[DONE]' }, jsonData({ anyOf: [schemaRef(chunk), schemaRef('OpenAiError')] })],
      },
    },
  }) as SchemaObject, // Nest's types know no `const` (a 3.1 keyword)
  /** The Responses API's events: `event` their type, `data` the event (an `error` event when a stream is cut). */
  responsesStream: (): SchemaObject => ({
    type: 'object',
    required: ['event', 'data'],
    properties: {
      event: { type: 'string', description: 'The event’s type (`response.created`, `response.output_text.delta`, …, `error`).' },
      data: jsonData(schemaRef('ResponseStreamEvent')),
    },
  }),
};

/**
 * OpenAPI links from an answer to the operations that take one of its values (a created
 * conversation's id, a request's id), so that a client generator, or Schemathesis's
 * stateful phase, can follow what one call made to the next. The unit spec checks that
 * each operationId exists.
 */
export function linksTo(parameter: string, value: string, operationIds: readonly string[]): Record<string, LinkObject> {
  return Object.fromEntries(operationIds.map((operationId) => [operationId, { operationId, parameters: { [parameter]: value } }]));
}

/** A response header carrying the id of what the answer is about. */
export const idHeader = (description: string) => ({ description, required: true, schema: { type: 'string', format: 'uuid' } });
