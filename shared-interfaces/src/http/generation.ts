import { z } from 'zod';
import { ErrorCode } from '../errors';
import { text } from '../text';
import {
  chatMessagesSchema,
  finishReasonSchema,
  generationOptionsSchema,
  idSchema,
  modelNameSchema,
  rolesSchema,
  usageSchema,
  userIdSchema,
} from '../common';

/**
 * gpt-api's internal contract: `POST /v1/generate` takes a GenerateRequest and answers with
 * newline-delimited JSON, one GenerationChunk a line, ending with `done` or `error`.
 */
export const generateRequestSchema = z.strictObject({
  requestId: idSchema,
  userId: userIdSchema,
  roles: rolesSchema.default([]),
  model: modelNameSchema.optional(),
  messages: chatMessagesSchema,
  options: generationOptionsSchema.default({}),
  /**
   * The start of the answer, already streamed by an earlier attempt that was cut off: the
   * model goes on from its last character instead of answering again.
   */
  continuation: text().max(1_000_000).optional(),
});
export type GenerateRequest = z.infer<typeof generateRequestSchema>;

export const generationChunkSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('started'), model: modelNameSchema }),
  z.strictObject({ type: z.literal('token'), text: text() }),
  z.strictObject({
    type: z.literal('done'),
    model: modelNameSchema,
    usage: usageSchema,
    finishReason: finishReasonSchema,
    durationMs: z.number().min(0),
  }),
  z.strictObject({
    type: z.literal('error'),
    code: z.enum(ErrorCode),
    message: text(),
    retriable: z.boolean(),
  }),
]);
export type GenerationChunk = z.infer<typeof generationChunkSchema>;

/**
 * `GET /v1/limits/:userId?roles=a,b` on gpt-api: a user's effective limits (null: none) and
 * the tokens used today (UTC), so the gateway can refuse a request before it is enqueued.
 */
export const userLimitsSchema = z.strictObject({
  userId: userIdSchema,
  tokensPerDay: z.int().min(0).nullable(),
  requestsPerMinute: z.int().min(0).nullable(),
  tokensUsedToday: z.int().min(0),
});
export type UserLimits = z.infer<typeof userLimitsSchema>;

/** `GET /v1/models` on gpt-api. */
export const modelCatalogSchema = z.strictObject({
  defaultModel: modelNameSchema,
  models: z.array(
    z.strictObject({
      name: modelNameSchema,
      sizeBytes: z.int().min(0).optional(),
      family: z.string().optional(),
      parameterSize: z.string().optional(),
    }),
  ),
});
export type ModelCatalog = z.infer<typeof modelCatalogSchema>;
