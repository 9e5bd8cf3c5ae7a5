import { emptyPanelReason, isKnownUnit, legendLabels, readsModelOperatorMetrics, substitute } from '../e2e/support/grafana-queries';

/** test/e2e/support/grafana-queries.ts: what the dashboards' e2e spec does to a panel's query and its answer. */
describe("a panel's query as Grafana runs it", () => {
  const context = { variables: { namespace: 'local' }, rangeSeconds: 92.3 };

  it('replaces dashboard variables and the time ranges, in both spellings', () => {
    expect(substitute('sum(rate(x{namespace="$namespace"}[$__rate_interval]))', context)).toBe('sum(rate(x{namespace="local"}[93s]))');
    expect(substitute('increase(x{namespace="${namespace}"}[${__range}]) / $__range_s', context)).toBe('increase(x{namespace="local"}[93s]) / 93');
    expect(substitute('x{namespace=~"${namespace:regex}"}[$__interval] * $__range_ms', context)).toBe('x{namespace=~"local"}[93s] * 93000');
  });

  it("leaves PromQL's own $1 alone and refuses a variable it does not know, naming it", () => {
    expect(substitute('label_replace(x, "a", "$1", "b", "(.*)")', context)).toBe('label_replace(x, "a", "$1", "b", "(.*)")');
    expect(() => substitute('x{model="$model"}', context)).toThrow('unknown Grafana variable $model in x{model="$model"}');
  });

  it("reads a legend's labels", () => {
    expect(legendLabels('{{model}} on {{ pod }} p95')).toEqual(['model', 'pod']);
    expect(legendLabels('p50')).toEqual([]);
  });

  it("tells the panels that read the model operator's metrics, proven where the operator runs", () => {
    expect(readsModelOperatorMetrics({ queries: [{ expr: 'sum(up)' }, { expr: 'max(model_operator_leader{namespace="x"} == 1)' }] })).toBe(true);
    expect(readsModelOperatorMetrics({ queries: [{ expr: 'sum by (job) (rate(http_requests_total[1m]))' }] })).toBe(false);
  });

  it('knows Grafana units and custom ones, and not a typo', () => {
    for (const unit of ['s', 'reqps', 'percentunit', 'bytes', 'short', 'bool', 'suffix:tok/s']) expect(isKnownUnit(unit)).toBe(true);
    for (const unit of ['', 'seconds', 'req/s', 'suffix:']) expect(isKnownUnit(unit)).toBe(false);
  });

  it('calls a panel empty with no series, no finite value, or a legend label a series lacks', () => {
    expect(emptyPanelReason([], '{{job}}')).toBe('no series');
    expect(emptyPanelReason([{ metric: { job: 'a' }, value: NaN }], '{{job}}')).toBe('no finite value (NaN)');
    expect(emptyPanelReason([{ metric: { job: 'a' }, value: 0 }, { metric: {}, value: 1 }], '{{job}} p95')).toBe(
      'legend "{{job}} p95" names job, which 1 of 2 series lack',
    );
    expect(emptyPanelReason([{ metric: { job: 'a' }, value: 0 }, { metric: { job: 'b' }, value: NaN }], '{{job}}')).toBeUndefined();
    expect(emptyPanelReason([{ metric: {}, value: 3 }], 'in flight')).toBeUndefined();
  });
});
