/**
 * Seconds from `nowMs` until the next UTC midnight, when daily token quotas start again:
 * the Retry-After of a QuotaExceeded refusal. Rounded up, so a retry at that time finds the
 * new day; at midnight itself a whole day, so never 0.
 */
export function secondsToUtcMidnight(nowMs: number): number {
  const midnight = new Date(nowMs);
  midnight.setUTCHours(24, 0, 0, 0);
  return Math.ceil((midnight.getTime() - nowMs) / 1000);
}
