import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PORTS, secretEnv, type Release } from './context';
import { containerSecurity, statefulWorkload } from './stateful';

export interface PostgresqlProps {
  readonly release: Release;
}

/**
 * PostgreSQL for development (`postgresql.mode: bundled`): one StatefulSet whose password
 * comes from `postgresql.existingSecret` (key `password`). In production
 * (`external`) nothing is created here and the services read `database-url` from that Secret.
 */
export class Postgresql extends Construct {
  constructor(scope: Construct, id: string, { release }: PostgresqlProps) {
    super(scope, id);
    const { s } = release;
    s.when(release.is('postgresql', 'bundled'), this, 'bundled', (inner) => Postgresql.bundled(inner, release));
  }

  private static bundled(scope: Construct, release: Release): void {
    const { s, v } = release;
    const name = release.name('postgresql');
    const labels = release.labels('postgresql');
    const selector = release.selectorLabels('postgresql');
    new kplus.k8s.KubeService(scope, 'service', {
      metadata: { name, labels },
      // Headless: one pod, addressed by its StatefulSet name.
      spec: { clusterIp: 'None', selector, ports: [{ name: 'postgresql', port: PORTS.postgresql, targetPort: kplus.k8s.IntOrString.fromNumber(PORTS.postgresql) }] },
    });
    const ready = ['/bin/sh', '-c', 'pg_isready -U shoshizan -d shoshizan -h 127.0.0.1'];
    const sts = statefulWorkload(scope, 'statefulset', {
      release,
      component: 'postgresql',
      user: 999,
      claim: { name: 'data', size: s.text(v.postgresql.bundled.storage) },
      containers: [
        {
          name: 'postgresql',
          image: s.text(v.postgresql.bundled.image),
          env: [
            { name: 'POSTGRES_USER', value: 'shoshizan' },
            { name: 'POSTGRES_DB', value: 'shoshizan' },
            secretEnv('POSTGRES_PASSWORD', s.text(v.postgresql.existingSecret), 'password'),
            { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
          ],
          ports: [{ name: 'postgresql', containerPort: PORTS.postgresql }],
          securityContext: containerSecurity(999),
          volumeMounts: [
            { name: 'data', mountPath: '/var/lib/postgresql/data' },
            { name: 'run', mountPath: '/var/run/postgresql' },
            { name: 'tmp', mountPath: '/tmp' },
          ],
          readinessProbe: { exec: { command: ready }, periodSeconds: 5, failureThreshold: 3 },
          livenessProbe: { tcpSocket: { port: kplus.k8s.IntOrString.fromString('postgresql') }, initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 6 },
        },
      ],
      volumes: [
        { name: 'run', emptyDir: {} },
        { name: 'tmp', emptyDir: {} },
      ],
    });
    s.set(sts, '/spec/template/spec/containers/0/resources', v.postgresql.bundled.resources);
  }
}
