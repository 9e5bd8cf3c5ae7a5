/**
 * What the Prometheus Operator makes of a ServiceMonitor, for a Prometheus that runs beside
 * the test cluster (the node has no Prometheus Operator): one scrape job per endpoint,
 * keeping the endpoints of the Services the selector matches on the named port, with the
 * target labels the Operator gives every series (job = the Service's name, namespace,
 * service, pod, container, endpoint = the port's name, instance = the address). The
 * dashboards and alerts filter and group on exactly these labels, so a panel proven against
 * this config reads the same series as on a cluster with the Operator.
 *
 * Debian's Prometheus is built without Kubernetes service discovery, so the targets come from
 * `endpointTargetsOf` below, served over Prometheus's HTTP discovery: the same targets and
 * `__meta_kubernetes_*` labels Kubernetes discovery (role `endpoints`) gives, read from the
 * cluster's Services, Endpoints and Pods. The Operator's relabelling then runs in Prometheus
 * itself, unchanged.
 *
 * Only what the chart's ServiceMonitors (and KEDA's) use is translated: `selector.matchLabels`,
 * `namespaceSelector.matchNames` and, per endpoint, `port`, `path`, `interval`, `honorLabels`; anything else
 * is refused so that a chart change the translation does not follow cannot pass unnoticed.
 */

export interface ServiceMonitorObject {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: {
    readonly selector: { readonly matchLabels?: Readonly<Record<string, string>>; readonly matchExpressions?: unknown };
    readonly namespaceSelector?: { readonly matchNames?: readonly string[]; readonly any?: boolean };
    readonly endpoints: readonly {
      readonly port?: string;
      readonly path?: string;
      readonly interval?: string;
      readonly honorLabels?: boolean;
      readonly [other: string]: unknown;
    }[];
    readonly [other: string]: unknown;
  };
}

export interface RelabelConfig {
  readonly source_labels?: readonly string[];
  readonly separator?: string;
  readonly regex?: string;
  readonly target_label?: string;
  readonly replacement?: string;
  readonly action?: 'replace' | 'keep' | 'drop';
}

export interface ScrapeConfig {
  readonly job_name: string;
  readonly honor_labels: boolean;
  readonly metrics_path: string;
  readonly scrape_interval?: string;
  readonly http_sd_configs: readonly { url: string; refresh_interval: string }[];
  readonly relabel_configs: readonly RelabelConfig[];
}

const ENDPOINT_FIELDS = new Set(['port', 'path', 'interval', 'honorLabels']);
const SPEC_FIELDS = new Set(['selector', 'namespaceSelector', 'endpoints']);

/** A Kubernetes label name as a service-discovery meta label name (`app.kubernetes.io/name` -> `app_kubernetes_io_name`). */
export function metaLabelName(label: string): string {
  return label.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** A string as a regex that matches it alone (RE2, as Prometheus's relabelling reads it). */
function literal(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The scrape jobs of one ServiceMonitor: a job per endpoint, named as the Operator names
 * them (`serviceMonitor/<namespace>/<name>/<index>`). `scrapeInterval` overrides the
 * endpoints' intervals (a test wants seconds, not the chart's 30 s).
 */
export function scrapeConfigsOf(
  monitor: ServiceMonitorObject,
  options: { discoveryUrl: (namespaces: readonly string[]) => string; scrapeInterval?: string },
): ScrapeConfig[] {
  const { name, namespace } = monitor.metadata;
  const unknownSpec = Object.keys(monitor.spec).filter((k) => !SPEC_FIELDS.has(k));
  if (unknownSpec.length > 0 || monitor.spec.selector.matchExpressions !== undefined || monitor.spec.namespaceSelector?.any) {
    throw new Error(`ServiceMonitor ${namespace}/${name}: ${[...unknownSpec, 'matchExpressions/any'].join(', ')} not translated`);
  }
  const namespaces = monitor.spec.namespaceSelector?.matchNames ?? [namespace];
  const matchLabels = Object.entries(monitor.spec.selector.matchLabels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return monitor.spec.endpoints.map((endpoint, index) => {
    const unknown = Object.keys(endpoint).filter((k) => !ENDPOINT_FIELDS.has(k));
    if (unknown.length > 0 || endpoint.port === undefined) {
      throw new Error(`ServiceMonitor ${namespace}/${name} endpoint ${index}: ${unknown.join(', ') || 'no port name'} not translated`);
    }
    const port = endpoint.port;
    const relabel: RelabelConfig[] = [
      // The Services the selector matches: every label present with its value.
      ...matchLabels.map(
        ([label, value]): RelabelConfig => ({
          action: 'keep',
          source_labels: [`__meta_kubernetes_service_label_${metaLabelName(label)}`, `__meta_kubernetes_service_labelpresent_${metaLabelName(label)}`],
          regex: `(${literal(value)});true`,
        }),
      ),
      { action: 'keep', source_labels: ['__meta_kubernetes_endpoint_port_name'], regex: literal(port) },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_service_name'], target_label: 'service' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
      { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container' },
      { action: 'drop', source_labels: ['__meta_kubernetes_pod_phase'], regex: '(Failed|Succeeded)' },
      { source_labels: ['__meta_kubernetes_service_name'], target_label: 'job', replacement: '${1}' },
      { target_label: 'endpoint', replacement: port },
    ];
    return {
      job_name: `serviceMonitor/${namespace}/${name}/${index}`,
      // A series's own labels win over the target's (KEDA's metrics name the ScaledObject's namespace).
      honor_labels: endpoint.honorLabels ?? false,
      metrics_path: endpoint.path ?? '/metrics',
      ...(options.scrapeInterval ?? endpoint.interval ? { scrape_interval: options.scrapeInterval ?? endpoint.interval } : {}),
      http_sd_configs: [{ url: options.discoveryUrl(namespaces), refresh_interval: '5s' }],
      relabel_configs: relabel,
    };
  });
}

/** The rule groups of PrometheusRule objects, as one Prometheus rules file's content. */
export function ruleFileOf(rules: readonly { readonly spec: { readonly groups: readonly unknown[] } }[]): { groups: unknown[] } {
  return { groups: rules.flatMap((r) => r.spec.groups) };
}

// ---------------------------------------------------------------- discovery

interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
}
export interface ServiceObject {
  readonly metadata: ObjectMeta;
}
export interface EndpointsObject {
  readonly metadata: ObjectMeta;
  readonly subsets?: readonly {
    readonly addresses?: readonly { readonly ip: string; readonly targetRef?: { readonly kind: string; readonly name: string } }[];
    readonly notReadyAddresses?: readonly { readonly ip: string; readonly targetRef?: { readonly kind: string; readonly name: string } }[];
    readonly ports?: readonly { readonly name?: string; readonly port: number; readonly protocol?: string }[];
  }[];
}
export interface PodObject {
  readonly metadata: ObjectMeta;
  readonly spec: { readonly containers: readonly { readonly name: string; readonly ports?: readonly { readonly containerPort: number; readonly name?: string }[] }[] };
  readonly status?: { readonly phase?: string };
}

/** One target group of Prometheus's HTTP discovery. */
export interface TargetGroup {
  readonly targets: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The targets Kubernetes discovery (role `endpoints`) finds in these objects: one per address
 * and port of each Endpoints object, labelled with its namespace, Service (name and labels),
 * port name, ready state and, for a Pod's address, the Pod's name and phase and the name of
 * the container that declares the port.
 */
export function endpointTargetsOf(
  services: readonly ServiceObject[],
  endpoints: readonly EndpointsObject[],
  pods: readonly PodObject[],
): TargetGroup[] {
  const key = (m: ObjectMeta) => `${m.namespace ?? ''}/${m.name}`;
  const serviceByKey = new Map(services.map((s) => [key(s.metadata), s]));
  const podByKey = new Map(pods.map((p) => [key(p.metadata), p]));
  const groups: TargetGroup[] = [];
  for (const ep of endpoints) {
    const service = serviceByKey.get(key(ep.metadata));
    const namespace = ep.metadata.namespace ?? '';
    const serviceLabels: Record<string, string> = {};
    for (const [k, v] of Object.entries(service?.metadata.labels ?? {})) {
      serviceLabels[`__meta_kubernetes_service_label_${metaLabelName(k)}`] = v;
      serviceLabels[`__meta_kubernetes_service_labelpresent_${metaLabelName(k)}`] = 'true';
    }
    for (const subset of ep.subsets ?? []) {
      const addresses = [
        ...(subset.addresses ?? []).map((a) => ({ ...a, ready: 'true' })),
        ...(subset.notReadyAddresses ?? []).map((a) => ({ ...a, ready: 'false' })),
      ];
      for (const address of addresses) {
        const pod = address.targetRef?.kind === 'Pod' ? podByKey.get(`${namespace}/${address.targetRef.name}`) : undefined;
        for (const port of subset.ports ?? []) {
          const container = pod?.spec.containers.find((c) => (c.ports ?? []).some((p) => p.containerPort === port.port));
          groups.push({
            targets: [`${address.ip}:${port.port}`],
            labels: {
              __meta_kubernetes_namespace: namespace,
              __meta_kubernetes_endpoints_name: ep.metadata.name,
              __meta_kubernetes_endpoint_ready: address.ready,
              __meta_kubernetes_endpoint_port_name: port.name ?? '',
              __meta_kubernetes_endpoint_port_protocol: port.protocol ?? 'TCP',
              ...(address.targetRef ? { __meta_kubernetes_endpoint_address_target_kind: address.targetRef.kind, __meta_kubernetes_endpoint_address_target_name: address.targetRef.name } : {}),
              ...(service ? { __meta_kubernetes_service_name: service.metadata.name, ...serviceLabels } : {}),
              ...(pod
                ? {
                    __meta_kubernetes_pod_name: pod.metadata.name,
                    __meta_kubernetes_pod_phase: pod.status?.phase ?? '',
                    __meta_kubernetes_pod_ready: address.ready,
                    ...(container ? { __meta_kubernetes_pod_container_name: container.name } : {}),
                  }
                : {}),
            },
          });
        }
      }
    }
  }
  return groups;
}
