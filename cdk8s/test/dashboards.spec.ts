import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Testing } from 'cdk8s';
import { PANELS, dashboardJson } from '../src/constructs/dashboards';
import { Settings } from '../src/settings/registry';
import { declarations } from '../src/settings/values';
import { ShoshizanChart } from '../src/shoshizan-chart';

/** The Grafana dashboard names only metrics the services register, with the right type. */
const ROOT = resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    if (statSync(path).isDirectory()) return f === 'node_modules' || f === 'dist' ? [] : sources(path);
    return f.endsWith('.ts') && !f.endsWith('.spec.ts') ? [path] : [];
  });
}

/** metric name -> prom-client class, read from the services' and service-kit's code. */
function registeredMetrics(): Map<string, string> {
  const found = new Map<string, string>();
  const files = [...sources(join(ROOT, 'services')), ...sources(join(ROOT, 'libs'))];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/new (Counter|Gauge|Histogram|Summary)\(\{\s*name: '([a-z_]+)'/g)) found.set(m[2] as string, m[1] as string);
  }
  return found;
}

describe('the Grafana dashboard', () => {
  const metrics = registeredMetrics();

  it('finds the metrics of the services', () => {
    expect(metrics.get('http_requests_total')).toBe('Counter');
    expect(metrics.size).toBeGreaterThan(10);
  });

  it.each(PANELS.map((p) => [p.title, p] as const))('%s queries registered metrics of the right type', (_title, panel) => {
    for (const { expr } of panel.targets) {
      const names = [...expr.matchAll(/\b([a-z_]+)\{/g)].map((m) => m[1] as string);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) {
        const histogramPart = /_(bucket|sum|count)$/.exec(name);
        const base = histogramPart ? name.slice(0, histogramPart.index) : name;
        const kind = metrics.get(base) ?? metrics.get(name);
        expect({ name, kind }).toEqual({ name, kind: histogramPart ? 'Histogram' : expect.stringMatching(/Counter|Gauge/) });
      }
    }
  });

  it('is valid JSON with a panel per query group and the namespace variable', () => {
    const dashboard = JSON.parse(dashboardJson()) as { panels: unknown[]; templating: { list: { name: string }[] } };
    expect(dashboard.panels).toHaveLength(PANELS.length);
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'namespace']);
  });

  it('ships as a ConfigMap the Grafana sidecar picks up, optionally in its namespace', () => {
    const synth = (namespace: string) =>
      Testing.synth(new ShoshizanChart(Testing.app(), 'shoshizan', { settings: Settings.plain(declarations, { metrics: { grafanaDashboard: { namespace } } }) })) as {
        kind: string;
        metadata: { name: string; namespace?: string; labels: Record<string, string> };
        data?: Record<string, string>;
      }[];
    const configMap = synth('').find((o) => o.metadata.name === 'shoshizan-dashboard');
    expect(configMap?.metadata.labels.grafana_dashboard).toBe('1');
    expect(configMap?.metadata.namespace).toBeUndefined();
    expect(JSON.parse(configMap?.data?.['shoshizan.json'] ?? '')).toMatchObject({ uid: 'shoshizan-overview' });
    expect(synth('monitoring').find((o) => o.metadata.name === 'shoshizan-dashboard')?.metadata.namespace).toBe('monitoring');
  });
});
