import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { Condition } from '../settings/registry';
import { METRICS_PORTS, PORTS, type Release } from './context';
import { HELM_TEST_TARGETS } from './helm-test';

export interface NetworkPoliciesProps {
  readonly release: Release;
}

type Peer = Record<string, unknown>;
interface Rule {
  readonly peers: readonly Peer[] | Peer[];
  /** TCP ports, or NetworkPolicyPorts from the settings; none: every port. */
  readonly ports: readonly number[] | NetworkPolicyPort[];
  /** Only when this holds (e.g. the model operator runs). @default always */
  readonly when?: Condition;
}
interface NetworkPolicyPort {
  readonly protocol?: string;
  readonly port: number;
  readonly endPort?: number;
}

/**
 * The Kubernetes API server, for the pods that call it (the model operator and its Jobs,
 * gpt-api with the operator). Reached through the `kubernetes` Service (443), which most
 * CNIs see after the address translation, at the control plane's address and port (6443 on
 * most clusters, 443 on some): not known here, so any address on those two ports.
 */
const API_SERVER_PORTS = [443, 6443];

/**
 * Default deny for every pod of the release, then one policy per component allowing only the
 * flows of the architecture: browser -> ingress -> gateway/UI; gateway -> kafka-producer,
 * gpt-api, Kafka, PostgreSQL; kafka-consumer -> Kafka, gpt-api, PostgreSQL; gpt-api ->
 * Ollama, PostgreSQL (and the API server, to watch OllamaModels, with the model operator);
 * model operator -> API server, Ollama, model registries; its Jobs (remove-models,
 * ollamamodel-crd) -> API server; Ollama -> model registries (pulls; both on
 * `networkPolicy.modelRegistryPorts` of any address, since registries are outside the
 * cluster); Prometheus -> each service's metrics port, and nothing else of it (its API port
 * serves no metrics); KEDA -> Kafka.
 * External Kafka or PostgreSQL are reached on any address (their addresses are not known here).
 */
export class NetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(scope, id);
    const { release } = props;
    const { s, v } = release;
    s.when(v.networkPolicy.enabled, this, 'enabled', (inner) => this.build(inner, release));
  }

  private build(scope: Construct, release: Release): void {
    const { s, v } = release;
    const pods = (component: string): Peer => ({ podSelector: { matchLabels: release.selectorLabels(component) } });
    const namespace = (name: string): Peer => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
    const anywhere: Peer = { ipBlock: { cidr: '0.0.0.0/0' } };
    const strimziPods: Peer = { podSelector: { matchLabels: { 'strimzi.io/cluster': release.name('kafka') } } };
    const kafka: Rule = {
      peers: s.choose(release.is('kafka', 'bundled'), [pods('kafka')], s.choose(release.is('kafka', 'strimzi'), [strimziPods], [anywhere])),
      ports: [],
    };
    const postgres: Rule = {
      peers: s.choose(release.is('postgresql', 'bundled'), [pods('postgresql')], [anywhere]),
      ports: [],
    };
    const prometheus = [namespace(s.text(v.networkPolicy.monitoringNamespace))];
    const fromIngress: Rule = { peers: [namespace(s.text(v.networkPolicy.ingressNamespace))], ports: [] };
    const dns: Rule = {
      peers: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ],
    };

    // Everything of this release: no traffic in or out but DNS, unless a policy below allows it.
    const all = { matchLabels: { 'app.kubernetes.io/instance': release.s.releaseName, 'app.kubernetes.io/name': 'shoshizan' } };
    this.policy(scope, release, 'default-deny', all, [], [dns]);

    const apiServer: Rule = { peers: [anywhere], ports: API_SERVER_PORTS };
    // `helm test` asks every service's readiness route (helm-test.ts), on its API port.
    const helmTest: Rule = { peers: [pods('helm-test')], ports: [] };
    const registries: Rule = { peers: [anywhere], ports: v.networkPolicy.modelRegistryPorts };
    const operator = release.modelOperator;

    // `from` reaches `port`; the monitoring namespace reaches `metricsPort` alone. A policy
    // with `when` exists only when that holds.
    const policies: Record<string, { port?: number; metricsPort?: number; from: Rule[]; to: Rule[]; when?: Condition }> = {
      gateway: {
        port: PORTS.gateway,
        metricsPort: METRICS_PORTS.gateway,
        from: [fromIngress, helmTest],
        to: [
          { peers: [pods('kafka-producer')], ports: [PORTS.kafkaProducer] },
          { peers: [pods('gpt-api')], ports: [PORTS.gptApi] },
          { peers: [pods('kafka-consumer')], ports: [PORTS.kafkaConsumer] },
          kafka,
          postgres,
        ],
      },
      'kafka-producer': { port: PORTS.kafkaProducer, metricsPort: METRICS_PORTS.kafkaProducer, from: [{ peers: [pods('gateway')], ports: [] }, helmTest], to: [kafka] },
      // The gateway's status page asks the workers' health.
      'kafka-consumer': {
        port: PORTS.kafkaConsumer,
        metricsPort: METRICS_PORTS.kafkaConsumer,
        from: [{ peers: [pods('gateway')], ports: [] }, helmTest],
        to: [kafka, { peers: [pods('gpt-api')], ports: [PORTS.gptApi] }, postgres],
      },
      'gpt-api': {
        port: PORTS.gptApi,
        metricsPort: METRICS_PORTS.gptApi,
        from: [{ peers: [pods('gateway'), pods('kafka-consumer')], ports: [] }, helmTest],
        to: [{ peers: [pods('ollama')], ports: [PORTS.ollama] }, postgres, { ...apiServer, when: operator }],
      },
      ui: { port: PORTS.ui, from: [fromIngress], to: [] },
      // The `helm test` pod (chart only) asks each service's readiness route (helm-test.ts).
      'helm-test': { from: [], to: HELM_TEST_TARGETS.map(([component, port]) => ({ peers: [pods(component)], ports: [port] })) },
      ollama: { port: PORTS.ollama, from: [{ peers: [pods('gpt-api'), pods('model-operator')], ports: [] }], to: [registries] },
      // No API: only Prometheus comes in, on the metrics port (kubelet probes are not policed).
      'model-operator': {
        metricsPort: METRICS_PORTS.modelOperator,
        from: [],
        to: [apiServer, { peers: [pods('ollama')], ports: [PORTS.ollama] }, registries],
        when: operator,
      },
      // The Jobs of the chart's hooks (model-operator.ts, ollama-model-crd.ts) call the API server alone.
      'remove-models': { from: [], to: [apiServer], when: operator },
      'ollamamodel-crd': { from: [], to: [apiServer], when: operator },
    };
    for (const [component, p] of Object.entries(policies)) {
      const make = (inner: Construct) =>
        this.policy(
          inner,
          release,
          component,
          { matchLabels: release.selectorLabels(component) },
          [
            ...p.from.map((rule) => ({ from: rule.peers, ports: [{ protocol: 'TCP', port: p.port }] })),
            ...(p.metricsPort !== undefined ? [{ from: prometheus, ports: [{ protocol: 'TCP', port: p.metricsPort }] }] : []),
          ],
          p.to,
        );
      if (p.when) s.when(p.when, scope, component, make);
      else make(scope);
    }
    s.when(release.is('kafka', 'bundled'), scope, 'kafka', (inner) => {
      const clients = ['gateway', 'kafka-producer', 'kafka-consumer'].map(pods);
      this.policy(inner, release, 'kafka', { matchLabels: release.selectorLabels('kafka') }, [
        { from: [...clients, namespace(s.text(v.networkPolicy.kedaNamespace))], ports: [{ protocol: 'TCP', port: PORTS.kafka }] },
      ], []);
    });
    s.when(release.is('postgresql', 'bundled'), scope, 'postgresql', (inner) => {
      const clients = ['gateway', 'kafka-consumer', 'gpt-api'].map(pods);
      this.policy(inner, release, 'postgresql', { matchLabels: release.selectorLabels('postgresql') }, [
        { from: clients, ports: [{ protocol: 'TCP', port: PORTS.postgresql }] },
      ], []);
    });
  }

  private policy(scope: Construct, release: Release, component: string, podSelector: unknown, ingress: unknown[], egress: readonly Rule[]): void {
    const { s } = release;
    const policy = new ApiObject(scope, component, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: release.name(component === 'default-deny' ? 'default-deny' : `${component}`), labels: release.labels(component === 'default-deny' ? 'network' : component) },
      spec: { podSelector, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] },
    });
    // A peer list may come from the settings (Kafka and PostgreSQL by mode).
    ingress.forEach((rule, i) => s.set(policy, `/spec/ingress/${i}`, rule));
    const portsOf = (ports: Rule['ports']) =>
      // A list from the settings is used whole (its schema keeps it from being empty).
      s.isComputed(ports) ? ports : ports.map((port) => (typeof port === 'number' ? { protocol: 'TCP', port } : port));
    const asJson = (rule: Rule) => ({ to: rule.peers, ...(s.isComputed(rule.ports) || rule.ports.length !== 0 ? { ports: portsOf(rule.ports) } : {}) });
    const always = egress.filter((rule) => !rule.when).map(asJson);
    const sometimes = egress.filter((rule) => rule.when);
    if (sometimes.length === 0) always.forEach((rule, i) => s.set(policy, `/spec/egress/${i}`, rule));
    // With a rule that only holds sometimes: the whole list, of the rules that hold.
    else s.set(policy, '/spec/egress', s.concat(always, ...sometimes.map((rule) => s.choose(rule.when as Condition, [asJson(rule)], []))));
  }
}
