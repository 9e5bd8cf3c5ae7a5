import {
  BURN_RATE_WINDOWS,
  budgetSpent,
  burnRateCondition,
  burnRateThreshold,
  checkWindows,
  errorBudget,
  ratioRecord,
  seconds,
  windowsOf,
} from '../src/alerts/burn-rate';

/** The SLO arithmetic behind the burn-rate alerts (the SRE workbook's numbers). */
describe('burn-rate arithmetic', () => {
  it('reads Prometheus durations', () => {
    expect(seconds('30s')).toBe(30);
    expect(seconds('5m')).toBe(300);
    expect(seconds('6h')).toBe(21_600);
    expect(seconds('3d')).toBe(259_200);
    expect(() => seconds('1w' as '1d')).toThrow('not a duration: 1w');
  });

  it('gives the error budget and thresholds without float noise', () => {
    expect(errorBudget(0.995)).toBe(0.005);
    expect(errorBudget(0.999)).toBe(0.001);
    expect(burnRateThreshold(0.995, 14.4)).toBe(0.072);
    expect(burnRateThreshold(0.999, 14.4)).toBe(0.0144);
    expect(burnRateThreshold(0.95, 6)).toBe(0.3);
    expect(burnRateThreshold(0.995, 1)).toBe(0.005);
  });

  it('refuses objectives and factors that make no budget', () => {
    expect(() => errorBudget(1)).toThrow('strictly between 0 and 1, not 1');
    expect(() => errorBudget(99.5)).toThrow('not 99.5');
    expect(() => burnRateThreshold(0.995, 0)).toThrow('positive, not 0');
  });

  it("spends the workbook's shares of a 30-day budget: 2 % in 1h, 5 % in 6h, 10 % in 1d and in 3d", () => {
    expect(BURN_RATE_WINDOWS.map((w) => [w.severity, w.long, budgetSpent(w.long, w.factor)])).toEqual([
      ['page', '1h', 0.02],
      ['page', '6h', 0.05],
      ['ticket', '1d', 0.1],
      ['ticket', '3d', 0.1],
    ]);
  });

  it('has short windows of a twelfth of their long ones', () => {
    for (const w of BURN_RATE_WINDOWS) expect(seconds(w.long) / seconds(w.short)).toBe(12);
  });

  it('records each distinct window once, shortest first', () => {
    expect(windowsOf(BURN_RATE_WINDOWS)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d']);
  });

  it('refuses a short window not shorter than its long one, or a long one past the period', () => {
    expect(() => checkWindows(BURN_RATE_WINDOWS)).not.toThrow();
    expect(() => checkWindows([{ severity: 'page', long: '1h', short: '60m', factor: 14.4 }])).toThrow('1h/60m: the short window must be shorter');
    expect(() => checkWindows([{ severity: 'ticket', long: '31d', short: '1d', factor: 1 }])).toThrow('31d: longer than the SLO period 30d');
  });

  it('writes the condition over both windows of one alert', () => {
    expect(ratioRecord('namespace_job', 'errors', '5m')).toBe('namespace_job:errors:ratio_rate5m');
    expect(burnRateCondition('namespace_job', 'errors', 0.995, { severity: 'page', long: '1h', short: '5m', factor: 14.4 })).toBe(
      'namespace_job:errors:ratio_rate1h > 0.072\nand\nnamespace_job:errors:ratio_rate5m > 0.072',
    );
  });
});
