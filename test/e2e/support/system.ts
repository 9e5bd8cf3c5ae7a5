import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

/**
 * The system under test: the four services started as separate processes from their
 * builds, against the real PostgreSQL, Kafka and Ollama of local mode (npm test starts or
 * reuses them). Each run gets its own topic prefix and database, so it neither sees nor
 * disturbs a system started with `npm start`.
 */
export const ROOT = resolve(__dirname, '../../..');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'e2e');

const home = process.env.SHOSHIZAN_HOME ?? join(process.env.HOME ?? '/root', '.cache', 'shoshizan');
export const infra = {
  kafkaBrokers: process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.KAFKA_PORT ?? 19092}`,
  databaseUrl: process.env.DATABASE_URL ?? `postgres://shoshizan@127.0.0.1:${process.env.POSTGRES_PORT ?? 15432}/shoshizan`,
  ollamaHost: process.env.OLLAMA_HOST ?? `http://127.0.0.1:${process.env.OLLAMA_PORT ?? 21434}`,
  model: process.env.DEFAULT_MODEL ?? process.env.OLLAMA_MODEL ?? 'smollm2:135m',
  home,
};

export type ServiceName = 'gateway' | 'kafka-producer' | 'kafka-consumer' | 'gpt-api';

export interface RunningService {
  readonly name: ServiceName;
  /** The API: http://127.0.0.1:<PORT>. */
  readonly url: string;
  /** Where Prometheus scrapes it: http://127.0.0.1:<METRICS_PORT>/metrics. */
  readonly metricsUrl: string;
  readonly process: ChildProcess;
}

/** A port nothing listens on at `host` right now (the kernel's choice). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A fresh database on the local cluster; returns its URL and a function that drops it. */
export async function createDatabase(name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = new URL(infra.databaseUrl);
  adminUrl.pathname = '/postgres';
  const admin = new Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(infra.databaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new Client({ connectionString: adminUrl.toString() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

async function waitReady(service: RunningService, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (service.process.exitCode !== null) {
      throw new Error(`${service.name} exited with ${service.process.exitCode}; see ${logFile}`);
    }
    try {
      const response = await fetch(`${service.url}/health/ready`, { signal: AbortSignal.timeout(3000) });
      if (response.ok) return;
      last = await response.text();
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${service.name} was not ready after ${timeoutMs} ms (last answer: ${last}); see ${logFile}`);
}

/** Starts one service from its build; its output goes to test-artifacts/e2e/<logName>.log. */
export async function startService(
  name: ServiceName,
  env: Record<string, string>,
  logName: string,
): Promise<RunningService> {
  const port = await freePort();
  let metricsPort = await freePort();
  while (metricsPort === port) metricsPort = await freePort();
  mkdirSync(ARTIFACTS, { recursive: true });
  const logFile = join(ARTIFACTS, `${logName}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [join(ROOT, 'services', name, 'dist', 'main.js')], {
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), METRICS_PORT: String(metricsPort), HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const service = { name, url: `http://127.0.0.1:${port}`, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, process: child };
  await waitReady(service, 120_000, logFile);
  return service;
}

/** A service's metrics as Prometheus scrapes them, from its metrics port. */
export async function scrape(service: RunningService): Promise<string> {
  const response = await fetch(service.metricsUrl);
  if (!response.ok) throw new Error(`${service.name}: GET ${service.metricsUrl} answered ${response.status}`);
  return response.text();
}

/** SIGTERM, then the exit code (null if it had to be killed). */
export async function stopService(service: RunningService, timeoutMs = 30_000): Promise<number | null> {
  if (service.process.exitCode !== null) return service.process.exitCode;
  const exited = new Promise<number | null>((r) => service.process.once('exit', (code) => r(code)));
  service.process.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
  const result = await Promise.race([exited, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') {
    service.process.kill('SIGKILL');
    await exited;
    return null;
  }
  return result;
}

/**
 * An Ollama server of a test's own (the local-mode binary and models, another port), for
 * tests that stop and start Ollama without disturbing the one other tests use.
 */
export class OwnOllama {
  private child: ChildProcess | undefined;
  readonly url: string;

  constructor(
    readonly port: number,
    /** OLLAMA_NUM_PARALLEL: generations it runs at once. */
    readonly numParallel = 1,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  async start(logName: string): Promise<void> {
    const binary = execFileSync('bash', [join(ROOT, 'scripts/infra/ollama.sh'), 'binary'], { encoding: 'utf8' }).trim();
    mkdirSync(ARTIFACTS, { recursive: true });
    const log = createWriteStream(join(ARTIFACTS, `${logName}.log`), { flags: 'a' });
    this.child = spawn(binary, ['serve'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/root',
        OLLAMA_HOST: `127.0.0.1:${this.port}`,
        OLLAMA_MODELS: join(infra.home, 'data', 'ollama'),
        // The models directory is shared with the local-mode server: never prune it.
        OLLAMA_NOPRUNE: '1',
        OLLAMA_NUM_PARALLEL: String(this.numParallel),
        OLLAMA_KEEP_ALIVE: '1m',
        OLLAMA_NO_CLOUD: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`ollama exited with ${this.child.exitCode}`);
      const up = await fetch(`${this.url}/api/version`).then((r) => r.ok, () => false);
      if (up) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`ollama on ${this.url} did not start`);
  }

  async stop(): Promise<void> {
    if (this.child) await terminate(this.child);
    this.child = undefined;
  }
}

/** Ends a child process of a test with SIGTERM and waits for its exit (at once when it has exited). */
export async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/**
 * A Kafka broker of a test's own (scripts/infra/kafka.sh with its own instance name and
 * ports), for tests that stop and restart the broker.
 */
export class OwnKafka {
  readonly instance: string;
  constructor(
    readonly port: number,
    readonly controllerPort: number,
    name: string,
  ) {
    this.instance = `kafka-${name}`;
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  private run(command: 'start' | 'stop' | 'reset'): void {
    execFileSync('bash', [join(ROOT, 'scripts/infra/kafka.sh'), command], {
      env: {
        ...process.env,
        KAFKA_INSTANCE: this.instance,
        KAFKA_PORT: String(this.port),
        KAFKA_CONTROLLER_PORT: String(this.controllerPort),
        KAFKA_HEAP: '-Xms128m -Xmx512m',
      },
      stdio: ['ignore', 'ignore', 'pipe'], // its log lines; a failure throws with them
    });
  }

  start(): void {
    this.run('start');
  }

  stop(): void {
    this.run('stop');
  }

  /** Stops the broker and deletes its data. */
  remove(): void {
    this.run('reset');
  }
}
