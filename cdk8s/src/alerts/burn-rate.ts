/**
 * The arithmetic of multiwindow, multi-burn-rate SLO alerts (the Google SRE workbook,
 * "Alerting on SLOs"): pure functions, so that the thresholds the rules carry are tested
 * here once and not recomputed by hand in each rule. rules.ts builds the rules from them.
 */

/** A duration as Prometheus writes it in a range selector. */
export type Duration = `${number}${'s' | 'm' | 'h' | 'd'}`;

export type Severity = 'page' | 'ticket';

/** One alert of the pattern: fires when both windows burn the budget `factor` times too fast. */
export interface BurnRateWindow {
  readonly severity: Severity;
  readonly long: Duration;
  readonly short: Duration;
  /** How many times faster than sustainable the budget burns (1: exactly used up at the period's end). */
  readonly factor: number;
}

/** The period an SLO's error budget is counted over. */
export const SLO_PERIOD: Duration = '30d';

/**
 * The workbook's recommended windows for a 30-day SLO: page when 2 % of the budget goes in an
 * hour or 5 % in six hours; open a ticket when 10 % goes in a day or in three days. Each short
 * window is a twelfth of its long one, so an alert stops soon after the burning stops.
 */
export const BURN_RATE_WINDOWS: readonly BurnRateWindow[] = [
  { severity: 'page', long: '1h', short: '5m', factor: 14.4 },
  { severity: 'page', long: '6h', short: '30m', factor: 6 },
  { severity: 'ticket', long: '1d', short: '2h', factor: 3 },
  { severity: 'ticket', long: '3d', short: '6h', factor: 1 },
];

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** A Prometheus duration in seconds. */
export function seconds(duration: Duration): number {
  const match = /^(\d+(?:\.\d+)?)([smhd])$/.exec(duration);
  if (!match) throw new Error(`not a duration: ${duration} (expected e.g. 5m, 1h, 3d)`);
  return Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
}

/** Drops the float noise of products like 14.4 * 0.005, so a rule reads `> 0.072`. */
function tidy(value: number): number {
  return Number(value.toPrecision(12));
}

/** The share of events an SLO allows to be bad: 1 - objective. */
export function errorBudget(objective: number): number {
  if (!(objective > 0 && objective < 1)) throw new Error(`an SLO objective is a share strictly between 0 and 1, not ${objective}`);
  return tidy(1 - objective);
}

/** The error ratio above which the budget burns `factor` times too fast. */
export function burnRateThreshold(objective: number, factor: number): number {
  if (!(factor > 0)) throw new Error(`a burn rate factor is positive, not ${factor}`);
  return tidy(factor * errorBudget(objective));
}

/** The share of the period's budget spent when a window burns at `factor` for its whole length. */
export function budgetSpent(window: Duration, factor: number, period: Duration = SLO_PERIOD): number {
  return tidy((factor * seconds(window)) / seconds(period));
}

/** Every distinct window the alerts read, shortest first: one recording rule each. */
export function windowsOf(windows: readonly BurnRateWindow[]): Duration[] {
  const all = [...new Set(windows.flatMap((w) => [w.short, w.long]))];
  return all.sort((a, b) => seconds(a) - seconds(b));
}

/**
 * Refuses a table that would not work as the pattern means: a short window as long as its
 * long one (it would never reset the alert sooner), or a long window past the period.
 */
export function checkWindows(windows: readonly BurnRateWindow[], period: Duration = SLO_PERIOD): void {
  for (const w of windows) {
    if (seconds(w.short) >= seconds(w.long)) throw new Error(`burn rate window ${w.long}/${w.short}: the short window must be shorter than the long one`);
    if (seconds(w.long) > seconds(period)) throw new Error(`burn rate window ${w.long}: longer than the SLO period ${period}`);
  }
}

/** The name of the recording rule holding an SLI's error ratio over `window` (Prometheus' level:metric:operations). */
export function ratioRecord(level: string, sli: string, window: Duration): string {
  return `${level}:${sli}:ratio_rate${window}`;
}

/**
 * The condition of one burn-rate alert: the error ratio above the threshold over both the
 * long and the short window (the recording rules of `ratioRecord`).
 */
export function burnRateCondition(level: string, sli: string, objective: number, window: BurnRateWindow): string {
  const threshold = burnRateThreshold(objective, window.factor);
  return `${ratioRecord(level, sli, window.long)} > ${threshold}\nand\n${ratioRecord(level, sli, window.short)} > ${threshold}`;
}
