import { fieldsTakingUnstorableText, type z } from '@shoshizan/shared-interfaces';
import { apiKeySchema, loginSchema, refreshSchema } from '../accounts/accounts.controller';
import { createUserSchema } from '../admin/users.controller';
import { cancelBodySchema } from '../chat/chat.controller';
import { chatCompletionRequestSchema, completionRequestSchema, embeddingsRequestSchema } from '../openai/openai.schemas';

// The gateway's own body schemas (the shared ones are checked in shared-interfaces): a NUL
// or an unpaired surrogate in any of their text fields is a 400, never a 500 from PostgreSQL.
describe('every text field of the gateway’s own bodies is text()', () => {
  it.each([
    ['login', loginSchema],
    ['refresh', refreshSchema],
    ['API key', apiKeySchema],
    ['cancel', cancelBodySchema],
    ['new user', createUserSchema],
    ['chat completion', chatCompletionRequestSchema],
    ['completion', completionRequestSchema],
    ['embeddings', embeddingsRequestSchema],
  ] as [string, z.ZodType][])('%s', (_name, schema) => {
    expect(fieldsTakingUnstorableText(schema)).toEqual([]);
  });
});
