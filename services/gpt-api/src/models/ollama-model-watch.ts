import { Logger } from '@nestjs/common';
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { OLLAMA_MODEL, type OllamaModel } from '@shoshizan/shared-interfaces';

/** What KubernetesModelsService needs of the OllamaModels; unit tests give a fake. */
export interface ModelWatch {
  /** Begins listing and watching; resolves at once, without waiting for the first list. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The OllamaModels as last seen (kept through a watch outage); empty before the first list. */
  models(): readonly OllamaModel[];
  /** True once the first list has arrived (and from then on). */
  readonly hasSynced: boolean;
  /** Resolves true once the first list has arrived, false if `timeoutMs` passes first. */
  whenSynced(timeoutMs: number): Promise<boolean>;
}

export interface OllamaModelWatchOptions {
  /** How long to wait before listing and watching again after an error, in ms. */
  readonly restartDelayMs?: number;
}

/**
 * Lists, then watches, the OllamaModels of one namespace through an informer, which
 * reconnects by itself after a watch closes; after an error (the API server unreachable,
 * a forbidden list) it stops, and this starts it again after `restartDelayMs`.
 *
 * @kubernetes/client-node is an ES module, loaded only here and only when started, so that
 * local mode and the unit tests never load it.
 */
export class OllamaModelWatch implements ModelWatch {
  private readonly logger = new Logger(OllamaModelWatch.name);
  private readonly byName = new Map<string, OllamaModel>();
  private readonly syncWaiters = new Set<() => void>();
  private informer?: { start(): Promise<void>; stop(): Promise<void> };
  private restartTimer?: NodeJS.Timeout;
  private stopped = false;
  private synced = false;

  constructor(
    private readonly kubeConfig: KubeConfig,
    readonly namespace: string,
    private readonly options: OllamaModelWatchOptions = {},
  ) {}

  /** A watch with the pod's service account in a cluster, else $KUBECONFIG or ~/.kube/config. */
  static async fromDefault(namespace: string, options?: OllamaModelWatchOptions): Promise<OllamaModelWatch> {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromDefault();
    return new OllamaModelWatch(kubeConfig, namespace, options);
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  models(): readonly OllamaModel[] {
    return [...this.byName.values()];
  }

  whenSynced(timeoutMs: number): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.syncWaiters.delete(done);
        resolve(this.synced);
      };
      const timer = setTimeout(done, timeoutMs);
      this.syncWaiters.add(done);
    });
  }

  async start(): Promise<void> {
    if (this.informer) return;
    this.stopped = false;
    const k8s = await import('@kubernetes/client-node');
    if (this.stopped || this.informer) return; // stopped, or started twice, meanwhile
    const { group, version, plural } = OLLAMA_MODEL;
    const namespace = this.namespace;
    const api = this.kubeConfig.makeApiClient(k8s.CustomObjectsApi);
    // The informer keeps its own copy; this one is replaced whole by each list, so that
    // `synced` and the models change together.
    const list = async (): Promise<KubernetesListObject<KubernetesObject>> => {
      const answer = (await api.listNamespacedCustomObject({ group, version, namespace, plural })) as KubernetesListObject<KubernetesObject>;
      this.replaceAll(answer.items as unknown as OllamaModel[]);
      return answer;
    };
    const path = `/apis/${group}/${version}/namespaces/${encodeURIComponent(namespace)}/${plural}`;
    const informer = k8s.makeInformer(this.kubeConfig, path, list);
    const put = (object: KubernetesObject) => {
      const model = object as unknown as OllamaModel;
      this.byName.set(model.metadata.name, model);
    };
    informer.on(k8s.ADD, put);
    informer.on(k8s.UPDATE, put);
    informer.on(k8s.DELETE, (object) => this.byName.delete(object.metadata?.name ?? ''));
    informer.on(k8s.ERROR, (error) => this.restartLater(error));
    this.informer = informer;
    this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.informer?.stop();
    this.informer = undefined;
  }

  private run(): void {
    this.informer?.start().catch((error: unknown) => this.restartLater(error));
  }

  private restartLater(error: unknown): void {
    if (this.stopped) return; // stopping aborts the watch, which reports an error
    const delayMs = this.options.restartDelayMs ?? 5000;
    this.logger.warn({ err: error, namespace: this.namespace, delayMs }, 'Listing or watching the OllamaModels failed; retrying');
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => this.run(), delayMs);
  }

  private replaceAll(models: readonly OllamaModel[]): void {
    this.byName.clear();
    for (const m of models) this.byName.set(m.metadata.name, m);
    if (!this.synced) {
      this.synced = true;
      this.logger.log({ namespace: this.namespace, models: models.map((m) => m.metadata.name) }, 'Listed the OllamaModels');
      for (const done of [...this.syncWaiters]) done();
    }
  }
}
