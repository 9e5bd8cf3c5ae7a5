import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { Release } from './context';

/** Hardened container security context for the StatefulSets of the chart. */
export function containerSecurity(user: number, options: { readonly readOnlyRootFilesystem?: boolean } = {}) {
  return {
    runAsNonRoot: true,
    runAsUser: user,
    runAsGroup: user,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: options.readOnlyRootFilesystem ?? true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function podSecurity(user: number) {
  return { runAsNonRoot: true, runAsUser: user, runAsGroup: user, fsGroup: user, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } };
}


export interface StatefulWorkloadProps {
  readonly release: Release;
  readonly component: string;
  /** The uid (and gid, fsGroup) the pod runs as. */
  readonly user: number;
  readonly containers: kplus.k8s.Container[];
  readonly volumes?: kplus.k8s.Volume[];
  /** The volume claimed per pod. */
  readonly claim: { readonly name: string; readonly size: string };
  /** @default 1 */
  readonly replicas?: number;
  /** The governing (headless) Service. @default the component's name */
  readonly serviceName?: string;
  /** @default OrderedReady */
  readonly podManagementPolicy?: 'OrderedReady' | 'Parallel';
}

/**
 * The StatefulSet shape the chart's stateful parts share (bundled Kafka and PostgreSQL,
 * Ollama): standard labels, no service account token, a hardened pod, a volume per pod,
 * the global pull policy and pull secrets.
 */
export function statefulWorkload(scope: Construct, id: string, props: StatefulWorkloadProps): kplus.k8s.KubeStatefulSet {
  const { release } = props;
  const { s, v } = release;
  const name = release.name(props.component);
  const labels = release.labels(props.component);
  const sts = new kplus.k8s.KubeStatefulSet(scope, id, {
    metadata: { name, labels },
    spec: {
      serviceName: props.serviceName ?? name,
      replicas: props.replicas ?? 1,
      ...(props.podManagementPolicy ? { podManagementPolicy: props.podManagementPolicy } : {}),
      selector: { matchLabels: release.selectorLabels(props.component) },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: podSecurity(props.user),
          containers: props.containers,
          ...(props.volumes ? { volumes: props.volumes } : {}),
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: props.claim.name, labels },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: s.union(props.claim.size, (size) => kplus.k8s.Quantity.fromString(size)) } } },
        },
      ],
    },
  });
  props.containers.forEach((_, i) => s.set(sts, `/spec/template/spec/containers/${i}/imagePullPolicy`, v.global.imagePullPolicy));
  s.setOptional(sts, '/spec/template/spec/imagePullSecrets', v.global.imagePullSecrets);
  return sts;
}
