import { z } from 'zod';
import { idSchema, isoDateTimeSchema, modelNameSchema, toolCallSchema } from '../common';
import { CHAT_REQUEST_STATUSES, MESSAGE_STATUSES } from '../lifecycle';

/*
 * What the gateway answers on the routes the chat UI uses. The gateway's OpenAPI document
 * is built from these, and the UI's typed client is generated from that document, so a
 * change here reaches both ends or fails the UI's snapshot check.
 */

/** `POST /v1/auth/login` and `/v1/auth/refresh`. */
export const tokenPairSchema = z.strictObject({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  /** Seconds until the access token expires. */
  expiresIn: z.int().min(0),
  refreshToken: z.string(),
});
export type TokenPair = z.infer<typeof tokenPairSchema>;

/** One API key as listed: never its secret. */
export const apiKeySchema = z.strictObject({
  id: idSchema,
  name: z.string(),
  /** The start of the key, to tell keys apart in a list. */
  prefix: z.string(),
  createdAt: isoDateTimeSchema,
  lastUsedAt: isoDateTimeSchema.nullable(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

/** `POST /v1/api-keys`: the key itself is in this answer only. */
export const createdApiKeySchema = apiKeySchema.extend({ key: z.string() });
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

export const apiKeyListSchema = z.strictObject({ items: z.array(apiKeySchema) });

export const conversationSchema = z.strictObject({
  id: idSchema,
  title: z.string(),
  /** The model picked for this conversation; null: gpt-api's default. */
  model: z.string().nullable(),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
});
export type Conversation = z.infer<typeof conversationSchema>;

/** See lifecycle.ts: how a message's status follows its request's. */
export const messageStatusSchema = z.enum(MESSAGE_STATUSES);

export const messageSchema = z.strictObject({
  id: idSchema,
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  /** An assistant message's text once it is final; while it is answered, see its request's events. */
  content: z.string(),
  /** The tools an assistant message called (once it is final); null: none. */
  toolCalls: z.array(toolCallSchema).nullable(),
  /** A `tool` message: the call whose result it holds. */
  toolCallId: z.string().nullable(),
  model: z.string().nullable(),
  /** The request answering an assistant message (its events stream from /v1/chat/:requestId/events). */
  requestId: idSchema.nullable(),
  status: messageStatusSchema,
  errorCode: z.string().nullable(),
  /** Why the answer failed, in words, when it did. */
  errorMessage: z.string().nullable(),
  usage: z.strictObject({ promptTokens: z.int().min(0), completionTokens: z.int().min(0) }).nullable(),
  durationMs: z.int().min(0).nullable(),
  createdAt: isoDateTimeSchema,
  finishedAt: isoDateTimeSchema.nullable(),
});
export type Message = z.infer<typeof messageSchema>;

export const conversationWithMessagesSchema = conversationSchema.extend({ messages: z.array(messageSchema) });
export type ConversationWithMessages = z.infer<typeof conversationWithMessagesSchema>;

export const conversationPageSchema = z.strictObject({
  items: z.array(conversationSchema),
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: z.string().nullable(),
});
export type ConversationPage = z.infer<typeof conversationPageSchema>;

/** Where a queued request stands: requests ahead of it, and a rough wait. */
const queueFields = {
  /** Requests ahead of this one on its partition; null once a worker has it (or unknown). */
  queuePosition: z.int().min(0).nullable(),
  /** A rough wait in seconds from recent answer times; null when there is nothing to go on. */
  estimatedWaitSeconds: z.int().min(0).nullable(),
};

/** What posting to a conversation answers at once (202): the answer comes as events. */
export const postedSchema = z.strictObject({
  requestId: idSchema,
  messageId: idSchema,
  /** Requests ahead of this one on its partition when it was enqueued. */
  queuePosition: z.int().min(0),
  estimatedWaitSeconds: queueFields.estimatedWaitSeconds,
  /** Where the answer streams (SSE, resumable with Last-Event-ID). */
  eventsUrl: z.string(),
});
export type Posted = z.infer<typeof postedSchema>;

/** See lifecycle.ts: the statuses, which are final, and what each event moves a request to. */
export const chatRequestStatusSchema = z.enum(CHAT_REQUEST_STATUSES);

/** `GET /v1/chat/:requestId`. */
export const chatRequestStateSchema = z.strictObject({
  requestId: idSchema,
  userId: z.string(),
  conversationId: idSchema,
  model: z.string().nullable(),
  status: chatRequestStatusSchema,
  errorCode: z.string().nullable(),
  promptTokens: z.int().min(0).nullable(),
  completionTokens: z.int().min(0).nullable(),
  createdAt: isoDateTimeSchema,
  finishedAt: isoDateTimeSchema.nullable(),
  ...queueFields,
});
export type ChatRequestState = z.infer<typeof chatRequestStateSchema>;

/** `GET /v1/models`: OpenAI's shape, plus which model answers when a request names none. */
export const modelListSchema = z.strictObject({
  object: z.literal('list'),
  data: z.array(
    z.strictObject({
      id: modelNameSchema,
      object: z.literal('model'),
      created: z.int(),
      owned_by: z.string(),
      /** The model used when a request names none (an extension; OpenAI clients ignore it). */
      default: z.boolean(),
    }),
  ),
});
export type ModelList = z.infer<typeof modelListSchema>;

export const healthStateSchema = z.enum(['up', 'down']);
export type HealthState = z.infer<typeof healthStateSchema>;

/** One service as `GET /v1/status` sees it: its readiness and each dependency it checks. */
export const serviceStatusSchema = z.strictObject({
  name: z.string(),
  state: healthStateSchema,
  /** Why the service is down when it did not answer at all. */
  message: z.string().optional(),
  dependencies: z.array(
    z.strictObject({ name: z.string(), state: healthStateSchema, message: z.string().optional() }),
  ),
});
export type ServiceStatus = z.infer<typeof serviceStatusSchema>;

/** `GET /v1/status`: every service's readiness, with its dependencies. */
export const systemStatusSchema = z.strictObject({
  state: healthStateSchema,
  checkedAt: isoDateTimeSchema,
  services: z.array(serviceStatusSchema),
});
export type SystemStatus = z.infer<typeof systemStatusSchema>;

/**
 * `GET /v1/admin/quarantine`: a record some consumer could not process and set aside (see
 * the quarantine topic). One entry per source record, however many replicas set it aside.
 */
export const quarantinedRecordSchema = z.strictObject({
  /** Where the record was: `<topic>/<partition>/<offset>`. */
  id: z.string(),
  sourceTopic: z.string().nullable(),
  sourcePartition: z.int().nullable(),
  sourceOffset: z.string().nullable(),
  /** The consumers (service, topic and replica) that gave up on it. */
  consumers: z.array(z.string()),
  code: z.string().nullable(),
  reason: z.string().nullable(),
  tries: z.int().nullable(),
  /** When it was first set aside. */
  quarantinedAt: isoDateTimeSchema,
  /** The record's value as UTF-8 text when it is that (first 4096 characters), else null. */
  text: z.string().nullable(),
  /** The record's value, base64 (first 4096 bytes). */
  base64: z.string(),
  sizeBytes: z.int().min(0),
});
export type QuarantinedRecord = z.infer<typeof quarantinedRecordSchema>;

export const quarantineListSchema = z.strictObject({ items: z.array(quarantinedRecordSchema) });

/** `POST /v1/chat/:requestId/cancel` (202): the cancel is on its way to the worker. */
export const cancelAcceptedSchema = z.strictObject({ requestId: idSchema });
export type CancelAccepted = z.infer<typeof cancelAcceptedSchema>;

/** `POST /v1/admin/users` (201): the new local user. */
export const createdUserSchema = z.strictObject({
  id: idSchema,
  username: z.string(),
  roles: z.array(z.enum(['user', 'admin'])),
});
export type CreatedUser = z.infer<typeof createdUserSchema>;

/** One message of the dead-letter topic, as an admin sees it. */
export const deadLetterSchema = z.strictObject({
  /** `<partition>:<offset>`: what redrive takes. */
  id: z.string(),
  requestId: z.string().nullable(),
  conversationId: z.string().nullable(),
  userId: z.string().nullable(),
  code: z.string().nullable(),
  reason: z.string().nullable(),
  /** Deliveries of the request before it was dead-lettered. */
  attempts: z.int().nullable(),
  retries: z.int().nullable(),
  sourceTopic: z.string().nullable(),
  deadLetteredAt: isoDateTimeSchema,
  /** Whether the stored message is a valid request (a poison message cannot be redriven). */
  redrivable: z.boolean(),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;

/** `GET /v1/admin/dead-letters`: the newest first. */
export const deadLetterListSchema = z.strictObject({ items: z.array(deadLetterSchema) });

/** `POST /v1/admin/dead-letters/:id/redrive` (202): the request is on the requests topic again. */
export const redrivenSchema = z.strictObject({ requestId: idSchema, redrivenAt: isoDateTimeSchema });
export type Redriven = z.infer<typeof redrivenSchema>;
