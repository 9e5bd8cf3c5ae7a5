import { Readable } from 'node:stream';
import type { InstalledModel } from '../reconcile/decisions';

/** Bytes done of bytes to do, over every layer of a pull. */
export interface PullProgress {
  readonly completedBytes: number;
  readonly totalBytes: number;
}

/** An error Ollama (or the way to it) gave, with whether trying again later may help. */
export class ReplicaError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ReplicaError';
  }
}

/**
 * Adds up the progress lines of an Ollama pull or create (`{status, digest, total,
 * completed}`, one per layer as it goes) into bytes done of bytes to do.
 */
export class ProgressTally {
  private readonly layers = new Map<string, { total: number; completed: number }>();

  add(line: { digest?: string; total?: number; completed?: number }): PullProgress | undefined {
    if (!line.digest || typeof line.total !== 'number') return undefined;
    this.layers.set(line.digest, { total: line.total, completed: Math.min(line.total, line.completed ?? 0) });
    return this.progress();
  }

  progress(): PullProgress {
    let completedBytes = 0;
    let totalBytes = 0;
    for (const layer of this.layers.values()) {
      completedBytes += layer.completed;
      totalBytes += layer.total;
    }
    return { completedBytes, totalBytes };
  }
}

/**
 * Ollama's HTTP API on one replica, as far as the operator uses it: what it holds, pull,
 * copy, delete, and creating a model from a GGUF file. Calls that stream (pull, create)
 * end when Ollama says `success`, and fail on the first `error` line or a cut stream.
 */
export class ReplicaClient {
  constructor(
    readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  async installed(): Promise<InstalledModel[]> {
    const body = (await this.json('GET', '/api/tags')) as { models?: Array<{ name: string; digest: string }> };
    return (body.models ?? []).map((m) => ({ name: m.name, digest: m.digest }));
  }

  /**
   * Pulls a registry reference; `onProgress` hears the bytes as they come. A download that
   * moves no byte for `stallMs` fails: Ollama keeps a pull whose registry went away open for
   * about a minute of its own retries, repeating the same progress, and a longer outage
   * should show as a failure (the next pull resumes from the bytes already there).
   */
  async pull(reference: string, insecure: boolean, onProgress: (p: PullProgress) => void, signal: AbortSignal, stallMs = Infinity): Promise<void> {
    await this.stream('/api/pull', { model: reference, insecure, stream: true }, onProgress, signal, stallMs);
  }

  async copy(source: string, destination: string): Promise<void> {
    await this.json('POST', '/api/copy', { source, destination });
  }

  /** Deletes a model; one the replica does not have is not an error. */
  async remove(name: string): Promise<void> {
    try {
      await this.json('DELETE', '/api/delete', { model: name });
    } catch (error) {
      if (error instanceof ReplicaError && error.status === 404) return;
      throw error;
    }
  }

  async hasBlob(digest: string): Promise<boolean> {
    const response = await fetch(`${this.url}/api/blobs/${digest}`, { method: 'HEAD', signal: AbortSignal.timeout(this.timeoutMs) });
    return response.ok;
  }

  /** Sends a file's bytes as a blob; Ollama checks them against `digest`. */
  async pushBlob(digest: string, body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<void> {
    const response = await fetch(`${this.url}/api/blobs/${digest}`, {
      method: 'POST',
      body,
      duplex: 'half',
      signal,
    });
    if (!response.ok) throw new ReplicaError(`sending ${digest} failed: ${response.status} ${await response.text()}`, response.status);
  }

  /** Creates a model from blobs already sent (`files`: file name → digest). */
  async create(request: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    await this.stream('/api/create', { ...request, stream: true }, () => undefined, signal);
  }

  private async json(method: string, path: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new ReplicaError(`${this.url} did not answer: ${reason(error)}`);
    }
    const text = await response.text();
    if (!response.ok) throw new ReplicaError(`${method} ${path}: ${response.status} ${errorText(text)}`, response.status);
    return text ? JSON.parse(text) : undefined;
  }

  private async stream(path: string, body: unknown, onProgress: (p: PullProgress) => void, outer: AbortSignal, stallMs = Infinity): Promise<void> {
    const stall = new AbortController();
    const signal = AbortSignal.any([outer, stall.signal]);
    let moved = Date.now();
    let downloading = false;
    let bytes = -1;
    const watchdog = Number.isFinite(stallMs)
      ? setInterval(() => {
          if (downloading && Date.now() - moved > stallMs) stall.abort();
        }, Math.min(1_000, stallMs))
      : undefined;
    const stalled = () => new ReplicaError(`no bytes came for ${Math.round(stallMs / 1000)} s while downloading (is the registry reachable?)`);
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
        signal,
      });
    } catch (error) {
      clearInterval(watchdog);
      throw new ReplicaError(outer.aborted ? 'canceled' : `${this.url} did not answer: ${reason(error)}`);
    }
    if (!response.ok || !response.body) {
      clearInterval(watchdog);
      throw new ReplicaError(`${path}: ${response.status} ${errorText(await response.text())}`, response.status);
    }
    const tally = new ProgressTally();
    let buffered = '';
    let succeeded = false;
    try {
      for await (const chunk of Readable.fromWeb(response.body as never)) {
        buffered += (chunk as Buffer).toString('utf8');
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (!line) continue;
          const event = JSON.parse(line) as { status?: string; error?: string; digest?: string; total?: number; completed?: number };
          if (event.error) throw new ReplicaError(event.error);
          // Only a layer's download can stall; verifying a large file sends nothing for a while.
          downloading = event.status?.startsWith('pulling ') === true && event.status !== 'pulling manifest';
          const progress = tally.add(event);
          if (progress && progress.completedBytes !== bytes) {
            bytes = progress.completedBytes;
            moved = Date.now();
            onProgress(progress);
          }
          if (!downloading) moved = Date.now();
          if (event.status === 'success') succeeded = true;
        }
      }
    } catch (error) {
      if (stall.signal.aborted && !outer.aborted) throw stalled();
      if (error instanceof ReplicaError) throw error;
      throw new ReplicaError(outer.aborted ? 'canceled' : `the stream from ${this.url} broke: ${reason(error)}`);
    } finally {
      clearInterval(watchdog);
    }
    if (!succeeded) throw new ReplicaError(`${path} on ${this.url} ended before success`);
  }
}

function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

function errorText(text: string): string {
  try {
    return (JSON.parse(text) as { error?: string }).error ?? text;
  } catch {
    return text.slice(0, 500);
  }
}
