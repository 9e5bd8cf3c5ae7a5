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
  storedIntSchema,
  tokenLogprobSchema,
  toolCallSchema,
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
  z.strictObject({ type: z.literal('token'), text: text(), logprobs: z.array(tokenLogprobSchema).optional() }),
  z.strictObject({
    type: z.literal('tool_call'),
    index: z.int().min(0).max(127),
    ...toolCallSchema.shape,
  }),
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
 * `POST /v1/embed` on gpt-api: the embeddings of `input`, one vector a string, answered at
 * once (not through the queue), after the same rate limit and token quota as a generation.
 */
export const embedRequestSchema = z.strictObject({
  requestId: idSchema,
  userId: userIdSchema,
  roles: rolesSchema.default([]),
  /** Absent: gpt-api's default model. */
  model: modelNameSchema.optional(),
  input: z.array(text().max(200_000)).min(1).max(2048),
  /** Cut each vector to this many leading dimensions (and normalise it again); absent: the model's own. */
  dimensions: z.int().min(1).max(65_536).optional(),
});
export type EmbedRequest = z.infer<typeof embedRequestSchema>;

export const embedResultSchema = z.strictObject({
  model: modelNameSchema,
  embeddings: z.array(z.array(z.number())),
  promptTokens: storedIntSchema,
});
export type EmbedResult = z.infer<typeof embedResultSchema>;

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
