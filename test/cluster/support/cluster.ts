import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';

/**
 * What the cluster specs drive: the node scripts/test-cluster.sh brought up (with KEDA,
 * Traefik, a Kafka broker and a PostgreSQL of its own on the node's address, and the images
 * skaffold built), handed over in the environment. See that script for each variable.
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the cluster specs with npm run test:cluster`);
  return value;
}

export const cluster = {
  kubeconfig: required('KUBECONFIG'),
  bin: required('CLUSTER_BIN'),
  containerdSocket: required('CLUSTER_CONTAINERD_SOCKET'),
  helm: required('HELM'),
  chart: required('CLUSTER_CHART'),
  values: required('CLUSTER_VALUES'),
  /** skaffold build's --file-output: the six images, pushed to the node's registry. */
  buildOutput: required('CLUSTER_BUILD_OUTPUT'),
  namespace: process.env.CLUSTER_NAMESPACE ?? 'shoshizan',
  release: process.env.CLUSTER_RELEASE ?? 'shoshizan',
  /** Where the Ingress controller listens (host:port) and the host name the Ingress answers. */
  ingressAddress: required('CLUSTER_INGRESS_ADDRESS'),
  ingressHost: process.env.CLUSTER_INGRESS_HOST ?? 'shoshizan.localhost',
  /** The node's address on the cluster's bridge (pods reach the host there). */
  nodeIp: required('CLUSTER_NODE_IP'),
  /** The external Kafka and PostgreSQL, as the host reaches them. */
  kafkaBrokers: required('CLUSTER_KAFKA_BROKERS'),
  databaseUrl: required('CLUSTER_DATABASE_URL'),
  /** The database URL as the pods reach it (with the password), for the chart's Secret. */
  podDatabaseUrl: required('CLUSTER_POD_DATABASE_URL'),
};

const run = promisify(execFile);

async function tool(file: string, args: readonly string[], timeoutMs: number): Promise<string> {
  try {
    const { stdout } = await run(file, args, {
      env: { ...process.env, KUBECONFIG: cluster.kubeconfig },
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${file.split('/').pop()} ${args.join(' ')} failed: ${e.stderr || e.stdout || e.message}`);
  }
}

/** The cluster's own kubectl (the machine's /usr/bin/kubectl is another program). */
export function kubectl(args: readonly string[], timeoutMs = 120_000): Promise<string> {
  return tool(`${cluster.bin}/kubectl`, args, timeoutMs);
}

/** The fields of the objects the specs read. */
export interface KubeObject {
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
}
export interface Pod extends KubeObject {
  spec: { initContainers?: { name: string }[] };
  status: { conditions?: { type: string; status: string }[]; containerStatuses?: { restartCount: number }[] };
}
export interface List<T extends KubeObject = KubeObject> {
  items: T[];
}

/** kubectl in the release's namespace, parsing its JSON output. */
export async function getJson<T>(...args: string[]): Promise<T> {
  return JSON.parse(await kubectl(['-n', cluster.namespace, 'get', ...args, '-o', 'json'])) as T;
}

/** The items of a kind in a namespace (none given: in every namespace). */
export async function getJsonAll<T>(kind: string, namespace?: string): Promise<T[]> {
  const scope = namespace === undefined ? ['--all-namespaces'] : ['-n', namespace];
  return (JSON.parse(await kubectl(['get', kind, ...scope, '-o', 'json'])) as { items: T[] }).items;
}

export function helm(args: readonly string[], timeoutMs = 900_000): Promise<string> {
  return tool(cluster.helm, args, timeoutMs);
}

export function crictl(args: readonly string[]): Promise<string> {
  return tool(`${cluster.bin}/crictl`, ['--runtime-endpoint', `unix://${cluster.containerdSocket}`, ...args], 30_000);
}

/** Polls `probe` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A response of the Ingress: status, headers, and the body as a web stream or read whole. */
export interface IngressResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: ReadableStream<Uint8Array>;
  text(): Promise<string>;
  json<T = unknown>(): Promise<T>;
}

/** The Ingress controller's address and port (80 when the address names none). */
export function ingressHostPort(): { host: string; port: number } {
  const url = new URL(`http://${cluster.ingressAddress}`);
  return { host: url.hostname, port: Number(url.port || 80) };
}

/**
 * An HTTP request through the Ingress controller with the Ingress's host name (Node's fetch
 * would send the address as Host). Rejects on a network error, as fetch does.
 */
export function viaIngress(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal } = {},
): Promise<IngressResponse> {
  const { host, port } = ingressHostPort();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port,
        path,
        method: init.method ?? 'GET',
        headers: { host: cluster.ingressHost, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
        signal: init.signal,
      },
      (res) => {
        const body = Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>;
        const text = async () => {
          let all = '';
          const decoder = new TextDecoder();
          for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) all += decoder.decode(chunk, { stream: true });
          return all + decoder.decode();
        };
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json: async <T>() => JSON.parse(await text()) as T });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** The image references skaffold built, by the chart value each one sets. */
export function builtImages(buildOutput: { builds: { imageName: string; tag: string }[] }): Record<string, string> {
  const valueOf: Record<string, string> = {
    'shoshizan/gateway': 'gateway.image',
    'shoshizan/kafka-producer': 'kafkaProducer.image',
    'shoshizan/kafka-consumer': 'kafkaConsumer.image',
    'shoshizan/gpt-api': 'gptApi.image',
    'shoshizan/ui': 'ui.image',
    'shoshizan/model-operator': 'modelOperator.image',
  };
  const images: Record<string, string> = {};
  for (const build of buildOutput.builds) {
    const key = valueOf[build.imageName.replace(/^.*?(shoshizan\/)/, '$1')];
    if (key) images[key] = build.tag;
  }
  const missing = Object.values(valueOf).filter((key) => !images[key]);
  if (missing.length > 0) throw new Error(`the build output lacks ${missing.join(', ')}`);
  return images;
}
