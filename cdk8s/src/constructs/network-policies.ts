import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { METRICS_PORTS, PORTS, type Release } from './context';

export interface NetworkPoliciesProps {
  readonly release: Release;
}

type Peer = Record<string, unknown>;
interface Rule {
  readonly peers: readonly Peer[] | Peer[];
  readonly ports: readonly number[];
}

/**
 * Default deny for every pod of the release, then one policy per component allowing only the
 * flows of the architecture: browser -> ingress -> gateway/UI; gateway -> kafka-producer,
 * gpt-api, Kafka, PostgreSQL; kafka-consumer -> Kafka, gpt-api, PostgreSQL; gpt-api ->
 * Ollama, PostgreSQL; Ollama -> HTTPS (model pulls); Prometheus -> each service's metrics
 * port, and nothing else of it (its API port serves no metrics); KEDA -> Kafka.
 * External Kafka or PostgreSQL are reached on any address (their addresses are not known here).
 */
export class NetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(scope, id);
    const { release } = props;
    const { s, v } = release;
    s.when(s.flag(v.networkPolicy.enabled), this, 'enabled', (inner) => this.build(inner, release));
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
    const prometheus = [namespace(v.networkPolicy.monitoringNamespace)];
    const fromIngress: Rule = { peers: [namespace(v.networkPolicy.ingressNamespace)], ports: [] };
    const dns = [
      {
        to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ];

    // Everything of this release: no traffic in or out but DNS, unless a policy below allows it.
    const all = { matchLabels: { 'app.kubernetes.io/instance': release.s.releaseName, 'app.kubernetes.io/name': 'shoshizan' } };
    this.policy(scope, release, 'default-deny', all, [], dns);

    // `from` reaches `port`; the monitoring namespace reaches `metricsPort` alone.
    const policies: Record<string, { port: number; metricsPort?: number; from: Rule[]; to: Rule[] }> = {
      gateway: {
        port: PORTS.gateway,
        metricsPort: METRICS_PORTS.gateway,
        // `helm test` asks the gateway's readiness route.
        from: [fromIngress, { peers: [pods('helm-test')], ports: [] }],
        to: [
          { peers: [pods('kafka-producer')], ports: [PORTS.kafkaProducer] },
          { peers: [pods('gpt-api')], ports: [PORTS.gptApi] },
          { peers: [pods('kafka-consumer')], ports: [PORTS.kafkaConsumer] },
          kafka,
          postgres,
        ],
      },
      'kafka-producer': { port: PORTS.kafkaProducer, metricsPort: METRICS_PORTS.kafkaProducer, from: [{ peers: [pods('gateway')], ports: [] }], to: [kafka] },
      // The gateway's status page asks the workers' health.
      'kafka-consumer': {
        port: PORTS.kafkaConsumer,
        metricsPort: METRICS_PORTS.kafkaConsumer,
        from: [{ peers: [pods('gateway')], ports: [] }],
        to: [kafka, { peers: [pods('gpt-api')], ports: [PORTS.gptApi] }, postgres],
      },
      'gpt-api': {
        port: PORTS.gptApi,
        metricsPort: METRICS_PORTS.gptApi,
        from: [{ peers: [pods('gateway'), pods('kafka-consumer')], ports: [] }],
        to: [{ peers: [pods('ollama')], ports: [PORTS.ollama] }, postgres],
      },
      ui: { port: PORTS.ui, from: [fromIngress], to: [] },
      // The `helm test` pod (chart only) asks the gateway.
      'helm-test': { port: PORTS.gateway, from: [], to: [{ peers: [pods('gateway')], ports: [PORTS.gateway] }] },
      ollama: { port: PORTS.ollama, from: [{ peers: [pods('gpt-api')], ports: [] }], to: [{ peers: [anywhere], ports: [443] }] },
    };
    for (const [component, p] of Object.entries(policies)) {
      this.policy(
        scope,
        release,
        component,
        { matchLabels: release.selectorLabels(component) },
        [
          ...p.from.map((rule) => ({ from: rule.peers, ports: [{ protocol: 'TCP', port: p.port }] })),
          ...(p.metricsPort !== undefined ? [{ from: prometheus, ports: [{ protocol: 'TCP', port: p.metricsPort }] }] : []),
        ],
        p.to.map((rule) => ({ to: rule.peers, ...(rule.ports.length > 0 ? { ports: rule.ports.map((port) => ({ protocol: 'TCP', port })) } : {}) })),
      );
    }
    s.when(release.is('kafka', 'bundled'), scope, 'kafka', (inner) => {
      const clients = ['gateway', 'kafka-producer', 'kafka-consumer'].map(pods);
      this.policy(inner, release, 'kafka', { matchLabels: release.selectorLabels('kafka') }, [
        { from: [...clients, namespace(v.networkPolicy.kedaNamespace)], ports: [{ protocol: 'TCP', port: PORTS.kafka }] },
      ], []);
    });
    s.when(release.is('postgresql', 'bundled'), scope, 'postgresql', (inner) => {
      const clients = ['gateway', 'kafka-consumer', 'gpt-api'].map(pods);
      this.policy(inner, release, 'postgresql', { matchLabels: release.selectorLabels('postgresql') }, [
        { from: clients, ports: [{ protocol: 'TCP', port: PORTS.postgresql }] },
      ], []);
    });
  }

  private policy(scope: Construct, release: Release, component: string, podSelector: unknown, ingress: unknown[], egress: unknown[]): void {
    const { s } = release;
    const policy = new ApiObject(scope, component, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: release.name(component === 'default-deny' ? 'default-deny' : `${component}`), labels: release.labels(component === 'default-deny' ? 'network' : component) },
      spec: { podSelector, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] },
    });
    // A peer list may come from the settings (Kafka and PostgreSQL by mode).
    ingress.forEach((rule, i) => s.set(policy, `/spec/ingress/${i}`, rule));
    egress.forEach((rule, i) => s.set(policy, `/spec/egress/${i}`, rule));
  }
}
