/**
 * What Grafana does to a panel's query before and after Prometheus answers it, for the spec
 * that runs every dashboard panel against a real Prometheus (test/e2e/dashboards.e2e-spec.ts):
 * its variables replaced, its legend's `{{label}}` placeholders read, its unit checked.
 * Pure functions (test/unit/grafana-queries.spec.ts).
 */

/** The values a query's variables take: a dashboard variable's value, and the time window. */
export interface QueryContext {
  /** Dashboard variables by name (`namespace` -> `local`). */
  readonly variables: Readonly<Record<string, string>>;
  /** The window `$__range` and `$__rate_interval` stand for, whole seconds. */
  readonly rangeSeconds: number;
}

/**
 * The query with Grafana's variables replaced: `$name` and `${name}` (and `${name:format}`),
 * the time ranges `$__range`, `$__rate_interval`, `$__interval` as `<n>s`, `$__range_s` and
 * `$__range_ms` as numbers. A `$1` in a label_replace is PromQL's own and is left alone. A
 * variable it does not know is an error naming it: a panel would show nothing.
 */
export function substitute(expr: string, context: QueryContext): string {
  const seconds = Math.max(1, Math.ceil(context.rangeSeconds));
  const builtIn: Record<string, string> = {
    __range: `${seconds}s`,
    __rate_interval: `${seconds}s`,
    __interval: `${seconds}s`,
    __range_s: String(seconds),
    __range_ms: String(seconds * 1000),
    __interval_ms: String(seconds * 1000),
  };
  return expr.replace(/\$(?:\{([A-Za-z_]\w*)(?::\w+)?\}|([A-Za-z_]\w*))/g, (_match, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    const value = builtIn[name] ?? context.variables[name];
    if (value === undefined) throw new Error(`unknown Grafana variable $${name} in ${expr}`);
    return value;
  });
}

/**
 * Whether a panel reads the model operator's metrics (all named `model_operator_*`, in
 * services/model-operator/src/metrics/operator.metrics.ts). The operator runs only against
 * a Kubernetes API, so test/e2e/model-operator.e2e-spec.ts, which gives it one, proves
 * these panels; test/e2e/dashboards.e2e-spec.ts proves the rest.
 */
export function readsModelOperatorMetrics(panel: { readonly queries: readonly { readonly expr: string }[] }): boolean {
  return panel.queries.some(({ expr }) => /\bmodel_operator_[a-z_]+/.test(expr));
}

/** The labels a legend format names: `{{job}} p95` -> ['job']. */
export function legendLabels(legendFormat: string): string[] {
  return [...legendFormat.matchAll(/\{\{\s*([A-Za-z_]\w*)\s*\}\}/g)].map((m) => m[1]!);
}

/**
 * Grafana unit ids a Shoshizan panel may declare (Grafana's own list is longer: a unit not
 * here is more likely a typo than a need). Custom units are `suffix:`, `prefix:` or
 * `count:` followed by their text.
 */
export const KNOWN_UNITS = new Set([
  'none',
  'short',
  'percent',
  'percentunit',
  'bool',
  's',
  'ms',
  'µs',
  'ns',
  'm',
  'h',
  'd',
  'dtdurations',
  'reqps',
  'reqpm',
  'ops',
  'opm',
  'rps',
  'wps',
  'cps',
  'bytes',
  'decbytes',
  'bits',
  'Bps',
  'bps',
]);

export function isKnownUnit(unit: string): boolean {
  return KNOWN_UNITS.has(unit) || /^(suffix|prefix|count):\S/.test(unit);
}

/** One series of an instant query's answer. */
export interface Sample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * Why a query's answer would leave its panel empty or its legend blank, or undefined when
 * it would not: no series at all, no finite value (NaN: a quantile of nothing observed in
 * the window), a legend label a series lacks.
 */
export function emptyPanelReason(samples: readonly Sample[], legendFormat: string): string | undefined {
  if (samples.length === 0) return 'no series';
  if (!samples.some((s) => Number.isFinite(s.value))) return `no finite value (${samples.map((s) => s.value).join(', ')})`;
  const wanted = legendLabels(legendFormat);
  const lacking = samples.filter((s) => wanted.some((label) => s.metric[label] === undefined || s.metric[label] === ''));
  if (lacking.length > 0) {
    const missing = [...new Set(lacking.flatMap((s) => wanted.filter((label) => !s.metric[label])))];
    return `legend ${JSON.stringify(legendFormat)} names ${missing.join(', ')}, which ${lacking.length} of ${samples.length} series lack`;
  }
  return undefined;
}
