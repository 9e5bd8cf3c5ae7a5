import { secondsToUtcMidnight } from './quota-day';

describe('secondsToUtcMidnight', () => {
  it('counts to the next UTC midnight, rounding a part second up', () => {
    expect(secondsToUtcMidnight(Date.parse('2026-03-01T23:59:00.000Z'))).toBe(60);
    expect(secondsToUtcMidnight(Date.parse('2026-03-01T23:59:58.500Z'))).toBe(2);
    expect(secondsToUtcMidnight(Date.parse('2026-03-01T12:00:00.000Z'))).toBe(12 * 3600);
  });

  it('counts a whole day from midnight itself, so it never answers 0', () => {
    expect(secondsToUtcMidnight(Date.parse('2026-03-02T00:00:00.000Z'))).toBe(24 * 3600);
    expect(secondsToUtcMidnight(Date.parse('2026-03-01T23:59:59.999Z'))).toBe(1);
  });

  it('is UTC whatever the offset the time was written with', () => {
    expect(secondsToUtcMidnight(Date.parse('2026-03-01T23:30:00.000-02:00'))).toBe(23 * 3600 - 30 * 60);
  });
});
