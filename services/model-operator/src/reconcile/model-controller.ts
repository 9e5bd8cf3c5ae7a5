import type { V1EndpointSlice } from '@kubernetes/client-node';
import {
  MODELS_READY_CONDITION,
  ModelCondition,
  OLLAMA_MODEL_FINALIZER,
  type OllamaModel,
  type OllamaModelStatus,
  type ReplicaStatus,
} from '@shoshizan/shared-interfaces';
import type { Logger } from 'pino';
import type { OperatorConfig } from '../config/operator.config';
import type { Kube, ModelWatch, Watch } from '../kube/kube';
import { statusCodeOf } from '../kube/status-code';
import type { OperatorMetrics } from '../metrics/operator.metrics';
import { ReplicaClient, ReplicaError, type PullProgress } from '../ollama/replica-client';
import { manifestDigest } from '../registry/manifest-digest';
import {
  backoffMs,
  localNameOf,
  namesToRemove,
  podGates,
  replicaAction,
  replicasFromSlices,
  sameModelName,
  statusChanged,
  summarize,
  type Replica,
} from './decisions';

/** One install (pull or create) under way: a model into a replica. */
interface Install {
  readonly abort: AbortController;
  readonly generation: number | undefined;
}

/** How long a digest read from the registry is trusted before it is asked again. */
const DIGEST_TTL_MS = 30_000;
/** Attempts at removing a deleted model from a replica before the finalizer is released anyway. */
const REMOVE_ATTEMPTS = 5;

/**
 * The reconcile loop, level-triggered: every change to an OllamaModel or to the Ollama
 * replicas (and every RESYNC_SECONDS, changed or not) puts the model on a queue; one worker
 * takes models off it and, for each, compares what every replica holds with what it must
 * hold, starts the pulls that are missing (they run apart, writing progress into the
 * status at most every STATUS_INTERVAL_MS), writes the status the decisions give, and sets
 * each Ollama pod's readiness gate. A deleted model is removed from every replica before its
 * finalizer is released. Failures back off per model and replica, with an Event each.
 * Runs only while this replica of the operator holds the Lease.
 */
export class ModelController {
  private models?: ModelWatch;
  private slices?: Watch<V1EndpointSlice>;
  private readonly queue = new Set<string>();
  private working = false;
  private stopped = false;
  private synced = false;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private resyncTimer?: NodeJS.Timeout;
  private flushTimer?: NodeJS.Timeout;

  /** model name → replica id → where that replica stands. */
  private readonly replicaStates = new Map<string, Map<string, ReplicaStatus>>();
  /** `${model}\0${replica}` → the install under way. */
  private readonly installs = new Map<string, Install>();
  /** `${model}\0${replica}` → failed attempts in a row, and when the next may start. */
  private readonly failures = new Map<string, { attempts: number; notBefore: number }>();
  /** `${model}\0${replica}` → the generation a GGUF model was created for there. */
  private readonly createdFor = new Map<string, number | undefined>();
  private readonly digests = new Map<string, { reference: string; digest: string; at: number }>();
  /** The status last written per model (the watch may not have brought it back yet). */
  private readonly written = new Map<string, OllamaModelStatus>();
  private readonly dirty = new Set<string>();
  /** What each model looked like when last queued, so our own status writes queue nothing. */
  private readonly seen = new Map<string, string>();
  /** `${pod}/${uid}` → the models-ready gate last set on that pod. */
  private readonly gates = new Map<string, boolean>();
  private readonly lastEvent = new Map<string, number>();

  constructor(
    private readonly kube: Kube,
    private readonly config: OperatorConfig,
    private readonly logger: Logger,
    private readonly metrics: OperatorMetrics,
  ) {}

  /** True once both watches have listed (for /healthz). */
  get isSynced(): boolean {
    return this.synced;
  }

  async start(): Promise<void> {
    this.models = this.kube.watchModels();
    this.slices = this.kube.watchEndpointSlices(this.config.OLLAMA_SERVICE);
    const models = this.models;
    models.on('add', (m) => this.onModel(m));
    models.on('update', (m) => this.onModel(m));
    models.on('delete', (m) => this.forget(m.metadata.name));
    for (const verb of ['add', 'update', 'delete'] as const) this.slices.on(verb, () => this.enqueueAll());
    const restartLater = (name: string, watch: { start(): Promise<void> }) => (error?: unknown) => {
      this.metrics.failures.inc({ reason: 'api' });
      this.logger.warn({ err: error, watch: name }, 'a watch failed; restarting it in 5 s');
      if (!this.stopped) setTimeout(() => void watch.start().catch(() => undefined), 5_000);
    };
    models.on('error', restartLater('ollamamodels', models));
    this.slices.on('error', restartLater('endpointslices', this.slices));
    await Promise.all([models.start(), this.slices.start()]);
    this.synced = true;
    this.enqueueAll();
    this.resyncTimer = setInterval(() => {
      this.gates.clear(); // read every pod's gate again, and set it where it differs
      this.enqueueAll();
    }, this.config.RESYNC_SECONDS * 1000);
    this.flushTimer = setInterval(() => void this.flush(), this.config.STATUS_INTERVAL_MS);
  }

  /** Stops watching and cancels the installs under way (a replica's Ollama may finish them; the next leader pulls again). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.resyncTimer);
    clearInterval(this.flushTimer);
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const install of this.installs.values()) install.abort.abort();
    await Promise.allSettled([this.models?.stop(), this.slices?.stop()]);
  }

  // ---------------------------------------------------------------------- queue

  private onModel(model: OllamaModel): void {
    const { name, generation, deletionTimestamp, finalizers } = model.metadata;
    const key = JSON.stringify([generation, deletionTimestamp, finalizers]);
    if (this.seen.get(name) === key) return; // only the status changed (our own write)
    this.seen.set(name, key);
    this.enqueue(name);
  }

  private enqueueAll(): void {
    for (const model of this.models?.list(this.kube.namespace) ?? []) this.enqueue(model.metadata.name);
  }

  private enqueue(name: string): void {
    if (this.stopped) return;
    this.queue.add(name);
    void this.work();
  }

  private enqueueAfter(name: string, ms: number): void {
    if (this.stopped || this.timers.has(name)) return;
    this.timers.set(
      name,
      setTimeout(() => {
        this.timers.delete(name);
        this.enqueue(name);
      }, ms),
    );
  }

  private async work(): Promise<void> {
    if (this.working) return;
    this.working = true;
    try {
      while (!this.stopped && this.queue.size > 0) {
        const name = this.queue.values().next().value as string;
        this.queue.delete(name);
        const end = this.metrics.reconcileDuration.startTimer();
        try {
          await this.reconcile(name);
          this.metrics.reconciles.inc({ result: 'success' });
        } catch (error) {
          this.metrics.reconciles.inc({ result: 'error' });
          this.metrics.failures.inc({ reason: 'api' });
          this.logger.warn({ err: error, model: name }, 'reconcile failed; trying again');
          this.enqueueAfter(name, 5_000);
        } finally {
          end();
        }
      }
    } finally {
      this.working = false;
    }
  }

  private forget(name: string): void {
    for (const [key, install] of this.installs) if (key.startsWith(`${name}\0`)) install.abort.abort();
    this.replicaStates.delete(name);
    this.written.delete(name);
    this.seen.delete(name);
    this.digests.delete(name);
    for (const map of [this.failures, this.createdFor]) for (const key of map.keys()) if (key.startsWith(`${name}\0`)) map.delete(key);
    void this.updateGates();
  }

  // ---------------------------------------------------------------------- reconcile

  private replicas(): Replica[] {
    const replicas = replicasFromSlices(this.slices?.list(this.kube.namespace) ?? [], this.config.OLLAMA_PORT_NAME);
    this.metrics.replicas.set(replicas.length);
    return replicas;
  }

  private async reconcile(name: string): Promise<void> {
    const model = this.models?.get(name, this.kube.namespace);
    if (!model) return this.forget(name);
    const replicas = this.replicas();
    if (model.metadata.deletionTimestamp) return this.finalize(model, replicas);
    const finalizers = model.metadata.finalizers ?? [];
    if (!finalizers.includes(OLLAMA_MODEL_FINALIZER)) {
      // Nothing is pulled before the finalizer is on: a model deleted meanwhile would leave files behind.
      await this.kube.setModelFinalizers(name, [...finalizers, OLLAMA_MODEL_FINALIZER], model.metadata.resourceVersion!);
      return;
    }
    const expected = await this.expectedDigest(model);
    const states = this.statesOf(name);
    for (const id of [...states.keys()]) {
      if (replicas.some((r) => r.id === id)) continue;
      states.delete(id); // the replica is gone
      this.installs.get(`${name}\0${id}`)?.abort.abort();
    }
    await Promise.all(replicas.map((replica) => this.reconcileReplica(model, replica, expected, states)));
    this.dirty.add(name);
    await this.flush();
  }

  private async reconcileReplica(model: OllamaModel, replica: Replica, expected: string | undefined, states: Map<string, ReplicaStatus>): Promise<void> {
    const name = model.metadata.name;
    const key = `${name}\0${replica.id}`;
    const base = { pod: replica.id, address: replica.address };
    if (this.installs.has(key)) {
      const install = this.installs.get(key)!;
      if (install.generation === model.metadata.generation) return; // under way: its progress is in the state
      install.abort.abort(); // the spec changed under it
    }
    let installed;
    try {
      installed = await new ReplicaClient(replica.url, this.config.OLLAMA_TIMEOUT_MS).installed();
    } catch (error) {
      // Not answering yet (starting) or any more (stopping): wait, it is not a failure of the model.
      states.set(replica.id, { ...base, phase: 'Pending', lastError: message(error), updatedAt: now() });
      this.enqueueAfter(name, 5_000);
      return;
    }
    let action = replicaAction(model.spec.name, installed, expected, false);
    // A GGUF model has no digest to compare with: it is created again when its spec changed.
    if (action.kind === 'ready' && model.spec.source.gguf && !this.createdForCurrent(model, replica)) {
      action = { kind: 'install', reason: 'stale' };
    }
    if (action.kind === 'ready') {
      states.set(replica.id, { ...base, phase: 'Ready', digest: action.digest, updatedAt: now() });
      this.failures.delete(key);
      if (model.spec.source.gguf) this.createdFor.set(key, model.metadata.generation);
      return;
    }
    const failure = this.failures.get(key);
    if (failure && Date.now() < failure.notBefore) {
      this.enqueueAfter(name, failure.notBefore - Date.now());
      return; // its Failed state stays as it is until then
    }
    this.startInstall(model, replica, states);
  }

  /** Whether a GGUF model on this replica was made from the model's current spec. */
  private createdForCurrent(model: OllamaModel, replica: Replica): boolean {
    const key = `${model.metadata.name}\0${replica.id}`;
    if (this.createdFor.has(key)) return this.createdFor.get(key) === model.metadata.generation;
    // After a restart of the operator: the status it wrote says which generation was made.
    const status = this.written.get(model.metadata.name) ?? model.status;
    const wasReady = status?.replicaStatuses?.some((r) => r.pod === replica.id && r.phase === 'Ready') ?? false;
    const current = wasReady && status?.observedGeneration === model.metadata.generation;
    if (current) this.createdFor.set(key, model.metadata.generation);
    return current;
  }

  private async expectedDigest(model: OllamaModel): Promise<string | undefined> {
    const registry = model.spec.source.registry;
    if (!registry) return undefined;
    const name = model.metadata.name;
    const known = this.digests.get(name);
    if (known && known.reference === registry.reference && Date.now() - known.at < DIGEST_TTL_MS) return known.digest;
    try {
      const digest = await manifestDigest(registry.reference, registry.insecure ?? false, this.config.OLLAMA_TIMEOUT_MS);
      this.digests.set(name, { reference: registry.reference, digest, at: Date.now() });
      return digest;
    } catch (error) {
      this.logger.debug({ err: error, model: name }, 'the registry could not be asked for the digest');
      // Keep to what was known (the registry may be down while every replica holds the model).
      if (known?.reference === registry.reference) return known.digest;
      const status = this.written.get(name) ?? model.status;
      return status?.observedGeneration === model.metadata.generation ? status?.digest : undefined;
    }
  }

  private statesOf(name: string): Map<string, ReplicaStatus> {
    let states = this.replicaStates.get(name);
    if (!states) {
      states = new Map();
      this.replicaStates.set(name, states);
    }
    return states;
  }

  // ---------------------------------------------------------------------- installs

  private startInstall(model: OllamaModel, replica: Replica, states: Map<string, ReplicaStatus>): void {
    const name = model.metadata.name;
    const key = `${name}\0${replica.id}`;
    const install: Install = { abort: new AbortController(), generation: model.metadata.generation };
    this.installs.set(key, install);
    const base = { pod: replica.id, address: replica.address };
    states.set(replica.id, { ...base, phase: 'Pulling', updatedAt: now() });
    this.dirty.add(name);
    let counted = 0;
    const onProgress = (p: PullProgress) => {
      if (p.completedBytes > counted) this.metrics.pullBytes.inc(p.completedBytes - counted);
      counted = Math.max(counted, p.completedBytes);
      if (this.installs.get(key) !== install) return;
      states.set(replica.id, { ...base, phase: 'Pulling', completedBytes: p.completedBytes, totalBytes: p.totalBytes, updatedAt: now() });
      this.dirty.add(name);
    };
    const client = new ReplicaClient(replica.url, this.config.OLLAMA_TIMEOUT_MS);
    const endTimer = this.metrics.pullDuration.startTimer();
    this.logger.info({ model: name, replica: replica.id }, 'installing the model into a replica');
    void this.install(model, client, onProgress, install.abort.signal)
      .then(() => {
        endTimer({ result: 'success' });
        this.metrics.pulls.inc({ result: 'success' });
        this.failures.delete(key);
        if (model.spec.source.gguf) this.createdFor.set(key, model.metadata.generation);
        this.logger.info({ model: name, replica: replica.id }, 'the model is on the replica');
        void this.event(model, 'Normal', 'Pulled', `${model.spec.name} is on ${replica.id}`);
      })
      .catch((error: unknown) => {
        if (install.abort.signal.aborted) {
          endTimer({ result: 'canceled' });
          this.metrics.pulls.inc({ result: 'canceled' });
          return;
        }
        endTimer({ result: 'failure' });
        this.metrics.pulls.inc({ result: 'failure' });
        this.metrics.failures.inc({ reason: 'pull' });
        const attempts = (this.failures.get(key)?.attempts ?? 0) + 1;
        const wait = backoffMs(attempts - 1);
        this.failures.set(key, { attempts, notBefore: Date.now() + wait });
        const previous = states.get(replica.id);
        states.set(replica.id, {
          ...base,
          phase: 'Failed',
          ...(previous?.completedBytes !== undefined ? { completedBytes: previous.completedBytes, totalBytes: previous.totalBytes } : {}),
          lastError: message(error),
          updatedAt: now(),
        });
        this.dirty.add(name);
        this.logger.warn({ model: name, replica: replica.id, err: error, retryInMs: wait }, 'installing the model failed');
        void this.event(model, 'Warning', 'PullFailed', `${replica.id}: ${message(error)} (attempt ${attempts}; next in ${Math.round(wait / 1000)} s)`);
        this.enqueueAfter(name, wait);
      })
      .finally(() => {
        if (this.installs.get(key) === install) this.installs.delete(key);
        this.enqueue(name);
      });
  }

  /** Puts the model onto one replica: a registry pull (and a copy to its name), or a GGUF file and a create. */
  private async install(model: OllamaModel, client: ReplicaClient, onProgress: (p: PullProgress) => void, signal: AbortSignal): Promise<void> {
    const { registry, gguf } = model.spec.source;
    if (registry) {
      await client.pull(registry.reference, registry.insecure ?? false, onProgress, signal, this.config.PULL_STALL_SECONDS * 1000);
      const pulled = localNameOf(registry.reference);
      if (!sameModelName(pulled, model.spec.name)) await client.copy(pulled, model.spec.name);
      return;
    }
    if (!gguf) throw new ReplicaError('the model has no source');
    const digest = `sha256:${gguf.sha256}`;
    if (!(await client.hasBlob(digest))) {
      const response = await fetch(gguf.url, { signal });
      if (!response.ok || !response.body) throw new ReplicaError(`fetching ${gguf.url} failed: ${response.status}`);
      const total = Number(response.headers.get('content-length') ?? 0);
      let sent = 0;
      const counted = response.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            sent += chunk.byteLength;
            onProgress({ completedBytes: sent, totalBytes: Math.max(total, sent) });
            controller.enqueue(chunk);
          },
        }),
      );
      await client.pushBlob(digest, counted, signal);
    }
    await client.create(
      {
        model: model.spec.name,
        files: { 'model.gguf': digest },
        ...(gguf.parameters ? { parameters: gguf.parameters } : {}),
        ...(gguf.template ? { template: gguf.template } : {}),
        ...(gguf.system ? { system: gguf.system } : {}),
      },
      signal,
    );
  }

  // ---------------------------------------------------------------------- deletion

  private async finalize(model: OllamaModel, replicas: Replica[]): Promise<void> {
    const name = model.metadata.name;
    const finalizers = model.metadata.finalizers ?? [];
    if (!finalizers.includes(OLLAMA_MODEL_FINALIZER)) return;
    for (const [key, install] of this.installs) if (key.startsWith(`${name}\0`)) install.abort.abort();
    const others = this.models?.list(this.kube.namespace) ?? [];
    const names = namesToRemove(model, others);
    const states = this.statesOf(name);
    const left: string[] = [];
    await Promise.all(
      replicas.map(async (replica) => {
        const key = `${name}\0${replica.id}`;
        const client = new ReplicaClient(replica.url, this.config.OLLAMA_TIMEOUT_MS);
        try {
          for (const n of names) await client.remove(n);
          states.delete(replica.id);
        } catch (error) {
          const attempts = (this.failures.get(key)?.attempts ?? 0) + 1;
          this.failures.set(key, { attempts, notBefore: Date.now() + backoffMs(attempts - 1, 1_000) });
          this.metrics.failures.inc({ reason: 'remove' });
          states.set(replica.id, { pod: replica.id, address: replica.address, phase: 'Removing', lastError: message(error), updatedAt: now() });
          if (attempts < REMOVE_ATTEMPTS) left.push(replica.id);
          else void this.event(model, 'Warning', 'RemoveFailed', `${names.join(', ')} left on ${replica.id}: ${message(error)}`);
        }
      }),
    );
    if (left.length > 0) {
      this.dirty.add(name);
      await this.flush();
      const wait = Math.min(...left.map((id) => this.failures.get(`${name}\0${id}`)!.notBefore)) - Date.now();
      this.enqueueAfter(name, Math.max(wait, 500));
      return;
    }
    try {
      await this.kube.setModelFinalizers(name, finalizers.filter((f) => f !== OLLAMA_MODEL_FINALIZER), model.metadata.resourceVersion!);
    } catch (error) {
      if (statusCodeOf(error) === 404) return this.forget(name);
      throw error;
    }
    this.logger.info({ model: name, names, replicas: replicas.map((r) => r.id) }, 'removed the model from every replica');
    void this.event(model, 'Normal', 'Removed', `${names.join(', ')} removed from ${replicas.length} replica(s)`);
    this.forget(name);
  }

  // ---------------------------------------------------------------------- status and gates

  /** Writes the status of every model whose replicas changed (at most once per STATUS_INTERVAL_MS while pulling). */
  private async flush(): Promise<void> {
    const names = [...this.dirty];
    this.dirty.clear();
    for (const name of names) {
      const model = this.models?.get(name, this.kube.namespace);
      if (!model) continue;
      const previous = this.written.get(name) ?? model.status;
      const states = [...this.statesOf(name).values()].sort((a, b) => a.pod.localeCompare(b.pod));
      const status = summarize({ ...model, status: previous }, states, this.digests.get(name)?.digest, new Date());
      if (!statusChanged(previous, status)) continue;
      try {
        await this.kube.patchModelStatus(name, status);
        this.written.set(name, status);
        this.noteTransitions(model, previous, status);
      } catch (error) {
        if (statusCodeOf(error) === 404) continue;
        this.metrics.failures.inc({ reason: 'status' });
        this.logger.warn({ err: error, model: name }, 'writing the status failed');
        this.dirty.add(name);
      }
    }
    this.countModels();
    await this.updateGates();
  }

  private noteTransitions(model: OllamaModel, before: OllamaModelStatus | undefined, after: OllamaModelStatus): void {
    const ready = (s?: OllamaModelStatus) => s?.conditions?.find((c) => c.type === ModelCondition.Ready)?.status === 'True';
    if (!ready(before) && ready(after)) {
      this.logger.info({ model: model.metadata.name, digest: after.digest, replicas: after.replicas }, 'the model is ready');
      void this.event(model, 'Normal', 'Ready', `${model.spec.name} is on every replica (${after.replicas})`);
    }
  }

  private countModels(): void {
    const models = this.models?.list(this.kube.namespace) ?? [];
    for (const type of Object.values(ModelCondition)) {
      const count = models.filter((m) => (this.written.get(m.metadata.name) ?? m.status)?.conditions?.some((c) => c.type === type && c.status === 'True')).length;
      this.metrics.models.set({ condition: type }, count);
    }
    this.metrics.describeModels(models.map((m) => ({ ...m, status: this.written.get(m.metadata.name) ?? m.status })));
  }

  /** Sets each Ollama pod's readiness gate where it changed. */
  private async updateGates(): Promise<void> {
    const models = (this.models?.list(this.kube.namespace) ?? []).map((m) => ({ ...m, status: this.written.get(m.metadata.name) ?? m.status }));
    const replicas = this.replicas();
    // What each pod's gate is now: as last set here, else as the API server has it.
    const open = new Set<string>();
    const keyOf = new Map(replicas.filter((r) => r.pod).map((r) => [r.pod!, `${r.pod}/${r.podUid ?? ''}`]));
    for (const replica of replicas) {
      if (!replica.pod) continue;
      let known = this.gates.get(keyOf.get(replica.pod)!);
      if (known === undefined) {
        try {
          known = (await this.kube.podCondition(replica.pod, MODELS_READY_CONDITION)) === 'True';
        } catch {
          known = false; // no pod object (outside a cluster), or not readable now
        }
      }
      if (known) open.add(replica.pod);
    }
    for (const [pod, ready] of podGates(models, replicas, open)) {
      const key = keyOf.get(pod)!;
      if (this.gates.get(key) === ready) continue;
      try {
        await this.kube.setPodCondition(
          pod,
          MODELS_READY_CONDITION,
          ready,
          ready ? 'ModelsPresent' : 'ModelsMissing',
          ready ? 'holds the OllamaModels it must' : 'an OllamaModel it must hold is not on this pod yet',
        );
        this.gates.set(key, ready);
        this.logger.info({ pod, ready }, "set the pod's models-ready gate");
      } catch (error) {
        if (statusCodeOf(error) === 404) {
          this.gates.set(key, ready); // an endpoint with no pod object (outside a cluster)
          continue;
        }
        this.metrics.failures.inc({ reason: 'api' });
        this.logger.warn({ err: error, pod }, "setting the pod's models-ready gate failed");
      }
    }
  }

  /** An Event on the model; the same reason at most once a minute per model, so a failing pull does not flood. */
  private async event(model: OllamaModel, type: 'Normal' | 'Warning', reason: string, text: string): Promise<void> {
    const key = `${model.metadata.name}\0${reason}\0${type === 'Normal' ? text : ''}`;
    const last = this.lastEvent.get(key) ?? 0;
    if (type === 'Warning' && Date.now() - last < 60_000) return;
    this.lastEvent.set(key, Date.now());
    try {
      await this.kube.modelEvent(model, type, reason, text, this.config.POD_NAME);
    } catch (error) {
      this.logger.debug({ err: error }, 'an Event could not be written');
    }
  }
}

function now(): string {
  return new Date().toISOString();
}

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}
