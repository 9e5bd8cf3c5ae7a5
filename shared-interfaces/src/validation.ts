import { z } from 'zod';

/** One problem with one field of an input. `path` is dotted, e.g. `messages.0.role`. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly FieldIssue[] };

function toIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

/** Validates `input` against `schema` without throwing. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): ParseResult<z.output<S>> {
  const result = schema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, issues: toIssues(result.error) };
}

/** Thrown by `decodeMessage` and `parseOrThrow`: says which fields were wrong and why. */
export class SchemaValidationError extends Error {
  constructor(
    readonly what: string,
    readonly issues: readonly FieldIssue[],
  ) {
    super(`${what} is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'SchemaValidationError';
  }
}

export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = parseWith(schema, input);
  if (!result.ok) throw new SchemaValidationError(what, result.issues);
  return result.value;
}

/** Serialises a message after validating it, so nothing invalid is ever written. */
export function encodeMessage<S extends z.ZodType>(schema: S, value: z.input<S>, what: string): Buffer {
  return Buffer.from(JSON.stringify(parseOrThrow(schema, value, what)), 'utf8');
}

/** Parses and validates a message read from Kafka (or any byte source). */
export function decodeMessage<S extends z.ZodType>(
  schema: S,
  bytes: Buffer | string | null | undefined,
  what: string,
): z.output<S> {
  if (bytes === null || bytes === undefined || bytes.length === 0) {
    throw new SchemaValidationError(what, [{ path: '(root)', message: 'message has no value' }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch (error) {
    throw new SchemaValidationError(what, [{ path: '(root)', message: `not JSON: ${(error as Error).message}` }]);
  }
  return parseOrThrow(schema, json, what);
}
