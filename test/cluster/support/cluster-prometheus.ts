import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import { OwnPrometheus } from '../../e2e/support/prometheus';
import { cluster, getJsonAll, kubectl } from './cluster';
import {
  endpointTargetsOf,
  ruleFileOf,
  scrapeConfigsOf,
  type EndpointsObject,
  type PodObject,
  type ServiceMonitorObject,
  type ServiceObject,
} from './service-monitor-scrape';

/**
 * A Prometheus beside the test cluster, as a platform team's Prometheus Operator would run
 * it: it scrapes what every ServiceMonitor of the cluster names (the chart's and KEDA's), with
 * the Operator's scrape jobs and target labels, and evaluates every PrometheusRule's groups
 * (the chart's alerts). Its targets come from a discovery endpoint served here, which reads
 * the cluster's Services, Endpoints and Pods on each refresh, so pods KEDA adds or a rollout
 * replaces are scraped as they come and go.
 */
export interface ClusterPrometheus {
  readonly prometheus: OwnPrometheus;
  /** The scrape jobs, by name. */
  readonly jobs: readonly string[];
  stop(): Promise<void>;
}

/**
 * The ServiceMonitor that KEDA's own chart makes for its operator (our KEDA comes from its
 * plain manifests, which have none): the operator's `metrics` port, its series' own labels
 * kept (they name the ScaledObject's namespace).
 */
export const KEDA_SERVICE_MONITOR = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'ServiceMonitor',
  metadata: { name: 'keda-operator', namespace: 'keda' },
  spec: {
    selector: { matchLabels: { 'app.kubernetes.io/name': 'keda-operator' } },
    namespaceSelector: { matchNames: ['keda'] },
    endpoints: [{ port: 'metrics', honorLabels: true }],
  },
};

async function discoveryServer(): Promise<Server> {
  const server = createServer((req, res) => {
    const namespaces = (new URL(req.url ?? '/', 'http://discovery').searchParams.get('namespaces') ?? '').split(',').filter(Boolean);
    Promise.all(
      namespaces.map(async (ns) => {
        const [services, endpoints, pods] = await Promise.all([
          getJsonAll<ServiceObject>('services', ns),
          getJsonAll<EndpointsObject>('endpoints', ns),
          getJsonAll<PodObject>('pods', ns),
        ]);
        return endpointTargetsOf(services, endpoints, pods);
      }),
    ).then(
      (groups) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(groups.flat()));
      },
      (error: unknown) => {
        res.writeHead(500).end(String(error));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

export async function startClusterPrometheus(): Promise<ClusterPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'keda-monitor-'));
  try {
    writeFileSync(join(dir, 'monitor.json'), JSON.stringify(KEDA_SERVICE_MONITOR));
    await kubectl(['apply', '-f', join(dir, 'monitor.json')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // What the cluster holds first, so that nothing is left open when reading it fails.
  const monitors = (await getJsonAll<ServiceMonitorObject>('servicemonitors.monitoring.coreos.com')).sort((a, b) =>
    `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
  );
  const rules = ruleFileOf(await getJsonAll<{ spec: { groups: unknown[] } }>('prometheusrules.monitoring.coreos.com'));
  const server = await discoveryServer();
  const rulesDir = mkdtempSync(join(tmpdir(), 'cluster-rules-'));
  let prometheus: OwnPrometheus | undefined;
  const stop = async () => {
    await prometheus?.stop();
    await new Promise((resolve) => server.close(resolve));
    rmSync(rulesDir, { recursive: true, force: true });
  };
  try {
    const { port } = server.address() as AddressInfo;
    const scrapeConfigs = monitors.flatMap((m) =>
      scrapeConfigsOf(m, { discoveryUrl: (namespaces) => `http://127.0.0.1:${port}/targets?namespaces=${namespaces.join(',')}`, scrapeInterval: '2s' }),
    );
    const ruleFile = join(rulesDir, 'rules.yaml');
    writeFileSync(ruleFile, stringify(rules));
    prometheus = new OwnPrometheus([], {
      config: stringify({ global: { scrape_interval: '2s', evaluation_interval: '2s' }, scrape_configs: scrapeConfigs, rule_files: [ruleFile] }),
    });
    await prometheus.start(`cluster-prometheus-${cluster.namespace}`);
    return { prometheus, jobs: scrapeConfigs.map((c) => c.job_name), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
