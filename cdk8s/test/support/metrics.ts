import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    if (statSync(path).isDirectory()) return f === 'node_modules' || f === 'dist' ? [] : sources(path);
    return f.endsWith('.ts') && !f.endsWith('.spec.ts') ? [path] : [];
  });
}

export type MetricKind = 'Counter' | 'Gauge' | 'Histogram' | 'Summary';

/** A metric a service registers: its prom-client class and label names. */
export interface RegisteredMetric {
  readonly kind: MetricKind;
  readonly labels: readonly string[];
}

/** Metric name -> prom-client class and label names, read from the services' and service-kit's code. */
export function registeredMetricDetails(): Map<string, RegisteredMetric> {
  const found = new Map<string, RegisteredMetric>();
  for (const file of [...sources(join(ROOT, 'services')), ...sources(join(ROOT, 'libs'))]) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/new (Counter|Gauge|Histogram|Summary)\(\{\s*name: '([a-z0-9_]+)'([^}]*)\}/g)) {
      const labels = /labelNames: \[([^\]]*)\]/.exec(m[3] ?? '')?.[1]?.match(/[a-z_]+/gi) ?? [];
      found.set(m[2] as string, { kind: m[1] as MetricKind, labels });
    }
  }
  return found;
}

/** Metric name -> prom-client class, read from the services' and service-kit's code. */
export function registeredMetrics(): Map<string, string> {
  return new Map([...registeredMetricDetails()].map(([name, { kind }]) => [name, kind]));
}
