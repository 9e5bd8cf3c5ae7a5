import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { PORTS, type Release } from './context';

/** The services `helm test` asks, with their API ports; network-policies.ts lets it reach each. */
export const HELM_TEST_TARGETS = [
  ['gateway', PORTS.gateway],
  ['kafka-producer', PORTS.kafkaProducer],
  ['kafka-consumer', PORTS.kafkaConsumer],
  ['gpt-api', PORTS.gptApi],
] as const;

export interface HelmTestProps {
  readonly release: Release;
}

/**
 * `helm test`: a pod that asks the readiness route of every service through its Service (the
 * gateway: PostgreSQL, Kafka and its response stream; kafka-producer: Kafka; kafka-consumer:
 * Kafka, PostgreSQL, gpt-api; gpt-api: PostgreSQL, Ollama, the models), and fails when one is
 * not ready, printing each answer. Each is asked, not only the gateway, since the gateway's
 * readiness does not cover the services it calls. It runs the gateway image's Node.js, so it
 * needs no image of its own. Only in the chart.
 */
export class HelmTest extends Construct {
  constructor(scope: Construct, id: string, { release }: HelmTestProps) {
    super(scope, id);
    const { s, v } = release;
    const urls = HELM_TEST_TARGETS.map(([component, port]) => s.format`${release.url(component, port)}/health/ready`);
    // Every answer printed, then the exit code: 1 when any service was not ready or unreachable.
    const check = `Promise.all(process.argv.slice(1).map((u) => fetch(u).then(async (r) => { console.log(u, r.status, await r.text()); return r.ok; }, (e) => { console.error(u, e.message); return false; }))).then((ok) => process.exit(ok.every(Boolean) ? 0 : 1))`;
    const pod = new ApiObject(this, 'pod', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: release.name('test-connection'),
        labels: release.labels('helm-test'),
        annotations: { 'helm.sh/hook': 'test', 'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded' },
      },
      spec: {
        restartPolicy: 'Never',
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'check',
            image: release.image('gateway', v.gateway.image),
            command: ['node', '-e', check, ...urls],
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
          },
        ],
      },
    });
    s.set(pod, '/spec/containers/0/imagePullPolicy', v.global.imagePullPolicy);
    s.setOptional(pod, '/spec/imagePullSecrets', v.global.imagePullSecrets);
  }
}
