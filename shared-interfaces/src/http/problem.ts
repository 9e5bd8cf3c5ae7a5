import { z } from 'zod';
import { ErrorCode } from '../errors';

/** RFC 9457 problem details, extended with a stable `code` and field errors. */
export const problemDetailsSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  code: z.enum(ErrorCode),
  requestId: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ProblemDetails = z.infer<typeof problemDetailsSchema>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The `type` URI of a problem with a given code. */
export function problemType(code: ErrorCode): string {
  return `https://shoshizan.dev/problems/${code.replace(/_/g, '-')}`;
}
