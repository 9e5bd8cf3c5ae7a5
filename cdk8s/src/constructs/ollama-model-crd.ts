import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ollamaModelCrd } from '@shoshizan/shared-interfaces';
import type { Release } from './context';

export interface OllamaModelCrdProps {
  readonly release: Release;
}

/**
 * The OllamaModel CustomResourceDefinition as the chart ships it: ollamaModelCrd() (generated
 * from the zod schemas in shared-interfaces/src/kubernetes/) with the chart's labels, but no
 * release's: the CRD is cluster-wide, shared by every release, and outlives each of them.
 */
export function ollamaModelCrdManifest(): ReturnType<typeof ollamaModelCrd> & { metadata: { labels: Record<string, string> } } {
  const crd = ollamaModelCrd();
  return { ...crd, metadata: { ...crd.metadata, labels: { 'app.kubernetes.io/name': 'shoshizan', 'app.kubernetes.io/part-of': 'shoshizan' } } };
}

/**
 * How the OllamaModel CRD gets to the cluster, and stays up to date.
 *
 * Helm cannot install a CRD from templates/ and objects of its kind (the OllamaModels of
 * `ollama.models`) in one release: it maps every object of the manifest to an API before it
 * creates any, and fails with "no matches for kind OllamaModel ... ensure CRDs are installed
 * first". Its crds/ directory is the one thing it installs before that mapping; but it adds
 * a CRD there only when missing, never updates nor deletes it. So:
 * - chart: the chart writer (../chart/write-chart.ts) puts the CRD in charts/shoshizan/crds/;
 *   Helm creates it at an install that finds none, and an uninstall leaves it (and every
 *   OllamaModel of every namespace). With `modelOperator.installCRD` (and the operator on), a
 *   Job of this release, a pre-install and pre-upgrade hook, replaces the live CRD's spec by
 *   the chart's (the same object, from a hook ConfigMap), with a ClusterRole allowed to read
 *   and update that one CRD and nothing else. A second release in another namespace sets
 *   installCRD false, so that one release decides the CRD's version.
 * - plain synth: the CRD object itself, first, when `modelOperator.installCRD`.
 */
export class OllamaModelCrd extends Construct {
  constructor(scope: Construct, id: string, { release }: OllamaModelCrdProps) {
    super(scope, id);
    const { s, v } = release;
    const installCRD = v.modelOperator.installCRD;
    if (s.mode === 'plain') {
      s.when(installCRD, this, 'crd', (inner) => new ApiObject(inner, 'crd', ollamaModelCrdManifest()));
      return;
    }
    s.when(release.modelOperator, this, 'operator', (operator) => s.when(installCRD, operator, 'upgrade', (inner) => this.upgradeJob(inner, release)));
  }

  /** The hook that replaces the live CRD's spec by the chart's (chart only). */
  private upgradeJob(scope: Construct, release: Release): void {
    const { s, v } = release;
    const component = 'ollamamodel-crd';
    const name = release.name(component);
    // Cluster-scoped names hold the namespace too: releases of one name in two namespaces.
    const clusterName = s.format`${s.namespace}-${name}`;
    const labels = release.labels(component);
    const crd = ollamaModelCrdManifest();
    // Created in weight order before the Job, deleted once it succeeded.
    const hook = (weight: number) => ({
      'helm.sh/hook': 'pre-install,pre-upgrade',
      'helm.sh/hook-weight': String(weight),
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
    new ApiObject(scope, 'config', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, labels, annotations: hook(-10) },
      data: { 'crd.json': JSON.stringify(crd) },
    });
    new ApiObject(scope, 'service-account', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name, labels, annotations: hook(-10) },
      automountServiceAccountToken: false,
    });
    new ApiObject(scope, 'cluster-role', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: clusterName, labels, annotations: hook(-10) },
      rules: [{ apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], resourceNames: [crd.metadata.name], verbs: ['get', 'update'] }],
    });
    new ApiObject(scope, 'cluster-role-binding', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: clusterName, labels, annotations: hook(-10) },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterName },
      subjects: [{ kind: 'ServiceAccount', name, namespace: s.namespace }],
    });
    const job = new ApiObject(scope, 'job', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, labels, annotations: hook(0) },
      spec: {
        backoffLimit: 3,
        activeDeadlineSeconds: 120,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: 'Never',
            serviceAccountName: name,
            automountServiceAccountToken: true,
            securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'replace-crd',
                // The operator's own command (services/model-operator/src/commands/replace-crd.ts).
                image: release.image('model-operator', v.modelOperator.image),
                command: ['node', 'services/model-operator/dist/main.js', 'replace-crd'],
                env: [{ name: 'CRD_FILE', value: '/crd/crd.json' }],
                volumeMounts: [{ name: 'crd', mountPath: '/crd', readOnly: true }],
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
              },
            ],
            volumes: [{ name: 'crd', configMap: { name } }],
          },
        },
      },
    });
    s.set(job, '/spec/template/spec/containers/0/imagePullPolicy', v.global.imagePullPolicy);
    s.setOptional(job, '/spec/template/spec/imagePullSecrets', v.global.imagePullSecrets);
  }
}
