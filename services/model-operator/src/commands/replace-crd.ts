import { readFileSync } from 'node:fs';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { statusCodeOf } from '../kube/status-code';

interface Crd {
  metadata: { name: string; labels?: Record<string, string>; resourceVersion?: string };
  spec: unknown;
}

/**
 * Replaces the live CustomResourceDefinition's spec (and adds its labels) by the one in
 * `file` (the chart's, from a hook ConfigMap): Helm creates the CRD from the chart's crds/
 * at an install that finds none but never updates it, so the chart's pre-upgrade hook runs
 * this. A replace with the resourceVersion read, not a merge, so that what the new version
 * drops goes too; a concurrent change fails it with 409 (and the Job tries again).
 * Returns the exit code.
 */
export async function replaceCrd(config: KubeConfig, file: string, logger: Logger): Promise<number> {
  const desired = JSON.parse(readFileSync(file, 'utf8')) as Crd;
  const name = desired.metadata.name;
  // Through the custom-objects client, which sends and returns the JSON as it is: the typed
  // CRD client would drop what its model does not name in wire form (x-kubernetes-validations).
  const api = config.makeApiClient(CustomObjectsApi);
  const at = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', name };
  let live: Crd;
  try {
    live = (await api.getClusterCustomObject(at)) as Crd;
  } catch (error) {
    if (statusCodeOf(error) !== 404) throw error;
    logger.error({ crd: name }, "the CRD does not exist: Helm creates it from the chart's crds/ at install (unless --skip-crds); create it with kubectl apply --server-side -f crds/");
    return 1;
  }
  await api.replaceClusterCustomObject({
    ...at,
    body: { ...live, metadata: { ...live.metadata, labels: { ...live.metadata.labels, ...desired.metadata.labels } }, spec: desired.spec },
  });
  logger.info({ crd: name }, 'the spec of this chart is in place');
  return 0;
}
