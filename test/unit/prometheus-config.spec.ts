import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { synthPlain } from '../../cdk8s/src/shoshizan-chart';
import {
  LOCAL_METRICS_PORT_VARIABLES,
  localTargets,
  prometheusConfig,
  targetLabels,
  type ScrapeTarget,
} from '../../scripts/infra/prometheus/config';
import { localModePorts } from './support/local-mode-env';

/**
 * scripts/infra/prometheus/config.ts, the scrape config of local mode's Prometheus and of
 * the end-to-end tests' one: every series gets the target labels the Prometheus Operator
 * gives it from the chart's ServiceMonitors, so one dashboard reads both. The labels are
 * derived here from the synthesized chart as the Operator derives them (ServiceMonitor ->
 * the Services its selector matches -> the named port -> the Pods and the container behind
 * it), so a renamed Service, port or container fails this spec.
 */
const ROOT = resolve(__dirname, '../..');

interface Manifest {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly labels?: Record<string, string> };
  readonly spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const manifests = synthPlain() as unknown as Manifest[];
const contains = (labels: Record<string, string> | undefined, wanted: Record<string, string>) =>
  Object.entries(wanted).every(([k, v]) => labels?.[k] === v);

/** What the Operator labels one ServiceMonitor's series with (all but pod, instance and namespace, which depend on where it runs). */
function operatorLabels(monitor: Manifest): { component: string; port: number; labels: Record<string, string> }[] {
  const services = manifests.filter((m) => m.kind === 'Service' && contains(m.metadata.labels, monitor.spec.selector.matchLabels));
  expect(services).toHaveLength(1);
  return services.flatMap((service) =>
    monitor.spec.endpoints.map((endpoint: { port: string }) => {
      expect(monitor.spec.jobLabel).toBeUndefined(); // so `job` is the Service's name
      const port = service.spec.ports.find((p: { name: string }) => p.name === endpoint.port);
      const workload = manifests.find((m) => m.kind === 'Deployment' && contains(m.spec.template.metadata.labels, service.spec.selector));
      const container = workload?.spec.template.spec.containers.find((c: { ports?: { name: string; containerPort: number }[] }) =>
        c.ports?.some((p) => p.containerPort === port.targetPort || p.name === port.targetPort),
      );
      expect({ service: service.metadata.name, port: port?.name, container: container?.name }).toEqual({
        service: service.metadata.name,
        port: endpoint.port,
        container: expect.any(String),
      });
      return {
        component: service.metadata.labels!['app.kubernetes.io/component']!,
        port: port.port as number,
        labels: { job: service.metadata.name, service: service.metadata.name, endpoint: endpoint.port, container: container.name as string },
      };
    }),
  );
}

/** The ports scripts/env.sh exports when nothing overrides them. */
const envSh = localModePorts();

const monitored = manifests.filter((m) => m.kind === 'ServiceMonitor').flatMap(operatorLabels);
const local = localTargets(envSh);

describe('the scrape config of local mode and the e2e tests', () => {
  it('scrapes every component the chart monitors, but the model operator (it runs only in Kubernetes)', () => {
    expect(monitored.length).toBeGreaterThanOrEqual(5);
    expect(local.map((t) => t.component).sort()).toEqual(
      monitored
        .map((m) => m.component)
        .filter((c) => c !== 'model-operator')
        .sort(),
    );
  });

  it.each(Object.keys(LOCAL_METRICS_PORT_VARIABLES))('labels %s as the ServiceMonitor does, at its local metrics port', (component) => {
    const target = local.find((t) => t.component === component)!;
    const chart = monitored.find((m) => m.component === component)!;
    const labels = targetLabels(target);
    expect(labels).toEqual({ ...chart.labels, namespace: 'local', pod: expect.any(String), instance: `127.0.0.1:${chart.port}` });
    expect(labels.instance).toBe(`127.0.0.1:${envSh[LOCAL_METRICS_PORT_VARIABLES[component as keyof typeof LOCAL_METRICS_PORT_VARIABLES]]}`);
  });

  it('writes a job per Service with a static target per process, carrying those labels', () => {
    const second: ScrapeTarget = { component: 'gateway', address: '127.0.0.1:40001', pod: 'shoshizan-gateway-2' };
    const config = parse(prometheusConfig({ targets: [...local, second], scrapeInterval: '1s', ruleFiles: ['/rules.yaml'] }));
    expect(config.global).toEqual({ scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' });
    expect(config.rule_files).toEqual(['/rules.yaml']);
    expect(config.scrape_configs.map((j: { job_name: string }) => j.job_name)).toEqual(local.map((t) => `shoshizan-${t.component}`));
    const gateway = config.scrape_configs.find((j: { job_name: string }) => j.job_name === 'shoshizan-gateway');
    expect(gateway).toEqual({
      job_name: 'shoshizan-gateway',
      metrics_path: '/metrics',
      static_configs: [
        {
          targets: [`127.0.0.1:${envSh.GATEWAY_METRICS_PORT}`],
          labels: { namespace: 'local', service: 'shoshizan-gateway', endpoint: 'metrics', pod: `shoshizan-gateway-${envSh.GATEWAY_METRICS_PORT}`, container: 'gateway' },
        },
        { targets: ['127.0.0.1:40001'], labels: { namespace: 'local', service: 'shoshizan-gateway', endpoint: 'metrics', pod: 'shoshizan-gateway-2', container: 'gateway' } },
      ],
    });
    expect(parse(prometheusConfig({ targets: local })).rule_files).toBeUndefined();
  });

  it('refuses a missing port, a target listed twice and no targets, naming what is wrong', () => {
    expect(() => localTargets({ ...envSh, CONSUMER_METRICS_PORT: undefined })).toThrow('CONSUMER_METRICS_PORT must be a port (1-65535), got undefined');
    expect(() => localTargets({ ...envSh, GATEWAY_METRICS_PORT: '0' })).toThrow('GATEWAY_METRICS_PORT must be a port (1-65535), got "0"');
    expect(() => prometheusConfig({ targets: [local[0]!, local[0]!] })).toThrow(`${local[0]!.address} is listed twice`);
    expect(() => prometheusConfig({ targets: [] })).toThrow('no targets');
  });

  it("is a config Prometheus accepts, with the chart's alert rules loaded (promtool check config)", () => {
    const bin = spawnSync('bash', [join(ROOT, 'scripts/infra/prometheus.sh'), 'bin'], { encoding: 'utf8' }).stdout.trim();
    const rules = join(ROOT, 'charts/shoshizan/files/prometheus-rules.yaml');
    const dir = mkdtempSync(join(tmpdir(), 'prometheus-config-'));
    try {
      writeFileSync(join(dir, 'prometheus.yml'), prometheusConfig({ targets: local, ruleFiles: existsSync(rules) ? [rules] : [] }));
      const check = spawnSync(join(bin, 'promtool'), ['check', 'config', join(dir, 'prometheus.yml')], { encoding: 'utf8' });
      expect({ status: check.status, error: check.error?.message, output: check.status === 0 ? '' : check.stdout + check.stderr }).toEqual({ status: 0, error: undefined, output: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
