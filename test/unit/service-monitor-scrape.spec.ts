import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { synthPlain } from '../../cdk8s/src/shoshizan-chart';
import {
  endpointTargetsOf,
  scrapeConfigsOf,
  type EndpointsObject,
  type PodObject,
  type ScrapeConfig,
  type ServiceMonitorObject,
} from '../cluster/support/service-monitor-scrape';

/**
 * test/cluster/support/service-monitor-scrape.ts: the chart's ServiceMonitors as the scrape
 * jobs of the Prometheus beside the test cluster, and the targets its discovery serves. Each
 * job keeps the chart's one Service of its component on its `metrics` port, and the config is
 * one Prometheus accepts.
 */
const ROOT = resolve(__dirname, '../..');
const OPTIONS = { discoveryUrl: (namespaces: readonly string[]) => `http://127.0.0.1:1/targets?namespaces=${namespaces.join(',')}`, scrapeInterval: '2s' };

interface Manifest {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly spec?: { readonly ports?: readonly { readonly name?: string }[] };
}

const manifests = synthPlain() as unknown as Manifest[];
const monitors = manifests
  .filter((m) => m.kind === 'ServiceMonitor')
  .map((m) => ({ ...m, metadata: { ...m.metadata, namespace: 'shoshizan' } }) as unknown as ServiceMonitorObject);
const services = manifests.filter((m) => m.kind === 'Service');

/** Each Service's Endpoints as the cluster makes them: one ready Pod, `<service>-0`, on each of its ports. */
const endpoints: EndpointsObject[] = services.map((svc) => ({
  metadata: { name: svc.metadata.name, namespace: 'shoshizan' },
  subsets: [
    {
      addresses: [{ ip: '10.244.0.9', targetRef: { kind: 'Pod', name: `${svc.metadata.name}-0` } }],
      ports: (svc.spec?.ports ?? []).map((p, i) => ({ name: p.name, port: 9000 + i })),
    },
  ],
}));
const pods: PodObject[] = services.map((svc) => ({
  metadata: { name: `${svc.metadata.name}-0`, namespace: 'shoshizan' },
  spec: { containers: [{ name: svc.metadata.name.replace(/^shoshizan-/, ''), ports: (svc.spec?.ports ?? []).map((_, i) => ({ containerPort: 9000 + i })) }] },
  status: { phase: 'Running' },
}));
const targets = endpointTargetsOf(
  services.map((s) => ({ metadata: { ...s.metadata, namespace: 'shoshizan' } })),
  endpoints,
  pods,
);

/** Whether a target passes a job's `keep` rules (Prometheus joins the sources with `;` and anchors the regex). */
function kept(job: ScrapeConfig, meta: Readonly<Record<string, string>>): boolean {
  return job.relabel_configs
    .filter((r) => r.action === 'keep')
    .every((r) => new RegExp(`^(?:${r.regex})$`).test((r.source_labels ?? []).map((l) => meta[l] ?? '').join(r.separator ?? ';')));
}

describe('the chart’s ServiceMonitors as scrape jobs', () => {
  const jobs = monitors.flatMap((m) => scrapeConfigsOf(m, OPTIONS));

  it('makes one job per ServiceMonitor endpoint, with the chart’s metrics path and the test’s interval', () => {
    expect(monitors.length).toBeGreaterThanOrEqual(5);
    expect(jobs.map((j) => j.job_name)).toEqual(monitors.map((m) => `serviceMonitor/shoshizan/${m.metadata.name}/0`));
    for (const job of jobs) {
      expect(job.metrics_path).toBe('/metrics');
      expect(job.scrape_interval).toBe('2s');
    }
  });

  it.each(monitors.map((m) => [m.metadata.name, m] as const))('%s keeps exactly its own Service, on the port named metrics', (name, monitor) => {
    const [job] = scrapeConfigsOf(monitor, OPTIONS);
    const found = targets.filter((t) => kept(job!, t.labels));
    expect(found.map((t) => [t.labels.__meta_kubernetes_service_name, t.labels.__meta_kubernetes_endpoint_port_name])).toEqual([[name, 'metrics']]);
  });

  it('discovers each address and port with its Pod, container and ready state', () => {
    const gateway = targets.find((t) => t.labels.__meta_kubernetes_service_name === 'shoshizan-gateway' && t.labels.__meta_kubernetes_endpoint_port_name === 'metrics');
    expect(gateway?.targets).toHaveLength(1);
    expect(gateway?.labels).toMatchObject({
      __meta_kubernetes_namespace: 'shoshizan',
      __meta_kubernetes_pod_name: 'shoshizan-gateway-0',
      __meta_kubernetes_pod_container_name: 'gateway',
      __meta_kubernetes_pod_phase: 'Running',
      __meta_kubernetes_endpoint_ready: 'true',
      '__meta_kubernetes_service_label_app_kubernetes_io_component': 'gateway',
      '__meta_kubernetes_service_labelpresent_app_kubernetes_io_component': 'true',
    });
    const notReady = endpointTargetsOf([], [{ metadata: { name: 'x', namespace: 'n' }, subsets: [{ notReadyAddresses: [{ ip: '10.0.0.1' }], ports: [{ port: 1 }] }] }], []);
    expect(notReady).toEqual([{ targets: ['10.0.0.1:1'], labels: expect.objectContaining({ __meta_kubernetes_endpoint_ready: 'false', __meta_kubernetes_endpoint_port_name: '' }) }]);
  });

  it('gives the target labels the dashboards group on', () => {
    const targets = jobs[0]!.relabel_configs.map((r) => r.target_label).filter((t) => t !== undefined);
    expect(new Set(targets)).toEqual(new Set(['namespace', 'service', 'pod', 'container', 'job', 'endpoint']));
  });

  it('refuses what it does not translate', () => {
    const base = monitors[0]!;
    expect(() => scrapeConfigsOf({ ...base, spec: { ...base.spec, endpoints: [{ port: 'metrics', bearerTokenFile: '/x' }] } }, OPTIONS)).toThrow(/bearerTokenFile/);
    expect(() => scrapeConfigsOf({ ...base, spec: { ...base.spec, selector: { matchExpressions: [] } } }, OPTIONS)).toThrow(/matchExpressions/);
    expect(() => scrapeConfigsOf({ ...base, spec: { ...base.spec, endpoints: [{ path: '/metrics' }] } }, OPTIONS)).toThrow(/no port name/);
  });

  it('is a config Prometheus accepts (promtool check config)', () => {
    const bin = spawnSync('bash', [join(ROOT, 'scripts/infra/prometheus.sh'), 'bin'], { encoding: 'utf8' }).stdout.trim();
    const dir = mkdtempSync(join(tmpdir(), 'scrape-config-'));
    try {
      const config = { global: { scrape_interval: '2s' }, scrape_configs: jobs };
      writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
      const check = spawnSync(join(bin, 'promtool'), ['check', 'config', '--syntax-only', join(dir, 'prometheus.yml')], { encoding: 'utf8' });
      expect({ status: check.status, error: check.error?.message, output: check.status === 0 ? '' : check.stdout + check.stderr }).toEqual({ status: 0, error: undefined, output: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
