import {
  apiKeyListSchema,
  apiKeySchema,
  chatRequestStateSchema,
  conversationPageSchema,
  conversationSchema,
  conversationWithMessagesSchema,
  createdApiKeySchema,
  messageSchema,
  modelListSchema,
  postedSchema,
  problemDetailsSchema,
  quarantineListSchema,
  responseEventSchema,
  systemStatusSchema,
  tokenPairSchema,
  z,
} from '@shoshizan/shared-interfaces';

/**
 * The answers' shapes, named in the OpenAPI document's components (from the zod schemas in
 * shared-interfaces, so the document cannot drift from what the code answers). The UI's
 * typed client is generated from them.
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
  ResponseEvent: responseEventSchema,
  ModelList: modelListSchema,
  SystemStatus: systemStatusSchema,
  ProblemDetails: problemDetailsSchema,
  QuarantineList: quarantineListSchema,
} as const;
export type ApiSchemaName = keyof typeof API_SCHEMAS;

/** The components, as OpenAPI 3.0 schema objects. */
export function apiSchemaComponents(): Record<ApiSchemaName, object> {
  return Object.fromEntries(
    Object.entries(API_SCHEMAS).map(([name, schema]) => [
      name,
      z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'output', unrepresentable: 'any' }) as object,
    ]),
  ) as Record<ApiSchemaName, object>;
}

/** A reference to one of the components, for `@ApiResponse({ schema })`. */
export const schemaRef = (name: ApiSchemaName): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });
