import { z } from 'zod';
import { text, trimmedText } from '../text';
import { chatMessagesSchema, generationOptionsSchema, idSchema, modelNameSchema } from '../common';

/** Body of `POST /v1/chat` on the gateway. */
export const chatBodySchema = z.strictObject({
  /** Absent: a new conversation is started and its id returned. */
  conversationId: idSchema.optional(),
  model: modelNameSchema.optional(),
  messages: chatMessagesSchema,
  options: generationOptionsSchema.default({}),
  /** How long the request may wait and run, in seconds. */
  timeoutSeconds: z.int().min(1).max(3600).default(300),
});
export type ChatBody = z.infer<typeof chatBodySchema>;

/** Body of `POST /v1/conversations`. */
export const createConversationSchema = z.strictObject({ title: trimmedText(200).optional() });
/** Body of `PATCH /v1/conversations/:id`. */
export const renameConversationSchema = z.strictObject({ title: trimmedText(200) });
/** Body of `POST /v1/conversations/:id/messages` and of editing the last message. */
export const postMessageSchema = z.strictObject({
  content: text().min(1).max(200_000),
  model: modelNameSchema.optional(),
  options: generationOptionsSchema.default({}),
});
export type PostMessage = z.infer<typeof postMessageSchema>;
/** Body of `POST /v1/conversations/:id/regenerate`. */
export const regenerateSchema = z.strictObject({
  model: modelNameSchema.optional(),
  options: generationOptionsSchema.default({}),
});

/** Body of `POST /v1/requests` on kafka-producer: the envelope, validated there again. */
export const enqueueResultSchema = z.strictObject({
  requestId: idSchema,
  topic: z.string(),
  partition: z.int().min(0),
  offset: z.string(),
});
export type EnqueueResult = z.infer<typeof enqueueResultSchema>;
