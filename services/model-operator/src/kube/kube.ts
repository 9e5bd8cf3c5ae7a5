import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  KubeConfig,
  PatchStrategy,
  makeInformer,
  setHeaderOptions,
  type Informer,
  type KubernetesObject,
  type ObjectCache,
  type V1EndpointSlice,
  type V1Lease,
} from '@kubernetes/client-node';
import { statusCodeOf } from './status-code';
import { OLLAMA_MODEL, type OllamaModel, type OllamaModelStatus } from '@shoshizan/shared-interfaces';

/** A watch on one kind: the cache the informer keeps, started and stopped as one. */
export type Watch<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

/**
 * The watch on OllamaModels, typed as they arrive: custom objects come as plain JSON (their
 * timestamps are strings, not the Dates of the built-in kinds' types).
 */
export interface ModelWatch {
  on(verb: 'add' | 'update' | 'delete', callback: (model: OllamaModel) => void): void;
  on(verb: 'error', callback: (error?: unknown) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  list(namespace?: string): OllamaModel[];
  get(name: string, namespace?: string): OllamaModel | undefined;
}

/** Who Events say they come from. */
const EVENT_SOURCE = 'shoshizan-model-operator';


/**
 * Every call the operator makes to the API server, in one place: the watches it keeps and
 * the few writes it does (a model's status and finalizers, a pod's readiness condition, the
 * Lease, Events). Nothing else in the operator imports the client.
 */
export class Kube {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly discovery: DiscoveryV1Api;
  private readonly coordination: CoordinationV1Api;

  constructor(
    readonly config: KubeConfig,
    readonly namespace: string,
  ) {
    this.custom = config.makeApiClient(CustomObjectsApi);
    this.core = config.makeApiClient(CoreV1Api);
    this.discovery = config.makeApiClient(DiscoveryV1Api);
    this.coordination = config.makeApiClient(CoordinationV1Api);
  }

  /** From the pod's service account in a cluster, else $KUBECONFIG or ~/.kube/config. */
  static fromDefault(namespace: string): Kube {
    const config = new KubeConfig();
    config.loadFromDefault();
    return new Kube(config, namespace);
  }

  // ---------------------------------------------------------------------- watches

  watchModels(labelSelector?: string): ModelWatch {
    const { group, version, plural } = OLLAMA_MODEL;
    const path = `/apis/${group}/${version}/namespaces/${this.namespace}/${plural}`;
    return makeInformer(
      this.config,
      path,
      () => this.custom.listNamespacedCustomObject({ group, version, namespace: this.namespace, plural, labelSelector }),
      labelSelector,
    ) as unknown as ModelWatch;
  }

  /** The EndpointSlices of one Service (the Ollama headless Service). */
  watchEndpointSlices(service: string): Watch<V1EndpointSlice> {
    const labelSelector = `kubernetes.io/service-name=${service}`;
    return makeInformer(
      this.config,
      `/apis/discovery.k8s.io/v1/namespaces/${this.namespace}/endpointslices`,
      () => this.discovery.listNamespacedEndpointSlice({ namespace: this.namespace, labelSelector }),
      labelSelector,
    );
  }

  async listModels(labelSelector?: string): Promise<OllamaModel[]> {
    const { group, version, plural } = OLLAMA_MODEL;
    const list = (await this.custom.listNamespacedCustomObject({ group, version, namespace: this.namespace, plural, labelSelector })) as {
      items: OllamaModel[];
    };
    return list.items;
  }

  // ---------------------------------------------------------------------- models

  /** Writes a model's status (the status subresource; a merge patch, so no conflict with spec edits). */
  async patchModelStatus(name: string, status: OllamaModelStatus): Promise<void> {
    const { group, version, plural } = OLLAMA_MODEL;
    // replaceStatuses is written whole: a merge patch replaces arrays.
    await this.custom.patchNamespacedCustomObjectStatus(
      { group, version, namespace: this.namespace, plural, name, body: { status } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  /**
   * Sets a model's finalizers, only if the object is still at `resourceVersion` (a merge
   * patch carrying it: the API server refuses it with 409 if the object changed meanwhile).
   */
  async setModelFinalizers(name: string, finalizers: string[], resourceVersion: string): Promise<void> {
    const { group, version, plural } = OLLAMA_MODEL;
    await this.custom.patchNamespacedCustomObject(
      { group, version, namespace: this.namespace, plural, name, body: { metadata: { finalizers, resourceVersion } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  async deleteModel(name: string): Promise<void> {
    const { group, version, plural } = OLLAMA_MODEL;
    await this.custom.deleteNamespacedCustomObject({ group, version, namespace: this.namespace, plural, name });
  }

  // ---------------------------------------------------------------------- pods

  /** Sets one condition of a pod's status (a strategic merge patch: conditions merge by type). */
  async setPodCondition(pod: string, type: string, ready: boolean, reason: string, message: string): Promise<void> {
    const condition = { type, status: ready ? 'True' : 'False', reason, message, lastTransitionTime: new Date().toISOString() };
    await this.core.patchNamespacedPodStatus(
      { name: pod, namespace: this.namespace, body: { status: { conditions: [condition] } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
  }

  /** A pod's condition of this type, as the API server has it ('True', 'False' or undefined). */
  async podCondition(pod: string, type: string): Promise<string | undefined> {
    const found = await this.core.readNamespacedPodStatus({ name: pod, namespace: this.namespace });
    return found.status?.conditions?.find((c) => c.type === type)?.status;
  }

  // ---------------------------------------------------------------------- lease

  async readLease(name: string): Promise<V1Lease | undefined> {
    try {
      return await this.coordination.readNamespacedLease({ name, namespace: this.namespace });
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Creates the Lease; 409 if another replica created it first. */
  createLease(lease: V1Lease): Promise<V1Lease> {
    return this.coordination.createNamespacedLease({ namespace: this.namespace, body: lease });
  }

  /** Replaces the Lease; 409 if it changed since it was read (its resourceVersion). */
  replaceLease(lease: V1Lease): Promise<V1Lease> {
    return this.coordination.replaceNamespacedLease({ name: lease.metadata!.name!, namespace: this.namespace, body: lease });
  }

  // ---------------------------------------------------------------------- events

  /** An Event on a model (what `kubectl describe ollamamodel` shows). */
  async modelEvent(model: OllamaModel, type: 'Normal' | 'Warning', reason: string, message: string, instance: string): Promise<void> {
    const now = new Date();
    await this.core.createNamespacedEvent({
      namespace: this.namespace,
      body: {
        metadata: { generateName: `${model.metadata.name}.`, namespace: this.namespace },
        involvedObject: {
          apiVersion: model.apiVersion,
          kind: model.kind,
          name: model.metadata.name,
          namespace: this.namespace,
          uid: model.metadata.uid,
          resourceVersion: model.metadata.resourceVersion,
        },
        type,
        reason,
        message: message.slice(0, 1024),
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        source: { component: EVENT_SOURCE },
        reportingComponent: EVENT_SOURCE,
        reportingInstance: instance,
      },
    });
  }
}
