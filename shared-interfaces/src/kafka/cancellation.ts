import { z } from 'zod';
import { text } from '../text';
import { ENVELOPE_VERSION, idSchema, isoDateTimeSchema, userIdSchema } from '../common';

/**
 * A cancellation on the cancellations topic. It is an event, not a call, so it reaches the
 * worker holding the request even when the client that asked has gone.
 */
export const cancellationEnvelopeSchema = z.strictObject({
  version: z.literal(ENVELOPE_VERSION),
  kind: z.literal('chat.cancel'),
  requestId: idSchema,
  userId: userIdSchema,
  reason: text().max(500).default('cancelled by the user'),
  at: isoDateTimeSchema,
});
export type CancellationEnvelope = z.infer<typeof cancellationEnvelopeSchema>;
