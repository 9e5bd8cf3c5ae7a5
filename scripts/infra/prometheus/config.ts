/**
 * The configuration of a Prometheus that scrapes Shoshizan's services outside Kubernetes
 * (local mode's, from scripts/infra/prometheus.sh, and the end-to-end tests' private one,
 * from test/e2e/support/prometheus.ts), written so that every series carries the target
 * labels the chart's ServiceMonitors give it through the Prometheus Operator:
 *
 *   job        the component's Service, `<release>-<component>` (no jobLabel in the monitors)
 *   namespace  where it runs: `local` outside a cluster
 *   service    the Service again
 *   endpoint   the Service port's name, `metrics`
 *   pod        the process (one pod per process)
 *   container  the component (the container's name in the chart)
 *   instance   host:port scraped
 *
 * So one dashboard and one set of alert rules serve a cluster and local mode alike
 * (test/unit/prometheus-config.spec.ts checks the labels against the synthesized chart).
 *
 * Node runs this file as it is (scripts/infra/prometheus/write-config.mjs imports it), so it
 * holds only erasable TypeScript and imports nothing.
 */

/** The release name local mode and the tests stand for: the chart's Services are `shoshizan-<component>`. */
export const LOCAL_RELEASE = 'shoshizan';
/** The namespace label outside a cluster; a dashboard's `$namespace` is `local` there. */
export const LOCAL_NAMESPACE = 'local';
/** The name of the Service port (and ServiceMonitor endpoint) that serves GET /metrics. */
export const METRICS_ENDPOINT = 'metrics';

/**
 * The variable of scripts/env.sh that holds each local-mode service's metrics port. The model
 * operator has metrics too, but runs only in Kubernetes (it manages Ollama pods).
 */
export const LOCAL_METRICS_PORT_VARIABLES = {
  gateway: 'GATEWAY_METRICS_PORT',
  'kafka-producer': 'PRODUCER_METRICS_PORT',
  'kafka-consumer': 'CONSUMER_METRICS_PORT',
  'gpt-api': 'GPT_API_METRICS_PORT',
} as const;

/** One process serving GET /metrics. */
export interface ScrapeTarget {
  /** The component: the chart's container name; its Service is `<release>-<component>`. */
  readonly component: string;
  /** host:port of its metrics endpoint. */
  readonly address: string;
  /** Its `pod` label. @default `<service>-<port>`, unique among processes on one host */
  readonly pod?: string;
}

export interface PrometheusConfigOptions {
  readonly targets: readonly ScrapeTarget[];
  /** @default LOCAL_NAMESPACE */
  readonly namespace?: string;
  /** @default LOCAL_RELEASE */
  readonly release?: string;
  /** How often each target is scraped (its timeout is the same). @default '15s' */
  readonly scrapeInterval?: string;
  /** How often the rules are evaluated. @default the scrape interval */
  readonly evaluationInterval?: string;
  /** Rule files to load (absolute paths). @default none */
  readonly ruleFiles?: readonly string[];
}

/** The chart's name of a component's Service (and Deployment) in a release. */
export function serviceName(release: string, component: string): string {
  return `${release}-${component}`;
}

/** The labels every series scraped from `target` carries, `job` and `instance` included. */
export function targetLabels(target: ScrapeTarget, options: { readonly namespace?: string; readonly release?: string } = {}): Record<string, string> {
  const service = serviceName(options.release ?? LOCAL_RELEASE, target.component);
  const port = target.address.slice(target.address.lastIndexOf(':') + 1);
  return {
    job: service,
    namespace: options.namespace ?? LOCAL_NAMESPACE,
    service,
    endpoint: METRICS_ENDPOINT,
    pod: target.pod ?? `${service}-${port}`,
    container: target.component,
    instance: target.address,
  };
}

/** The metrics targets of local mode, their ports read from `env` (scripts/env.sh exports them). */
export function localTargets(env: Readonly<Record<string, string | undefined>>, host = '127.0.0.1'): ScrapeTarget[] {
  return Object.entries(LOCAL_METRICS_PORT_VARIABLES).map(([component, variable]) => {
    const port = Number(env[variable]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${variable} must be a port (1-65535), got ${JSON.stringify(env[variable])}`);
    return { component, address: `${host}:${port}` };
  });
}

/**
 * The Prometheus configuration (YAML): one job per Service, one static target per process
 * with its labels (Prometheus sets `job` from the job's name and `instance` from the
 * address), and the rule files.
 */
export function prometheusConfig(options: PrometheusConfigOptions): string {
  if (options.targets.length === 0) throw new Error('prometheusConfig: no targets');
  const interval = options.scrapeInterval ?? '15s';
  const jobs = new Map<string, { targets: string[]; labels: Record<string, string> }[]>();
  const seen = new Set<string>();
  for (const target of options.targets) {
    if (seen.has(target.address)) throw new Error(`prometheusConfig: ${target.address} is listed twice`);
    seen.add(target.address);
    const { job, instance, ...labels } = targetLabels(target, options);
    jobs.set(job!, [...(jobs.get(job!) ?? []), { targets: [instance!], labels }]);
  }
  const yaml = toYaml({
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: options.evaluationInterval ?? interval },
    ...(options.ruleFiles && options.ruleFiles.length > 0 ? { rule_files: [...options.ruleFiles] } : {}),
    scrape_configs: [...jobs].map(([job, staticConfigs]) => ({ job_name: job, metrics_path: '/metrics', static_configs: staticConfigs })),
  });
  return `${yaml}\n`;
}

type Yaml = string | number | boolean | readonly Yaml[] | { readonly [key: string]: Yaml };

/** Block-style YAML; every string double-quoted (a JSON string is a valid YAML one). */
function toYaml(value: Yaml, indent = ''): string {
  if (Array.isArray(value)) {
    // A mapping in a list starts on the dash's line: `- key: value`.
    return value.map((item: Yaml) => `${indent}- ${isScalar(item) ? scalar(item) : toYaml(item, `${indent}  `).slice(indent.length + 2)}`).join('\n');
  }
  if (isScalar(value)) return `${indent}${scalar(value)}`;
  return Object.entries(value as { readonly [key: string]: Yaml })
    .map(([key, item]) => `${indent}${key}:${isScalar(item) ? ` ${scalar(item)}` : `\n${toYaml(item, `${indent}  `)}`}`)
    .join('\n');
}

function isScalar(value: Yaml): value is string | number | boolean {
  return typeof value !== 'object';
}

function scalar(value: string | number | boolean): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
