/**
 * The model lab: real model-serving infrastructure on this machine for the model operator's
 * end-to-end tests (services/model-operator), with nothing fetched from anywhere.
 *
 * - startRegistry(): a private OCI registry (the distribution v3 binary that
 *   scripts/infra/model-registry.sh builds) with filesystem storage in a temporary folder,
 *   plain http on a loopback port. It can be stopped and started again on the same port and
 *   storage, e.g. in the middle of a pull, and slowed down (setBlobRate) so that a pull of
 *   the 253 MB model takes long enough (15e6 bytes/s: about 20 s) to act while it runs.
 * - pushModel(): puts a model of the local Ollama (scripts/infra/ollama.sh, gemma3:270m)
 *   into such a registry with `ollama push --insecure`.
 * - startReplicas(): "replicas" of Ollama: real `ollama serve` processes (the same binary),
 *   each with its own models folder, each on an address of its own, 10.245.N.i:11434, on a
 *   network interface the lab creates (and deletes again). Not loopback addresses because
 *   the API server refuses those in EndpointSlices ("may not be in the loopback range").
 * - throttle(): a loopback TCP proxy with a rate limit (what setBlobRate uses).
 * - ollamaTags(), registryManifest(): the small API calls the tests compare.
 *
 * How Ollama pulls, and why the registry comes with a "blob store" (verified with Ollama
 * v0.17.4 and distribution v3.1.2): Ollama's puller (server/download.go) asks the registry
 * for a blob and insists on being redirected (HTTP 307) to another host, as ollama.com and
 * registries on object storage (S3, GCS, R2) do; it then downloads the blob from there, in
 * up to 16 parallel Range requests. A registry that serves the blob itself (HTTP 200, what
 * distribution does with filesystem storage) fails every pull with "http: no Location
 * header in response" (ollama/ollama#7244). So the lab's registry is configured with
 * distribution's `redirect` storage middleware, pointing at a small HTTP server of this
 * module that serves the registry's storage folder as an object store would, at a second
 * loopback address (127.0.0.2: Ollama follows a redirect to the *same* host name itself
 * and then finds no Location). The bytes of a pull go through that blob store, not through
 * the registry's port: a throttle() in front of the registry's address would not slow a
 * pull down; setBlobRate does.
 *
 * What a test can rely on (measured with this lab, Ollama v0.17.4):
 * - The digest a replica's /api/tags reports for a pulled model is the registry's manifest
 *   digest (sha256 of the manifest's bytes, Docker-Content-Digest), without `sha256:`.
 *   /api/copy keeps it. The pushing Ollama's own digest differs (its manifest file ends
 *   with a newline the registry's copy lacks).
 * - /api/pull streams {"status":"pulling <12 hex>","digest","total","completed"} about every
 *   60 ms, and answers HTTP 200 before it knows the outcome: a failure is an {"error"} line
 *   (with "stream": false, HTTP 500). With the registry gone mid-pull the stream repeats the
 *   same `completed` for about a minute (Ollama retries), then ends with {"error":"max
 *   retries exceeded: ..."}; back within that minute, the same pull just completes. A new
 *   pull resumes from the bytes already on disk.
 * - A pull stops when its last HTTP client hangs up (another client pulling the same blob
 *   keeps it going); what was downloaded stays and a new pull resumes from it.
 * - /api/create from the same blob and parameters gives the same digest on the same replica
 *   every time, but a different one on another replica: the manifest names the models
 *   folder (`"from": "<OLLAMA_MODELS>/blobs/..."`), which differs per replica here (pods
 *   with the same OLLAMA_MODELS path would agree).
 *
 * Cleanup: every process, interface and folder the lab makes is removed by
 * LabRegistry.destroy() and ReplicaLab.removeAll(). Should the test process die first
 * (a crash, SIGKILL, a jest timeout), a detached watcher ("janitor", one per registry and
 * per replica set) notices within a second and does the same.
 *
 * Needs: root (the network interface), the registry binary (`bash
 * scripts/infra/model-registry.sh install`), Ollama (`bash scripts/infra/ollama.sh start`).
 * Network: loopback and the lab's own interface only.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { ROOT, freePort } from './system';

const INFRA = join(ROOT, 'scripts/infra');

// ============================================================================ small helpers

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** Runs `bash scripts/infra/<script> <args>` and returns its trimmed standard output. */
function infraScript(script: string, ...args: string[]): string {
  const result = spawnSync('bash', [join(INFRA, script), ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`scripts/infra/${script} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr}`);
  return result.stdout.trim();
}

/** Runs a command to completion; throws with its standard error when it fails. */
function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr.trim()}`);
  return result.stdout;
}

let registryBinaryPath: string | undefined;
let ollamaBinaryPath: string | undefined;

/** The registry binary (distribution v3) that scripts/infra/model-registry.sh builds. */
export function registryBinary(): string {
  registryBinaryPath ??= infraScript('model-registry.sh', 'binary');
  if (!existsSync(registryBinaryPath)) {
    throw new Error(`the registry is not built (expected at ${registryBinaryPath}): run \`bash scripts/infra/model-registry.sh install\``);
  }
  return registryBinaryPath;
}

/** The Ollama binary of local mode (scripts/infra/ollama.sh), v0.17.4. */
export function ollamaBinary(): string {
  ollamaBinaryPath ??= infraScript('ollama.sh', 'binary');
  if (!existsSync(ollamaBinaryPath)) throw new Error(`Ollama is not built (expected at ${ollamaBinaryPath}): run \`bash scripts/infra/ollama.sh install\``);
  return ollamaBinaryPath;
}

/** The last `lines` lines of a log file ('' when there is none). */
function fileTail(file: string, lines = 30): string {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : '';
}

/**
 * Polls `ready` (every 200 ms) until it returns true; fails after `timeoutMs`, or at once
 * when `gone()` says the process being waited for has exited.
 */
async function waitUntil(what: string, timeoutMs: number, ready: () => Promise<boolean>, gone: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const exited = gone();
    if (exited !== undefined) throw new Error(`${what}: ${exited}`);
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** True when an HTTP GET of `url` answers 200 within 2 s. */
async function answers(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.ok;
}

/** Single-quotes a string for a POSIX shell. */
const shellQuote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * A spawned child's end: resolves when it has exited (at once when it has already).
 * `exitCode`/`signalCode` are set before 'exit' is emitted, so the check cannot miss it.
 */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

/**
 * Ends a child started with `detached: true` (its own process group, so Ollama's runner
 * subprocesses go with it): SIGTERM to the group, SIGKILL after `graceMs` (at once for 0).
 */
async function endGroup(child: ChildProcess, graceMs: number): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is gone already
    }
  };
  if (graceMs > 0 && child.exitCode === null && child.signalCode === null) {
    signalGroup('SIGTERM');
    await Promise.race([exited(child), sleep(graceMs)]);
  }
  signalGroup('SIGKILL'); // also what is left of the group after its leader exited
  await exited(child);
}

// ============================================================================ janitor

/**
 * A detached watcher that cleans up after this test process should it die without doing
 * so itself: once the owner (this process) is gone it runs `<dir>/janitor.sh`, which kills
 * every process working in `dir` (the lab starts each of its processes there, and Ollama's
 * runner subprocesses inherit it; a recycled pid is never hit), runs the commands the lab
 * gave it (update) and removes `dir`. When the lab cleans up normally it deletes the script
 * and ends the watcher.
 */
class Janitor {
  private readonly script: string;
  private readonly watcher: ChildProcess;

  /** `removeDir` false: `dir` is the test's own and stays (only the script goes). */
  constructor(
    private readonly dir: string,
    private readonly removeDir = true,
  ) {
    this.script = join(dir, 'janitor.sh');
    this.update([]);
    const loop = 'while kill -0 "$1" 2>/dev/null && [ -f "$2" ]; do sleep 1; done; [ -f "$2" ] && exec bash "$2"';
    this.watcher = spawn('bash', ['-c', loop, 'model-lab-janitor', String(process.pid), this.script], { detached: true, stdio: 'ignore' });
    this.watcher.unref();
  }

  /** Sets the commands to run after the processes are killed and before the folder goes. */
  update(commands: string[]): void {
    const dir = shellQuote(this.dir);
    const lines = [
      '#!/usr/bin/env bash',
      '# written by test/e2e/support/model-lab.ts: what to undo should its test process die',
      `for p in /proc/[0-9]*; do case "$(readlink "$p/cwd" 2>/dev/null)" in ${dir} | ${dir}/*) kill -KILL "\${p#/proc/}" 2>/dev/null ;; esac; done`,
      ...commands,
      this.removeDir ? `rm -rf ${dir}` : `rm -f ${shellQuote(this.script)}`,
      '',
    ];
    // Replaced in one step, so the watcher never runs half a script.
    writeFileSync(`${this.script}.new`, lines.join('\n'));
    renameSync(`${this.script}.new`, this.script);
  }

  /** The lab cleaned up itself: the watcher is told to stand down and is ended. */
  dispose(): void {
    rmSync(this.script, { force: true });
    if (this.watcher.exitCode === null) this.watcher.kill('SIGKILL');
  }
}

// ============================================================================ throttle

/** How many bytes may pass at once, at least: small rates still move whole 16 KiB pieces. */
const PIECE = 16 * 1024;
/** The longest a paused stream sleeps before it looks again (so a new rate applies soon). */
const POLL_MS = 50;

/**
 * A token bucket shared by every connection of one direction of a throttle: together they
 * move at most `rate` bytes a second. A burst is capped at 50 ms worth (at least 64 KiB).
 */
class TokenBucket {
  private tokens = 0;
  private last = performance.now();

  constructor(private rate: number) {}

  get bytesPerSecond(): number {
    return this.rate;
  }

  setRate(rate: number): void {
    this.refill();
    this.rate = rate;
  }

  /** Takes `bytes` tokens when the bucket has that many; true when it did. */
  take(bytes: number): boolean {
    if (this.rate === Infinity) return true;
    this.refill();
    if (this.tokens < bytes) return false;
    this.tokens -= bytes;
    return true;
  }

  /** How long until `bytes` tokens are there (capped at POLL_MS). */
  delayFor(bytes: number): number {
    if (this.rate <= 0) return POLL_MS;
    return Math.min(POLL_MS, Math.max(1, ((bytes - this.tokens) / this.rate) * 1000));
  }

  private refill(): void {
    const now = performance.now();
    const burst = Math.max(4 * PIECE, this.rate / 20);
    this.tokens = Math.min(burst, this.tokens + ((now - this.last) / 1000) * Math.max(0, this.rate));
    this.last = now;
  }
}

/**
 * Copies `from` to `to` at the pace of `bucket`: what arrives is queued (and `from` paused,
 * which pushes back on the sender through TCP), then written piece by piece as tokens come.
 * A half-close (end) is passed on once the queue is empty.
 */
function throttledCopy(from: Socket, to: Socket, bucket: TokenBucket): void {
  const queue: Buffer[] = [];
  let ended = false;
  let busy = false; // a timer or a 'drain' will call pump
  let timer: NodeJS.Timeout | undefined;

  const pump = (): void => {
    busy = false;
    timer = undefined;
    while (queue.length > 0) {
      if (to.destroyed) return;
      const head = queue[0]!;
      const size = Math.min(head.length, PIECE);
      if (!bucket.take(size)) {
        busy = true;
        timer = setTimeout(pump, bucket.delayFor(size));
        return;
      }
      const flushed = to.write(head.subarray(0, size));
      if (size === head.length) queue.shift();
      else queue[0] = head.subarray(size);
      if (!flushed) {
        busy = true;
        to.once('drain', pump);
        return;
      }
    }
    if (ended) to.end();
    else from.resume();
  };

  from.on('data', (chunk: Buffer) => {
    from.pause();
    queue.push(chunk);
    if (!busy) pump();
  });
  from.on('end', () => {
    ended = true;
    if (!busy && queue.length === 0) to.end();
  });
  // Only a closed destination ends the copy: what a closed source sent is still delivered.
  to.on('close', () => clearTimeout(timer));
}

export interface Throttle {
  /** Where clients connect: `host:port`. */
  readonly address: string;
  readonly port: number;
  /** The limit now, bytes a second in each direction (Infinity: none). */
  readonly bytesPerSecond: number;
  /** Changes the limit of all connections, open ones included (Infinity: none, 0: stalled). */
  setRate(bytesPerSecond: number): void;
  /** Stops listening and cuts every open connection. */
  close(): Promise<void>;
}

/**
 * A TCP proxy on loopback that forwards every connection to `target` (`host:port`), with
 * all its connections together moving at most `bytesPerSecond` bytes a second in each
 * direction. The client sees the target's answers, only slower; when the target refuses or
 * drops a connection, the client's connection is dropped too.
 */
export async function throttle(opts: { target: string; bytesPerSecond: number; host?: string; port?: number }): Promise<Throttle> {
  const target = splitHostPort(opts.target);
  const host = opts.host ?? '127.0.0.1';
  const down = new TokenBucket(opts.bytesPerSecond); // target -> client
  const up = new TokenBucket(opts.bytesPerSecond); // client -> target
  const sockets = new Set<Socket>();

  // allowHalfOpen on both sockets: a side that ends its sending is passed on as such by the
  // copy (after what is queued), instead of Node ending the other direction at once.
  const server: TcpServer = createTcpServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ port: target.port, host: target.host, allowHalfOpen: true });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => sockets.delete(socket));
    }
    // An error on either side (a refused or reset connection) cuts both.
    const cut = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', cut);
    upstream.on('error', cut);
    // A side that closed cleanly sent its end first; the copy from it ends the other side
    // once its queue is written, and then, nothing being left to carry, closes it.
    for (const [closed, other] of [[client, upstream], [upstream, client]] as const) {
      closed.on('close', () => {
        if (other.writableFinished || other.destroyed) other.destroy();
        else other.once('finish', () => other.destroy());
      });
    }
    throttledCopy(client, upstream, up);
    throttledCopy(upstream, client, down);
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, () => done());
  });
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('the throttle has no address');

  return {
    address: `${host}:${address.port}`,
    port: address.port,
    get bytesPerSecond() {
      return down.bytesPerSecond;
    },
    setRate(bytesPerSecond: number) {
      down.setRate(bytesPerSecond);
      up.setRate(bytesPerSecond);
    },
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function splitHostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  const port = Number(address.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port)) throw new Error(`not host:port: ${address}`);
  return { host: address.slice(0, i), port };
}

// ============================================================================ registry

/**
 * The registry's object store stand-in: serves the files of the registry's storage folder
 * (`/docker/registry/v2/blobs/...`, the paths distribution's redirect middleware puts in its
 * Location headers) with GET and HEAD, single Range requests included (Ollama downloads a
 * blob in parts).
 */
function blobStore(storageDir: string): HttpServer {
  return createHttpServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://blob-store').pathname);
    const file = resolve(storageDir, `.${path}`);
    const size = file.startsWith(storageDir + sep) && path.startsWith('/docker/registry/v2/blobs/') ? fileSize(file) : undefined;
    if ((req.method !== 'GET' && req.method !== 'HEAD') || size === undefined) {
      res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405).end();
      return;
    }
    let start = 0;
    let end = size - 1;
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const [, from = '', to = ''] = range;
      start = from === '' ? Math.max(0, size - Number(to)) : Number(from);
      end = from !== '' && to !== '' ? Math.min(Number(to), size - 1) : size - 1;
      if (start > end || start >= size) {
        res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
        return;
      }
    }
    res.writeHead(range ? 206 : 200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': end - start + 1,
      'Accept-Ranges': 'bytes',
      ...(range ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
    });
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return;
    }
    const stream = createReadStream(file, { start, end });
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  });
}

function fileSize(file: string): number | undefined {
  try {
    const stat = statSync(file);
    return stat.isFile() ? stat.size : undefined;
  } catch {
    return undefined;
  }
}

export interface LabRegistry {
  /** `127.0.0.1:PORT`: the registry's address, the first part of model references. */
  readonly address: string;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** `127.0.0.2:PORT`: the blob store the registry redirects blob downloads to. */
  readonly blobAddress: string;
  /** The folder of this instance: configuration, log, and storage (below `storage/`). */
  readonly dir: string;
  readonly storageDir: string;
  /** The registry's log (its access log included), appended to across restarts. */
  readonly logFile: string;
  /** True between a (re)start and a stop. */
  readonly running: boolean;
  /**
   * Limits how fast blobs are downloaded, in bytes a second for all downloads together
   * (Infinity: no limit, the default; 0: downloads stall). Pushes are never limited.
   * 15e6 makes a pull of gemma3:270m (253 MB) take about 20 s (17 s for the weights, about
   * a second for each of the three small layers).
   */
  setBlobRate(bytesPerSecond: number): void;
  /**
   * Stops the registry and its blob store: every open connection is cut, so a pull under
   * way sees the registry vanish. SIGTERM (then SIGKILL after 5 s), or `kill: true` for
   * SIGKILL at once, as a crash. The storage is kept.
   */
  stop(opts?: { kill?: boolean }): Promise<void>;
  /** Starts it again, on the same ports, with the same storage. */
  start(): Promise<void>;
  /** Stops it for good and removes its folder (unless `dir` was given to startRegistry). */
  destroy(): Promise<void>;
  /** The last lines of the registry's log, for failure messages. */
  logTail(lines?: number): string;
}

/** The loopback address of the blob store: a host name other than the registry's (see top). */
const BLOB_HOST = '127.0.0.2';

/**
 * Starts a private registry: distribution v3 with filesystem storage in `dir` (a new
 * temporary folder by default), plain http on `host` (127.0.0.1) : `port` (a free port by
 * default), and its blob store (see the top of this file) on `blobHost` (127.0.0.2; it must
 * be another address than `host`) behind a throttle, `blobBytesPerSecond` (default
 * Infinity). Pods of the test cluster reach a registry on the node's bridge address with its
 * blob store on an address of a lab's interface (ReplicaLab.addAddress).
 */
export async function startRegistry(
  opts: { dir?: string; host?: string; port?: number; blobHost?: string; blobPort?: number; blobBytesPerSecond?: number } = {},
): Promise<LabRegistry> {
  const host = opts.host ?? '127.0.0.1';
  const blobHost = opts.blobHost ?? BLOB_HOST;
  if (blobHost === host) throw new Error("the blob store needs another address than the registry's: Ollama follows a redirect to the same host itself");
  const binary = registryBinary();
  const ownDir = opts.dir === undefined;
  const dir = resolve(opts.dir ?? mkdtempSync(join(tmpdir(), 'shoshizan-model-registry-')));
  const storageDir = join(dir, 'storage');
  const configFile = join(dir, 'registry.yaml');
  const logFile = join(dir, 'registry.log');
  mkdirSync(storageDir, { recursive: true });
  const port = opts.port ?? (await freePort(host));
  const blobPort = opts.blobPort ?? (await freePort(blobHost));
  const address = `${host}:${port}`;
  const blobAddress = `${blobHost}:${blobPort}`;

  // Plain http on loopback, no auth. delete: lets a test remove a tag. No upload purging:
  // nothing should change in the storage on its own during a test.
  writeFileSync(
    configFile,
    [
      'version: 0.1',
      'log:',
      '  level: info',
      '  formatter: text',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${storageDir}`,
      '  delete:',
      '    enabled: true',
      '  maintenance:',
      '    uploadpurging:',
      '      enabled: false',
      'middleware:',
      '  storage:',
      '    - name: redirect',
      '      options:',
      `        baseurl: http://${blobAddress}`,
      'http:',
      `  addr: ${address}`,
      '',
    ].join('\n'),
  );

  const janitor = new Janitor(dir, ownDir);
  let child: ChildProcess | undefined;
  let blobs: HttpServer | undefined;
  let front: Throttle | undefined;
  let rate = opts.blobBytesPerSecond ?? Infinity;

  const gone = (): string | undefined => {
    if (!child || (child.exitCode === null && child.signalCode === null)) return undefined;
    return `the registry exited (${child.exitCode ?? child.signalCode}):\n${fileTail(logFile)}`;
  };

  const start = async (): Promise<void> => {
    if (child && !gone()) return;
    // The blob store on a port of its own (the kernel's), behind the throttle on blobAddress.
    blobs = blobStore(storageDir);
    const store = blobs;
    await new Promise<void>((done, fail) => {
      store.once('error', fail);
      store.listen(0, '127.0.0.1', () => done());
    });
    const storeAddress = store.address();
    if (typeof storeAddress !== 'object' || !storeAddress) throw new Error('the blob store has no address');
    front = await throttle({ target: `127.0.0.1:${storeAddress.port}`, bytesPerSecond: rate, host: blobHost, port: blobPort });

    const log = openSync(logFile, 'a');
    try {
      // OTEL_TRACES_EXPORTER=none: distribution would otherwise send traces to localhost:4318.
      child = spawn(binary, ['serve', configFile], {
        cwd: dir,
        detached: true,
        stdio: ['ignore', log, log],
        env: { ...process.env, OTEL_TRACES_EXPORTER: 'none' },
      });
    } finally {
      closeSync(log);
    }
    await waitUntil(`the registry at ${address}`, 30_000, () => answers(`http://${address}/v2/`), gone);
  };

  const stop = async ({ kill = false }: { kill?: boolean } = {}): Promise<void> => {
    const ending = child ? endGroup(child, kill ? 0 : 5000) : Promise.resolve();
    const store = blobs;
    await Promise.all([
      ending,
      front?.close(),
      store &&
        new Promise<void>((done) => {
          store.close(() => done());
          store.closeAllConnections();
        }),
    ]);
    child = undefined;
    blobs = undefined;
    front = undefined;
  };

  try {
    await start();
  } catch (error) {
    await stop({ kill: true });
    janitor.dispose();
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    address,
    url: `http://${address}`,
    blobAddress,
    dir,
    storageDir,
    logFile,
    get running() {
      return child !== undefined && gone() === undefined;
    },
    setBlobRate(bytesPerSecond: number) {
      rate = bytesPerSecond;
      front?.setRate(bytesPerSecond);
    },
    stop,
    start,
    destroy: async () => {
      await stop({ kill: true });
      janitor.dispose();
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
    logTail: (lines = 30) => fileTail(logFile, lines),
  };
}

// ============================================================================ manifests and push

const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';
/** Terminal escape sequences (the CLI's progress bars). */
const ANSI_ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');

export interface RegistryManifest {
  /** `sha256:<hex>`: the sha256 of the manifest's bytes, checked against Docker-Content-Digest. */
  readonly digest: string;
  /** The manifest's bytes as the registry serves them. */
  readonly body: string;
  readonly manifest: {
    schemaVersion: number;
    mediaType: string;
    config: { mediaType: string; digest: string; size: number };
    layers: Array<{ mediaType: string; digest: string; size: number }>;
  };
}

/**
 * A manifest as the registry at `registry` (`host:port`) serves it: GET
 * /v2/<repository>/manifests/<reference> with the Docker v2 manifest type Ollama pushes.
 */
export async function registryManifest(registry: string, repository: string, reference: string): Promise<RegistryManifest> {
  const res = await fetch(`http://${registry}/v2/${repository}/manifests/${reference}`, {
    headers: { Accept: MANIFEST_V2 },
    signal: AbortSignal.timeout(10_000),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  if (!res.ok) throw new Error(`GET manifest ${repository}:${reference} from ${registry}: ${res.status} ${bytes.toString('utf8')}`);
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const header = res.headers.get('docker-content-digest');
  if (header !== digest) throw new Error(`the registry says the manifest's digest is ${header}, its bytes hash to ${digest}`);
  const body = bytes.toString('utf8');
  return { digest, body, manifest: JSON.parse(body) as RegistryManifest['manifest'] };
}

export interface PushedModel {
  /** The model's name in the registry, as Ollama pulls it: `<registry>/<namespace>/<repository>:<tag>`. */
  readonly reference: string;
  readonly repository: string;
  readonly tag: string;
  /** The registry's manifest digest, `sha256:<hex>` (see registryManifest). */
  readonly digest: string;
  readonly manifest: RegistryManifest['manifest'];
}

/**
 * Pushes `model` of the Ollama at `ollamaUrl` (default: local mode's, http://127.0.0.1:21434)
 * to the registry at `registry` (`host:port`) as `<namespace>/<name>`; `name` is
 * `repository[:tag]` (tag default: the model's own, else `latest`), namespace `library`.
 * The model is copied to the registry's name on that Ollama (/api/copy), pushed with
 * `ollama push --insecure`, and the copy is deleted again (the blobs stay: the model has them).
 */
export async function pushModel(opts: { ollamaUrl?: string; model: string; registry: string; name: string; namespace?: string }): Promise<PushedModel> {
  const ollamaUrl = opts.ollamaUrl ?? `http://127.0.0.1:${process.env.OLLAMA_PORT ?? 21434}`;
  const [repositoryName = opts.name, tagGiven] = opts.name.split(':');
  const tag = tagGiven ?? opts.model.split(':')[1] ?? 'latest';
  const repository = `${opts.namespace ?? 'library'}/${repositoryName}`;
  const reference = `${opts.registry}/${repository}:${tag}`;

  const copy = await fetch(`${ollamaUrl}/api/copy`, {
    method: 'POST',
    body: JSON.stringify({ source: opts.model, destination: reference }),
    signal: AbortSignal.timeout(30_000),
  });
  if (!copy.ok) throw new Error(`copying ${opts.model} to ${reference} on ${ollamaUrl}: ${copy.status} ${await copy.text()}`);
  try {
    const push = spawn(ollamaBinary(), ['push', '--insecure', reference], {
      env: { ...process.env, OLLAMA_HOST: ollamaUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    push.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    push.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const code = await new Promise<number | null>((done, fail) => {
      push.on('error', fail);
      push.on('close', (exitCode) => done(exitCode));
    });
    if (code !== 0) {
      // The progress bars redraw with carriage returns and escape codes; the end is what matters.
      const text = output.replace(ANSI_ESCAPE, '').split(/[\r\n]+/).filter(Boolean).slice(-5).join('\n');
      throw new Error(`ollama push --insecure ${reference} failed (${code}):\n${text}`);
    }
  } finally {
    await fetch(`${ollamaUrl}/api/delete`, { method: 'DELETE', body: JSON.stringify({ model: reference }), signal: AbortSignal.timeout(30_000) })
      .then((res) => res.arrayBuffer())
      .catch(() => undefined);
  }
  const { digest, manifest } = await registryManifest(opts.registry, repository, tag);
  return { reference, repository, tag, digest, manifest };
}

// ============================================================================ Ollama API

export interface OllamaModel {
  /** `name[:tag]`, with the registry's `host:port/namespace/` in front for a pulled model. */
  readonly name: string;
  /** The sha256 of the model's manifest file, in hex (no `sha256:` prefix), as /api/tags says. */
  readonly digest: string;
  /** The model's bytes, its blobs together. */
  readonly size: number;
}

/** The models an Ollama has: GET <url>/api/tags. */
export async function ollamaTags(url: string): Promise<OllamaModel[]> {
  const res = await fetch(`${url}/api/tags`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${url}/api/tags: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { models?: Array<{ name: string; digest: string; size: number }> };
  return (body.models ?? []).map(({ name, digest, size }) => ({ name, digest, size }));
}

// ============================================================================ replicas

/** Labs use 10.245.<N>.0/24 (N = 1..254, one interface `shzlab<N>` each); 10.244/16 is the cluster's. */
const LAB_NET = '10.245';
/** The interface kind: `dummy` where the kernel has it, else an empty bridge (this VM's kernel has no dummy driver). */
let interfaceKind: 'dummy' | 'bridge' | undefined;

/** Claims an unused `shzlab<N>` interface (the kernel refuses a name twice, so two runs never share one). */
function claimInterface(): { name: string; subnet: number } {
  const first = 1 + Math.floor(Math.random() * 254);
  for (let i = 0; i < 254; i++) {
    const subnet = 1 + ((first - 1 + i) % 254);
    const name = `shzlab${subnet}`;
    for (const kind of interfaceKind ? [interfaceKind] : (['dummy', 'bridge'] as const)) {
      const result = spawnSync('ip', ['link', 'add', name, 'type', kind], { encoding: 'utf8' });
      if (result.error) throw new Error(`could not run ip (iproute2): ${result.error.message}`);
      if (result.status === 0) {
        interfaceKind = kind;
        try {
          run('ip', ['link', 'set', name, 'up']);
        } catch (error) {
          spawnSync('ip', ['link', 'del', name]);
          throw error;
        }
        return { name, subnet };
      }
      if (/exists/i.test(result.stderr)) break; // taken: try the next N
      if (/unknown device type|not supported/i.test(result.stderr) && kind === 'dummy') continue;
      if (/operation not permitted/i.test(result.stderr)) throw new Error('the model lab needs root (CAP_NET_ADMIN) for its network interface');
      throw new Error(`ip link add ${name} type ${kind}: ${result.stderr.trim()}`);
    }
  }
  throw new Error(`no free shzlab<N> interface (all of ${LAB_NET}.1-254.0/24 taken?)`);
}

export interface Replica {
  /** 0, 1, 2, ...: the order of creation. */
  readonly index: number;
  /** `10.245.N.(index+1)`: its address on the lab's interface. */
  readonly address: string;
  readonly port: number;
  /** `http://address:port`. */
  readonly url: string;
  /** Its OLLAMA_MODELS folder (kept across stop/start, removed by removeAll). */
  readonly modelsDir: string;
  readonly logFile: string;
  /** The `ollama serve` process's pid while it runs. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** SIGTERM (Ollama's shutdown), SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash (a pull under way leaves its partial files). */
  kill(): Promise<void>;
  /** Starts it again: same address, same models folder. */
  start(): Promise<void>;
  logTail(lines?: number): string;
}

export interface ReplicaLab {
  /** The interface the replicas' addresses are on (`shzlab<N>`). */
  readonly interfaceName: string;
  /** `10.245.N.0/24`. */
  readonly subnet: string;
  readonly replicas: readonly Replica[];
  /** One more replica, at the next address. */
  addReplica(): Promise<Replica>;
  /** One more address on the lab's interface (from 10.245.N.254 down), for something else the test runs there. */
  addAddress(): string;
  /** Kills every replica and removes the interface and all folders. */
  removeAll(): Promise<void>;
}

export interface ReplicaOptions {
  /** The port every replica listens on (each has its own address): 11434, Ollama's. */
  port?: number;
  /** More environment for `ollama serve` (overrides the lab's defaults). */
  env?: Record<string, string>;
  /** How long a replica may take to answer /api/version: 60 s. */
  readyTimeoutMs?: number;
}

/**
 * Starts `n` Ollama replicas on a new interface `shzlab<N>` (10.245.N.1, .2, ...), each
 * with an empty models folder. They are meant to pull models (and answer an odd chat), so
 * they run with one parallel slot and at most one loaded model.
 */
export async function startReplicas(n: number, opts: ReplicaOptions = {}): Promise<ReplicaLab> {
  if (process.getuid?.() !== 0) throw new Error('the model lab needs root (CAP_NET_ADMIN) for its network interface');
  const binary = ollamaBinary();
  const port = opts.port ?? 11434;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  const labDir = mkdtempSync(join(tmpdir(), 'shoshizan-model-lab-'));
  const janitor = new Janitor(labDir);
  let iface: { name: string; subnet: number };
  try {
    iface = claimInterface();
  } catch (error) {
    janitor.dispose();
    rmSync(labDir, { recursive: true, force: true });
    throw error;
  }
  janitor.update([`ip link del ${iface.name} 2>/dev/null`]);
  const replicas: Replica[] = [];

  const addReplica = async (): Promise<Replica> => {
    const index = replicas.length;
    if (index >= 253) throw new Error('a lab has at most 253 replicas');
    const address = `${LAB_NET}.${iface.subnet}.${index + 1}`;
    const dir = join(labDir, `replica-${index}`);
    const modelsDir = join(dir, 'models');
    const logFile = join(dir, 'ollama.log');
    mkdirSync(modelsDir, { recursive: true });
    run('ip', ['addr', 'add', `${address}/32`, 'dev', iface.name]);
    const url = `http://${address}:${port}`;
    let child: ChildProcess | undefined;

    const running = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null;
    const start = async (): Promise<void> => {
      if (running()) return;
      const log = openSync(logFile, 'a');
      try {
        // HOME: Ollama keeps its identity key under ~/.ollama; each replica gets its own, as a pod would.
        child = spawn(binary, ['serve'], {
          cwd: dir,
          detached: true,
          stdio: ['ignore', log, log],
          env: {
            ...process.env,
            HOME: dir,
            OLLAMA_HOST: `${address}:${port}`,
            OLLAMA_MODELS: modelsDir,
            OLLAMA_NUM_PARALLEL: '1',
            OLLAMA_MAX_LOADED_MODELS: '1',
            OLLAMA_NO_CLOUD: '1',
            ...opts.env,
          },
        });
      } finally {
        closeSync(log);
      }
      const current = child;
      await waitUntil(`Ollama replica ${index} at ${url}`, readyTimeoutMs, () => answers(`${url}/api/version`), () =>
        current.exitCode === null && current.signalCode === null ? undefined : `exited (${current.exitCode ?? current.signalCode}):\n${fileTail(logFile)}`,
      );
    };
    const end = async (graceMs: number): Promise<void> => {
      if (child) await endGroup(child, graceMs);
    };

    const replica: Replica = {
      index,
      address,
      port,
      url,
      modelsDir,
      logFile,
      get pid() {
        return running() ? child?.pid : undefined;
      },
      get running() {
        return running();
      },
      stop: () => end(10_000),
      kill: () => end(0),
      start,
      logTail: (lines = 30) => fileTail(logFile, lines),
    };
    replicas.push(replica);
    await start();
    return replica;
  };

  let extraAddresses = 0;
  const addAddress = (): string => {
    if (replicas.length + extraAddresses >= 253) throw new Error('the lab has no free address left');
    const address = `${LAB_NET}.${iface.subnet}.${254 - extraAddresses}`;
    run('ip', ['addr', 'add', `${address}/32`, 'dev', iface.name]);
    extraAddresses++;
    return address;
  };

  const removeAll = async (): Promise<void> => {
    await Promise.all(replicas.map((r) => r.kill()));
    spawnSync('ip', ['link', 'del', iface.name]);
    janitor.dispose();
    rmSync(labDir, { recursive: true, force: true });
  };

  try {
    for (let i = 0; i < n; i++) await addReplica();
  } catch (error) {
    await removeAll();
    throw error;
  }

  return {
    interfaceName: iface.name,
    subnet: `${LAB_NET}.${iface.subnet}.0/24`,
    get replicas(): readonly Replica[] {
      return replicas;
    },
    addReplica,
    addAddress,
    removeAll,
  };
}
