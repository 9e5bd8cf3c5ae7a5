import { parseRetryAfter } from './retry-after';

const now = Date.parse('Tue, 01 Dec 2026 16:00:00 GMT');

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('7', now)).toBe(7);
    expect(parseRetryAfter(' 120 ', now)).toBe(120);
  });

  it('reads an HTTP-date as the seconds until it, rounded up', () => {
    expect(parseRetryAfter('Tue, 01 Dec 2026 16:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Tue, 01 Dec 2026 16:00:30 GMT', now + 200)).toBe(30);
    expect(parseRetryAfter('Tuesday, 01-Dec-26 16:01:00 GMT', now)).toBe(60);
  });

  it.each([
    ['no header', null],
    ['an empty one', ''],
    ['zero seconds', '0'],
    ['a negative number', '-5'],
    ['a fraction (delay-seconds is a whole number)', '1.5'],
    ['a word', 'soon'],
    ['a date already passed', 'Tue, 01 Dec 2026 15:59:00 GMT'],
    ['the date now', 'Tue, 01 Dec 2026 16:00:00 GMT'],
    ['a date not in GMT', 'Tue, 01 Dec 2026 16:00:30 +0100'],
  ])('gives undefined for %s', (_label, value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
