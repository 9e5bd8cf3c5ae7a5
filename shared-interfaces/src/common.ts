import { z } from 'zod';
import { text } from './text';

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

export const chatRoleSchema = z.enum(['system', 'user', 'assistant']);
export type ChatRole = z.infer<typeof chatRoleSchema>;

export const chatMessageSchema = z.strictObject({
  role: chatRoleSchema,
  content: text().max(200_000),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const chatMessagesSchema = z
  .array(chatMessageSchema)
  .min(1, 'must hold at least one message')
  .max(1000)
  .refine((messages) => messages.some((m) => m.role === 'user'), 'must hold at least one user message');

/** Sampling options passed through to the model. Every field is optional. */
export const generationOptionsSchema = z.strictObject({
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().gt(0).max(1).optional(),
  /** Upper bound of generated tokens; the model's own limit applies when absent. */
  maxTokens: z.int().min(1).max(32_768).optional(),
  seed: z.int().optional(),
  stop: z.array(text().min(1).max(100)).max(8).optional(),
});
export type GenerationOptions = z.infer<typeof generationOptionsSchema>;

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

export const isoDateTimeSchema = z.iso.datetime({ offset: true });

export const finishReasonSchema = z.enum(['stop', 'length', 'cancelled']);
export type FinishReason = z.infer<typeof finishReasonSchema>;
