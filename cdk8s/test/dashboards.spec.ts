import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Testing } from 'cdk8s';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { CLUSTER_METRIC_PREFIXES, dashboardPanels, dashboards, type PanelSpec } from '../src/dashboards';
import { DASHBOARD_FILES_DIR, dashboardFiles } from '../src/dashboards/files';
import { Settings } from '../src/settings/registry';
import { declarations, type ShoshizanOverrides } from '../src/settings/values';
import { ShoshizanChart } from '../src/shoshizan-chart';
import { registeredMetricDetails, type MetricKind as Kind, type RegisteredMetric as Metric } from './support/metrics';

/**
 * The Grafana dashboards (cdk8s/src/dashboards) name only metrics that exist, with the type
 * and labels their queries assume; the chart ships them for the sidecar and as JSON files.
 * Whether each query returns data is for the tests that run them against a real Prometheus.
 */
const ROOT = resolve(__dirname, '../..');

/** What a ServiceMonitor's target adds to every series (`job` is the Service's name). */
const TARGET_LABELS = ['job', 'namespace', 'pod', 'instance', 'service', 'container', 'endpoint'];

/**
 * KEDA's operator metrics the Kubernetes dashboard reads (pkg/metricscollector/prommetrics.go
 * of the KEDA version scripts/infra/cluster/keda builds), scraped with honorLabels as KEDA's
 * chart does: their `namespace` is the ScaledObject's.
 */
const KEDA_LABELS = ['namespace', 'metric', 'scaledObject', 'scaler', 'triggerIndex', 'type'];
const KEDA_METRICS: Record<string, Metric> = {
  keda_scaler_metrics_value: { kind: 'Gauge', labels: KEDA_LABELS },
  keda_scaler_active: { kind: 'Gauge', labels: KEDA_LABELS },
  keda_scaler_metrics_latency_seconds: { kind: 'Gauge', labels: KEDA_LABELS },
};

/** prom-client's default metrics (every service collects them), from a registry of its own. */
async function defaultMetrics(): Promise<Map<string, Metric>> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const kinds: Record<string, Kind> = { counter: 'Counter', gauge: 'Gauge', histogram: 'Histogram', summary: 'Summary' };
  return new Map(
    (await registry.getMetricsAsJSON()).map((m) => [
      m.name,
      { kind: kinds[m.type] as Kind, labels: [...new Set(m.values.flatMap((v) => Object.keys(v.labels)))].filter((l) => l !== 'le') },
    ]),
  );
}

/** Every `name{` selector of a query, and whether `rate(` reads it. */
function selectors(expr: string): { name: string; rated: boolean; matchers: string }[] {
  return [...expr.matchAll(/(rate\()?\b([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}/g)].map((m) => ({ name: m[2] as string, rated: m[1] !== undefined, matchers: m[3] as string }));
}

/** The labels a query's result keeps: its outermost aggregation's, else the series' own. */
function keptLabels(expr: string, seriesLabels: readonly string[]): string[] {
  const outer = /^\(?(?:histogram_quantile\([\d.]+, )?(sum|max|min|avg|count)(?: by \(([^)]*)\))? ?\(/.exec(expr);
  if (!outer) return [...seriesLabels];
  return (outer[2] ?? '').split(',').map((l) => l.trim()).filter((l) => l !== '' && l !== 'le');
}

describe('the Grafana dashboards', () => {
  let metrics: Map<string, Metric>;
  const panels = dashboardPanels();

  beforeAll(async () => {
    metrics = new Map([...(await defaultMetrics()), ...registeredMetricDetails(), ...Object.entries(KEDA_METRICS)]);
    metrics.set('up', { kind: 'Gauge', labels: [] });
  });

  /** The metric a series name belongs to (a histogram's _bucket, _sum and _count are its own). */
  function metricOf(name: string): (Metric & { part?: string }) | undefined {
    const part = /_(bucket|sum|count)$/.exec(name);
    const histogram = part ? metrics.get(name.slice(0, part.index)) : undefined;
    if (histogram?.kind === 'Histogram') return { ...histogram, labels: [...histogram.labels, ...(part?.[1] === 'bucket' ? ['le'] : [])], part: part?.[1] };
    return metrics.get(name);
  }

  it('finds the metrics of the services, and their labels', () => {
    expect(metrics.get('http_requests_total')).toEqual({ kind: 'Counter', labels: ['method', 'route', 'status'] });
    expect(metrics.get('kafka_consumer_group_lag')).toEqual({ kind: 'Gauge', labels: ['group', 'topic', 'partition'] });
    expect(metrics.get('process_cpu_seconds_total')?.kind).toBe('Counter');
    expect(metricOf('gpt_api_generation_duration_seconds_bucket')).toMatchObject({ kind: 'Histogram', labels: ['model', 'outcome', 'le'] });
    expect(metrics.size).toBeGreaterThan(60);
  });

  it('are four, each with its own uid and title, a data source and a namespace variable', () => {
    const built = dashboards();
    expect(built.map((d) => d.uid)).toEqual(['shoshizan-overview', 'shoshizan-pipeline', 'shoshizan-model-servers', 'shoshizan-kubernetes']);
    expect(new Set(built.map((d) => d.title)).size).toBe(built.length);
    for (const d of built) expect(d.templating?.list?.map((v) => v.name)).toEqual(['datasource', 'namespace']);
    expect(new Set(panels.map((p) => p.dashboard))).toEqual(new Set(built.map((d) => d.uid)));
  });

  it('has panels with titles unique in their dashboard', () => {
    const keys = panels.map((p) => `${p.dashboard}/${p.title}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    expect(panels.length).toBeGreaterThan(30);
  });

  it('marks as cluster exactly the panels that read KEDA, and has some', () => {
    const cluster = panels.filter((p) => p.source === 'cluster');
    expect(cluster.length).toBeGreaterThan(0);
    for (const p of panels) {
      const fromCluster = p.queries.some((q) => selectors(q.expr).some((s) => CLUSTER_METRIC_PREFIXES.some((prefix) => s.name.startsWith(prefix))));
      expect({ title: p.title, source: p.source }).toEqual({ title: p.title, source: fromCluster ? 'cluster' : 'services' });
    }
  });

  describe.each(panels.map((p) => [`${p.dashboard}: ${p.title}`, p] as [string, PanelSpec]))('%s', (_title, panel) => {
    it('has a unit and queries, each with a legend', () => {
      expect(panel.unit).not.toBe('');
      expect(panel.queries.length).toBeGreaterThan(0);
      for (const q of panel.queries) expect(q.legendFormat).not.toBe('');
    });

    it('queries metrics that exist, rates only counters, and filters each on the namespace', () => {
      for (const { expr } of panel.queries) {
        const found = selectors(expr);
        expect(found.length).toBeGreaterThan(0);
        for (const { name, rated, matchers } of found) {
          const metric = metricOf(name);
          // rate() over a counter or a histogram's series; anything else read as it is, a gauge.
          const fits = rated ? metric?.kind === 'Counter' || metric?.part !== undefined : metric?.kind === 'Gauge';
          expect({ name, kind: metric?.kind, rated, fits }).toEqual({ name, kind: metric?.kind, rated, fits: true });
          expect({ name, matchers }).toEqual({ name, matchers: expect.stringMatching(/^namespace="\$namespace"/) });
        }
        for (const window of expr.matchAll(/\[([^\]]+)\]/g)) expect(['$__rate_interval', '1h']).toContain(window[1]);
        expect(expr.match(/rate\([^[]*\[([^\]]+)\]/g)?.every((r) => r.endsWith('[$__rate_interval]')) ?? true).toBe(true);
      }
    });

    it('aggregates by labels its metrics have, and its legends name only labels the query keeps', () => {
      for (const { expr, legendFormat } of panel.queries) {
        const labels = new Set([...TARGET_LABELS, ...selectors(expr).flatMap((s) => metricOf(s.name)?.labels ?? [])]);
        for (const by of expr.matchAll(/ by \(([^)]*)\)/g)) {
          for (const label of (by[1] ?? '').split(',').map((l) => l.trim())) expect({ expr, label, known: labels.has(label) }).toEqual({ expr, label, known: true });
        }
        const kept = keptLabels(expr, [...labels]);
        for (const m of legendFormat.matchAll(/\{\{\s*([a-zA-Z_]+)\s*\}\}/g)) expect({ legendFormat, label: m[1], kept: kept.includes(m[1] as string) }).toEqual({ legendFormat, label: m[1], kept: true });
      }
    });
  });

  it('keep the legend check honest: a label dropped by the aggregation is caught', () => {
    expect(keptLabels('sum by (group) (max by (group, topic) (x{a="b"}))', ['group', 'topic'])).toEqual(['group']);
    expect(keptLabels('histogram_quantile(0.95, sum by (model, le) (rate(x_bucket{a="b"}[$__rate_interval])))', [])).toEqual(['model']);
    expect(keptLabels('sum(x{a="b"})', ['pod'])).toEqual([]);
    expect(keptLabels('changes(x{a="b"}[1h])', ['pod'])).toEqual(['pod']);
  });

  it('are committed as JSON files for import, as the code builds them (npm run -w cdk8s chart)', () => {
    const files = dashboardFiles();
    expect([...files.keys()].sort()).toEqual(readdirSync(join(ROOT, 'charts', 'shoshizan', DASHBOARD_FILES_DIR)).map((f) => join(DASHBOARD_FILES_DIR, f)).sort());
    for (const [file, json] of files) expect({ file, json: readFileSync(join(ROOT, 'charts', 'shoshizan', file), 'utf8') }).toEqual({ file, json });
  });

  describe('in the chart', () => {
    type Object = { kind: string; metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations?: Record<string, string> }; data?: Record<string, string> };
    const synth = (overrides: ShoshizanOverrides = {}) =>
      (Testing.synth(new ShoshizanChart(Testing.app(), 'shoshizan', { settings: Settings.plain(declarations, overrides) })) as Object[]).filter(
        (o) => o.kind === 'ConfigMap' && o.metadata.labels.grafana_dashboard !== undefined,
      );

    it('are one ConfigMap each, labelled for the Grafana sidecar and annotated with their folder', () => {
      const maps = synth();
      expect(maps.map((m) => m.metadata.name)).toEqual(['shoshizan-dashboard-overview', 'shoshizan-dashboard-pipeline', 'shoshizan-dashboard-model-servers', 'shoshizan-dashboard-kubernetes']);
      for (const [i, map] of maps.entries()) {
        const uid = dashboards()[i]?.uid ?? '';
        expect(map.metadata).toMatchObject({ labels: { grafana_dashboard: '1' }, annotations: { grafana_folder: 'Shoshizan' } });
        expect(map.metadata.namespace).toBeUndefined();
        expect(Object.keys(map.data ?? {})).toEqual([`${uid}.json`]);
        expect(JSON.parse(map.data?.[`${uid}.json`] ?? '')).toMatchObject({ uid });
      }
    });

    it("go to the sidecar's namespace and folder when told, and away when disabled", () => {
      const maps = synth({ metrics: { grafanaDashboard: { namespace: 'monitoring', folder: '' } } });
      expect(maps.map((m) => [m.metadata.namespace, m.metadata.annotations?.grafana_folder])).toEqual(Array(4).fill(['monitoring', undefined]));
      expect(synth({ metrics: { grafanaDashboard: { enabled: false } } })).toEqual([]);
    });
  });
});
