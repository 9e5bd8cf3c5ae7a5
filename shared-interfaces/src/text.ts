import { z } from 'zod';

/**
 * Text that every store on the way can hold. PostgreSQL refuses NUL in `text` ("invalid
 * byte sequence for encoding UTF8: 0x00") and `\u0000` in `json`/`jsonb`; an unpaired
 * UTF-16 surrogate has no UTF-8 form (`jsonb` refuses its escape, and a `text` parameter
 * silently becomes U+FFFD, so what is stored is not what was sent). One such character in
 * a response event once stopped a whole partition of answers. So every free-text field of
 * every schema is `text()`: such input is refused where it enters (a 400 that names the
 * field at the HTTP edge, a poison message on a topic), and whatever reaches Kafka can
 * reach PostgreSQL.
 *
 * With the `u` flag a paired surrogate is one code point (an emoji), so only unpaired
 * halves match the range.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what these refuse
export const UNSTORABLE_CHARACTER = /[\u0000\uD800-\uDFFF]/u;
// eslint-disable-next-line no-control-regex -- as above
const STORABLE_TEXT = /^[^\u0000\uD800-\uDFFF]*$/u;
export const UNSTORABLE_TEXT_MESSAGE = 'must not contain NUL characters or unpaired UTF-16 surrogates';

/** A string schema that refuses what the stores cannot hold; chain `.min()`, `.max()` on it. */
export function text(): z.ZodString {
  return z.string().regex(STORABLE_TEXT, UNSTORABLE_TEXT_MESSAGE);
}

/** True when `value` holds nothing the stores refuse. */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE_CHARACTER.test(value);
}

const UNSTORABLE_GLOBAL = new RegExp(UNSTORABLE_CHARACTER.source, 'gu');

/**
 * Text from outside the system's control (a model's output, an upstream error message)
 * made storable: each NUL and unpaired surrogate becomes U+FFFD, as a UTF-8 decoder does
 * with bytes it cannot read. Refusing it instead would fail an answer for one odd token.
 */
export function toStorableText(value: string): string {
  return isStorableText(value) ? value : value.replace(UNSTORABLE_GLOBAL, '\uFFFD');
}

type JsonSchema = { readonly [key: string]: unknown };

/**
 * The paths of the string fields of `schema` (as input) that would take a NUL or an
 * unpaired surrogate: those that are neither `text()` nor held to a format, an enum or a
 * pattern of their own that refuses them. A test lists every input schema and expects
 * none, so a field added without `text()` fails in milliseconds, not in production.
 */
export function fieldsTakingUnstorableText(schema: z.ZodType): string[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const found: string[] = [];
  const visit = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((item, i) => visit(item, `${path}[${i}]`));
    if (typeof node !== 'object' || node === null) return;
    const s = node as JsonSchema;
    if (s.type === 'string' && s.enum === undefined && s.const === undefined && s.format === undefined) {
      const patterns = [s.pattern, ...((s.allOf as JsonSchema[] | undefined) ?? []).map((p) => p.pattern)].filter(
        (p): p is string => typeof p === 'string',
      );
      const refuses = (sample: string) => patterns.some((p) => !new RegExp(p, 'u').test(sample));
      if (!refuses('a\u0000') || !refuses('a\uD800')) found.push(path || '(root)');
    }
    for (const [key, child] of Object.entries(s)) {
      if (key === 'properties' && typeof child === 'object' && child !== null) {
        for (const [name, property] of Object.entries(child)) visit(property, path ? `${path}.${name}` : name);
      } else if (key === 'items') {
        visit(child, `${path}[]`);
      } else if (key === 'anyOf' || key === 'oneOf' || key === 'allOf' || key === 'additionalProperties') {
        visit(child, path);
      }
    }
  };
  visit(json, '');
  return found;
}

/**
 * A name a person types (a title, a key's name): at most `max` characters and not blank as
 * sent, then trimmed. The checks come before the trim so that they hold for the text as
 * sent, which is what a JSON Schema of the field (the OpenAPI document's) can say.
 */
export function trimmedText(max: number): z.ZodString {
  return text().max(max).regex(/\S/, 'must not be blank').trim();
}
