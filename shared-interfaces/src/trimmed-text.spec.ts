import { z } from 'zod';
import { trimmedText } from './text';
import { parseWith } from './validation';

describe('trimmedText', () => {
  const schema = trimmedText(10);

  it('trims what it accepts', () => {
    expect(parseWith(schema, '  a title ')).toEqual({ ok: true, value: 'a title' });
  });

  it('holds the text as sent to its length and to not blank, before trimming', () => {
    expect(parseWith(schema, ' '.repeat(3)).ok).toBe(false);
    expect(parseWith(schema, `${'a'.repeat(8)}   `).ok).toBe(false);
    expect(parseWith(schema, 'a\u0000').ok).toBe(false);
  });

  it('says so in its JSON Schema, so the OpenAPI document tells the same', () => {
    const json = z.toJSONSchema(schema, { io: 'input' }) as { maxLength?: number; allOf?: { pattern: string }[] };
    expect(json.maxLength).toBe(10);
    const patterns = (json.allOf ?? []).map((p) => new RegExp(p.pattern, 'u'));
    const valid = (value: string) => patterns.every((p) => p.test(value));
    expect(valid('  a ')).toBe(true);
    expect(valid('   ')).toBe(false);
  });
});
