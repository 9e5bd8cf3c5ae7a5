import {
  cancellationEnvelopeSchema,
  chatBodySchema,
  chatRequestEnvelopeSchema,
  createConversationSchema,
  fieldsTakingUnstorableText,
  generateRequestSchema,
  generationChunkSchema,
  isStorableText,
  parseWith,
  postMessageSchema,
  regenerateSchema,
  renameConversationSchema,
  responseEventSchema,
  text,
  toStorableText,
  z,
} from './index';

describe('text()', () => {
  const schema = text().max(10);

  it.each([
    ['a NUL', 'stop\u0000now'],
    ['a lone high surrogate', 'a\uD83D'],
    ['a lone low surrogate', '\uDE00b'],
    ['surrogates in the wrong order', '\uDE00\uD83D'],
  ])('refuses %s, saying why', (_what, value) => {
    const result = parseWith(schema, value);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues[0]?.message).toBe('must not contain NUL characters or unpaired UTF-16 surrogates');
  });

  it.each([['plain text', 'hello'], ['an emoji (a surrogate pair)', 'hi \uD83D\uDE00'], ['controls other than NUL', 'a\tb\nc\u0001'], ['empty', '']])(
    'takes %s',
    (_what, value) => {
      expect(parseWith(schema, value).ok).toBe(true);
    },
  );

  it('keeps the checks chained after it', () => {
    expect(parseWith(schema, 'x'.repeat(11)).ok).toBe(false);
  });
});

describe('toStorableText', () => {
  it('replaces each NUL and unpaired surrogate with U+FFFD and keeps pairs', () => {
    expect(toStorableText('a\u0000b\uD800c\uD83D\uDE00\uDC00')).toBe('a\uFFFDb\uFFFDc\uD83D\uDE00\uFFFD');
    expect(isStorableText(toStorableText('\u0000\uD800'))).toBe(true);
  });

  it('returns storable text unchanged', () => {
    const value = 'already fine \uD83D\uDE00';
    expect(toStorableText(value)).toBe(value);
  });
});

describe('every text field of every input schema is text()', () => {
  it.each([
    ['chat request envelope', chatRequestEnvelopeSchema],
    ['response event', responseEventSchema],
    ['cancellation', cancellationEnvelopeSchema],
    ['generate request', generateRequestSchema],
    ['generation chunk', generationChunkSchema],
    ['chat body', chatBodySchema],
    ['new conversation', createConversationSchema],
    ['rename', renameConversationSchema],
    ['message', postMessageSchema],
    ['regenerate', regenerateSchema],
  ] as const)('%s', (_name, schema) => {
    expect(fieldsTakingUnstorableText(schema)).toEqual([]);
  });

  it('finds a plain string field, nested or in an array', () => {
    const loose = z.strictObject({
      a: z.string(),
      b: z.array(z.strictObject({ c: z.string().max(3) })),
      d: text(),
      e: z.uuid(),
      f: z.enum(['x', 'y']),
      g: z.string().regex(/^[a-z]+$/),
    });
    expect(fieldsTakingUnstorableText(loose)).toEqual(['a', 'b[].c']);
  });
});
