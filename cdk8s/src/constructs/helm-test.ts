import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { PORTS, type Release } from './context';

export interface HelmTestProps {
  readonly release: Release;
}

/**
 * `helm test`: a pod that asks the gateway's readiness route (PostgreSQL, Kafka,
 * kafka-producer, gpt-api and the response stream all up). It runs the gateway image's
 * Node.js, so it needs no image of its own. Only in the chart.
 */
export class HelmTest extends Construct {
  constructor(scope: Construct, id: string, { release }: HelmTestProps) {
    super(scope, id);
    const { s, v } = release;
    const url = s.format`${release.url('gateway', PORTS.gateway)}/health/ready`;
    const check = `fetch(process.argv[1]).then(async (r) => { console.log(r.status, await r.text()); process.exit(r.ok ? 0 : 1); }, (e) => { console.error(e.message); process.exit(1); })`;
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
            command: ['node', '-e', check, url],
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
