/**
 * The model operator's decisions, as pure functions (no I/O, no clock but the one passed
 * in), each unit-tested in milliseconds: which replicas there are, what one replica must do
 * for one model, what the model's status says, which pods may take traffic, what a deleted
 * model removes, and how long to back off.
 */
import {
  ModelCondition,
  type Condition,
  type OllamaModel,
  type OllamaModelStatus,
  type ReplicaStatus,
} from '@shoshizan/shared-interfaces';

// ---------------------------------------------------------------------------- replicas

/** One Ollama replica, as an EndpointSlice of the Ollama headless Service names it. */
export interface Replica {
  /** The pod's name, or the address when the endpoint names no pod. Status entries use it. */
  readonly id: string;
  /** The pod behind the endpoint, whose readiness gate the operator sets. */
  readonly pod?: string;
  /** That pod's uid: a pod replaced under the same name (a StatefulSet's) is another pod. */
  readonly podUid?: string;
  readonly address: string;
  readonly url: string;
}

/** The parts of a discovery.k8s.io/v1 EndpointSlice read here. */
export interface EndpointSliceLike {
  readonly addressType?: string;
  readonly ports?: ReadonlyArray<{ readonly name?: string | null; readonly port?: number | null }> | null;
  readonly endpoints?: ReadonlyArray<{
    readonly addresses?: readonly string[];
    readonly conditions?: { readonly terminating?: boolean | null } | null;
    readonly targetRef?: { readonly kind?: string; readonly name?: string; readonly uid?: string } | null;
  }> | null;
}

/**
 * The replicas behind a Service's EndpointSlices: every endpoint that is not terminating
 * (ready or not: the headless Service publishes pods before they are ready, and a pod that
 * is not ready yet is exactly one that needs its models), at the port named `portName`
 * (else the slice's only port). Sorted by id; one entry per id.
 */
export function replicasFromSlices(slices: readonly EndpointSliceLike[], portName: string): Replica[] {
  const byId = new Map<string, Replica>();
  for (const slice of slices) {
    const ports = slice.ports ?? [];
    const port = ports.find((p) => p.name === portName)?.port ?? (ports.length === 1 ? ports[0]?.port : undefined);
    if (!port) continue;
    for (const endpoint of slice.endpoints ?? []) {
      if (endpoint.conditions?.terminating) continue;
      const address = endpoint.addresses?.[0];
      if (!address) continue;
      const pod = endpoint.targetRef?.kind === 'Pod' ? endpoint.targetRef.name : undefined;
      const podUid = pod ? endpoint.targetRef?.uid : undefined;
      const host = slice.addressType === 'IPv6' ? `[${address}]` : address;
      const id = pod ?? `${address}:${port}`;
      byId.set(id, { id, ...(pod ? { pod } : {}), ...(podUid ? { podUid } : {}), address: `${address}:${port}`, url: `http://${host}:${port}` });
    }
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}

// ---------------------------------------------------------------------------- names

/** A registry reference taken apart. */
export interface ParsedReference {
  /** The registry host (with port); `registry.ollama.ai` when the reference names none. */
  readonly host: string;
  readonly namespace: string;
  readonly repository: string;
  readonly tag: string;
  /** Whether the reference named its host. */
  readonly explicitHost: boolean;
}

export const DEFAULT_REGISTRY = 'registry.ollama.ai';

export function parseReference(reference: string): ParsedReference {
  const [path, tag] = splitTag(reference);
  const parts = path.split('/');
  const explicitHost = parts.length === 3;
  const host = explicitHost ? parts[0] : DEFAULT_REGISTRY;
  const [namespace = '', repository = ''] = explicitHost ? parts.slice(1) : parts;
  return { host: host ?? DEFAULT_REGISTRY, namespace, repository, tag, explicitHost };
}

function splitTag(reference: string): [string, string] {
  const colon = reference.lastIndexOf(':');
  const slash = reference.lastIndexOf('/');
  return colon > slash ? [reference.slice(0, colon), reference.slice(colon + 1)] : [reference, 'latest'];
}

/**
 * The name Ollama lists a pulled reference under: its short form (`llama3.2:1b`) for
 * Ollama's own registry and library namespace, else the reference as written.
 */
export function localNameOf(reference: string): string {
  const r = parseReference(reference);
  if (r.host !== DEFAULT_REGISTRY) return `${r.host}/${r.namespace}/${r.repository}:${r.tag}`;
  return r.namespace === 'library' ? `${r.repository}:${r.tag}` : `${r.namespace}/${r.repository}:${r.tag}`;
}

/** Ollama lists `name` without `:latest` as `name:latest`. */
export function sameModelName(a: string, b: string): boolean {
  const full = (n: string) => (splitTag(n)[1] === 'latest' && !n.endsWith(':latest') ? `${n}:latest` : n);
  return full(a) === full(b);
}

/**
 * The names a deleted model removes from each replica: its own name, and the name its
 * registry reference was pulled under unless another live model still needs that name.
 */
export function namesToRemove(model: OllamaModel, others: readonly OllamaModel[]): string[] {
  const names = [model.spec.name];
  const reference = model.spec.source.registry?.reference;
  if (reference) {
    const pulled = localNameOf(reference);
    const needed = others.some(
      (o) =>
        o.metadata.uid !== model.metadata.uid &&
        !o.metadata.deletionTimestamp &&
        (sameModelName(o.spec.name, pulled) ||
          (o.spec.source.registry !== undefined && sameModelName(localNameOf(o.spec.source.registry.reference), pulled))),
    );
    if (!needed && !names.some((n) => sameModelName(n, pulled))) names.push(pulled);
  }
  return names;
}

// ---------------------------------------------------------------------------- one replica

/** A model as a replica's /api/tags lists it. */
export interface InstalledModel {
  readonly name: string;
  readonly digest: string;
}

/** Digests compare without their `sha256:` prefix (Ollama's /api/tags gives bare hex). */
export function sameDigest(a: string | undefined, b: string | undefined): boolean {
  const bare = (d: string) => d.replace(/^sha256:/, '');
  return a !== undefined && b !== undefined && bare(a) === bare(b);
}

export type ReplicaAction =
  | { readonly kind: 'ready'; readonly digest: string }
  | { readonly kind: 'install'; readonly reason: 'missing' | 'stale' }
  | { readonly kind: 'wait' };

/**
 * What a replica must do for a model, given what it has installed and the digest it must
 * hold (undefined: not known, e.g. a GGUF source, then any copy of the name will do). A
 * pull already running for it: wait for that.
 */
export function replicaAction(
  name: string,
  installed: readonly InstalledModel[],
  expectedDigest: string | undefined,
  installing: boolean,
): ReplicaAction {
  if (installing) return { kind: 'wait' };
  const present = installed.find((m) => sameModelName(m.name, name));
  if (!present) return { kind: 'install', reason: 'missing' };
  if (expectedDigest !== undefined && !sameDigest(present.digest, expectedDigest)) return { kind: 'install', reason: 'stale' };
  return { kind: 'ready', digest: present.digest };
}

// ---------------------------------------------------------------------------- status

/**
 * Where the model stands on each replica, into the model's status: Ready once every
 * replica holds the right digest; Progressing while one is still pulling (or waiting to);
 * Degraded while one failed; Available once it has been Ready and one replica still serves
 * it (gpt-api lists a model from then on, and a pod must hold every Available model before
 * it takes traffic: so a new model never takes serving pods out, and a new pod does not
 * take traffic before it holds what the others serve).
 */
export function summarize(
  model: Pick<OllamaModel, 'metadata' | 'status' | 'spec'>,
  replicas: readonly ReplicaStatus[],
  expectedDigest: string | undefined,
  now: Date,
): OllamaModelStatus {
  const previous = model.status?.conditions ?? [];
  const generation = model.metadata.generation;
  const total = replicas.length;
  const ready = replicas.filter((r) => r.phase === 'Ready');
  const failed = replicas.filter((r) => r.phase === 'Failed');
  const busy = replicas.filter((r) => r.phase === 'Pulling' || r.phase === 'Pending');
  const deleting = Boolean(model.metadata.deletionTimestamp);
  const digests = new Set(ready.map((r) => r.digest?.replace(/^sha256:/, '')));
  const agreed = digests.size === 1 ? [...digests][0] : undefined;
  const digest = expectedDigest?.replace(/^sha256:/, '') ?? agreed ?? model.status?.digest?.replace(/^sha256:/, '');
  // With no expected digest (a GGUF source) the replicas need not agree: Ollama's manifest
  // of a created model names the file's path on the replica, which may differ.
  const allReady = total > 0 && ready.length === total;
  const wasAvailable = previous.some((c) => c.type === ModelCondition.Available && c.status === 'True');

  const name = model.spec.name;
  let readyCondition: Omit<Condition, 'lastTransitionTime'>;
  if (deleting) readyCondition = { type: ModelCondition.Ready, status: 'False', reason: 'Deleting', message: `removing ${name} from every replica` };
  else if (total === 0) readyCondition = { type: ModelCondition.Ready, status: 'False', reason: 'NoReplicas', message: 'no Ollama replica found' };
  else if (allReady) readyCondition = { type: ModelCondition.Ready, status: 'True', reason: 'AllReplicasReady', message: `${total}/${total} replicas hold ${name}` };
  else readyCondition = { type: ModelCondition.Ready, status: 'False', reason: 'ReplicasNotReady', message: `${ready.length}/${total} replicas hold ${name}` };

  const progressing: Omit<Condition, 'lastTransitionTime'> =
    busy.length > 0 && !deleting
      ? { type: ModelCondition.Progressing, status: 'True', reason: 'Pulling', message: busy.map(progressText).join('; ') }
      : { type: ModelCondition.Progressing, status: 'False', reason: deleting ? 'Deleting' : 'Idle', message: '' };
  const degraded: Omit<Condition, 'lastTransitionTime'> =
    failed.length > 0
      ? { type: ModelCondition.Degraded, status: 'True', reason: 'PullFailed', message: failed.map((r) => `${r.pod}: ${r.lastError ?? 'failed'}`).join('; ') }
      : { type: ModelCondition.Degraded, status: 'False', reason: 'NoFailures', message: '' };
  const available: Omit<Condition, 'lastTransitionTime'> =
    !deleting && (allReady || (wasAvailable && ready.length > 0))
      ? { type: ModelCondition.Available, status: 'True', reason: allReady ? 'AllReplicasReady' : 'SomeReplicasReady', message: `${ready.length}/${total} replicas serve ${name}` }
      : { type: ModelCondition.Available, status: 'False', reason: deleting ? 'Deleting' : 'NotServed', message: `${ready.length}/${total} replicas serve ${name}` };

  const conditions = [readyCondition, progressing, degraded, available].map((c) => withTransition(c, previous, now, generation));
  return {
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    ...(digest ? { digest: `sha256:${digest}` } : {}),
    readyReplicas: ready.length,
    replicaCount: total,
    replicas: `${ready.length}/${total}`,
    replicaStatuses: [...replicas],
    conditions,
  };
}

function progressText(r: ReplicaStatus): string {
  if (r.phase === 'Pending') return `${r.pod}: waiting${r.lastError ? ` (${r.lastError})` : ''}`;
  const mb = (n: number) => `${Math.round(n / 1_000_000)} MB`;
  return r.totalBytes ? `${r.pod}: ${mb(r.completedBytes ?? 0)} of ${mb(r.totalBytes)}` : `${r.pod}: starting`;
}

/** A condition keeps its lastTransitionTime while its status stays the same. */
function withTransition(
  condition: Omit<Condition, 'lastTransitionTime'>,
  previous: readonly Condition[],
  now: Date,
  generation: number | undefined,
): Condition {
  const before = previous.find((c) => c.type === condition.type);
  const lastTransitionTime = before && before.status === condition.status ? before.lastTransitionTime : now.toISOString();
  return { ...condition, lastTransitionTime, ...(generation !== undefined ? { observedGeneration: generation } : {}) };
}

/** Whether a status write would change anything a reader sees (timestamps of progress aside). */
export function statusChanged(before: OllamaModelStatus | undefined, after: OllamaModelStatus): boolean {
  const strip = (s: OllamaModelStatus | undefined) =>
    JSON.stringify({ ...s, replicaStatuses: s?.replicaStatuses?.map(({ updatedAt: _u, ...r }) => r) });
  return strip(before) !== strip(after);
}

// ---------------------------------------------------------------------------- pods

/**
 * Whether each pod may take traffic. A pod that is open (its gate True now) stays open while
 * it holds every Available model (one being deleted aside): adding a model never takes the
 * serving pods out, and a model it lost again (a replaced volume) closes it. A pod not open
 * yet (a new replica, or every pod of a fresh install) opens only once it holds every model,
 * Available or not yet: so `helm install --wait` waits for the models, and a new replica
 * takes traffic only once it can answer whatever is asked of it.
 */
export function podGates(
  models: ReadonlyArray<Pick<OllamaModel, 'metadata' | 'status'>>,
  replicas: readonly Replica[],
  open: ReadonlySet<string>,
): Map<string, boolean> {
  const live = models.filter((m) => !m.metadata.deletionTimestamp);
  const available = live.filter((m) => m.status?.conditions?.some((c) => c.type === ModelCondition.Available && c.status === 'True'));
  const gates = new Map<string, boolean>();
  for (const replica of replicas) {
    if (!replica.pod) continue;
    const required = open.has(replica.pod) ? available : live;
    gates.set(
      replica.pod,
      required.every((m) => m.status?.replicaStatuses?.some((r) => r.pod === replica.id && r.phase === 'Ready')),
    );
  }
  return gates;
}

// ---------------------------------------------------------------------------- retries

/** Exponential backoff with a cap: 2 s, 4 s, 8 s, ... up to `capMs`. */
export function backoffMs(attempt: number, baseMs = 2_000, capMs = 120_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, Math.min(attempt, 20)));
}
