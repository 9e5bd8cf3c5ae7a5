// A private kube-apiserver (with its etcd) for the server-side dry-run tests: typed access
// to what scripts/infra/kube-apiserver.sh builds and starts. The script is the one place
// that knows versions, paths and flags; this module starts an instance in a temporary
// folder of its own (free loopback ports, a fresh etcd), talks to it over HTTPS with the
// admin token the script made, and stops it again. Nothing here leaves the machine.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

interface ScriptEnv {
  readonly kubernetesVersion: string;
  readonly etcdVersion: string;
  readonly bin: Readonly<Record<'kube-apiserver' | 'etcd', string>>;
  readonly home: string;
}

interface Instance {
  readonly url: string;
  readonly token: string;
  readonly caFile: string;
  readonly kubeconfig: string;
  readonly etcdUrl: string;
  readonly dir: string;
  readonly version: string;
  readonly logs: Readonly<Record<'kube-apiserver' | 'etcd', string>>;
}

export interface HttpResult {
  readonly status: number;
  readonly text: string;
  /** The API server's `Warning:` headers (deprecations, ignored fields, ...). */
  readonly warnings: string[];
}

/** The outcome of a server-side apply of one object. */
export interface ApplyResult {
  /** `Kind/name (apiVersion)`, with `namespace/` in front for namespaced objects. */
  readonly object: string;
  readonly accepted: boolean;
  /** HTTP status (0 when the object never reached the server, e.g. an unknown kind). */
  readonly status: number;
  /** The server's message when refused. */
  readonly message: string;
  readonly warnings: string[];
}

interface Resource {
  readonly plural: string;
  readonly namespaced: boolean;
}

interface ObjectHead {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown };
}

const ROOT = resolve(__dirname, '../../..');
const SCRIPT = join(ROOT, 'scripts/infra/kube-apiserver.sh');
const INSTALL_HINT = 'run `bash scripts/infra/kube-apiserver.sh install` from the repository root (about 10 minutes the first time)';
const REQUEST_TIMEOUT_MS = 60_000;

function script(args: string[], env: Record<string, string> = {}): string {
  const result = spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error(`${SCRIPT} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr}`);
  return result.stdout;
}

const ENV = JSON.parse(script(['env'])) as ScriptEnv;

/**
 * The raw CRD files that k8s-tools.sh collects (KEDA, Strimzi, the Prometheus Operator):
 * the same ones kubeconform's CRD schemas and cdk8s/imports are made from.
 */
export const CRD_DIR = (() => {
  const result = spawnSync('bash', [join(ROOT, 'scripts/infra/k8s-tools.sh'), 'path', 'crds'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`k8s-tools.sh path crds failed: ${result.stderr}`);
  return result.stdout.trim();
})();

/** The pinned versions: kube-apiserver as `v1.N.M`, etcd as `v3.N.M`. */
export const APISERVER_VERSIONS = { kubernetes: ENV.kubernetesVersion, etcd: ENV.etcdVersion } as const;

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/**
 * Splits a multi-document YAML stream into its documents, as text, dropping those with
 * nothing but comments (what a `{{ if }}` that is false leaves behind in `helm template`).
 */
export function yamlDocuments(stream: string): string[] {
  return stream
    .split(/^---[ \t]*$/m)
    .filter((doc) => doc.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('#')));
}

/**
 * The texts of the `Warning: 299 - "text"` headers (RFC 7234: a quoted string with
 * backslash escapes). From the raw headers: Node joins repeated headers with commas.
 */
function warningsOf(rawHeaders: string[]): string[] {
  const texts: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() !== 'warning') continue;
    for (const [, quoted] of (rawHeaders[i + 1] ?? '').matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)) texts.push((quoted ?? '').replace(/\\(.)/g, '$1'));
  }
  return texts;
}

export class TestApiServer {
  private readonly discovery = new Map<string, Promise<Map<string, Resource>>>();

  private constructor(
    private readonly instance: Instance,
    private readonly ca: string,
  ) {}

  /**
   * Starts a private etcd and kube-apiserver in a new temporary folder. Should this process
   * die before stop(), the script's watcher stops them (KUBE_APISERVER_OWNER_PID).
   */
  static start(): TestApiServer {
    for (const [name, path] of Object.entries(ENV.bin)) {
      if (!existsSync(path)) throw new Error(`${name} is not built (expected at ${path}): ${INSTALL_HINT}`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'shoshizan-apiserver-'));
    try {
      const instance = JSON.parse(script(['start'], { KUBE_APISERVER_DIR: dir, KUBE_APISERVER_OWNER_PID: String(process.pid) })) as Instance;
      return new TestApiServer(instance, readFileSync(instance.caFile, 'utf8'));
    } catch (error) {
      script(['stop'], { KUBE_APISERVER_DIR: dir });
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  get url(): string {
    return this.instance.url;
  }

  /** A kubeconfig file for the admin (for helm and kubectl, and as KUBECONFIG of a process under test). */
  get kubeconfig(): string {
    return this.instance.kubeconfig;
  }

  /** Stops both processes and removes the instance's folder (etcd data, certificates, logs). */
  stop(): void {
    script(['stop'], { KUBE_APISERVER_DIR: this.instance.dir });
    rmSync(this.instance.dir, { recursive: true, force: true });
  }

  /** The last lines of the API server's log, for failure messages. */
  logTail(lines = 40): string {
    const log = this.instance.logs['kube-apiserver'];
    return existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-lines).join('\n') : '';
  }

  /** One HTTPS request as the admin, trusting only the server's own certificate. */
  request(method: string, path: string, body?: string, contentType = 'application/json'): Promise<HttpResult> {
    return new Promise((done, fail) => {
      const req = request(
        new URL(path, this.instance.url),
        {
          method,
          ca: this.ca,
          timeout: REQUEST_TIMEOUT_MS,
          headers: {
            Authorization: `Bearer ${this.instance.token}`,
            Accept: 'application/json',
            ...(body === undefined ? {} : { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', fail);
          res.on('end', () => {
            done({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), warnings: warningsOf(res.rawHeaders) });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', fail);
      req.end(body);
    });
  }

  private async getJson<T>(path: string): Promise<T> {
    const res = await this.request('GET', path);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text}`);
    return JSON.parse(res.text) as T;
  }

  private static groupVersionPath(apiVersion: string): string {
    return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  }

  /** The resources of one group/version by kind, from API discovery (cached). */
  private resources(apiVersion: string, refresh = false): Promise<Map<string, Resource>> {
    let cached = this.discovery.get(apiVersion);
    if (!cached || refresh) {
      cached = this.request('GET', TestApiServer.groupVersionPath(apiVersion)).then((res) => {
        const kinds = new Map<string, Resource>();
        if (res.status === 404) return kinds; // a group/version the server does not serve
        if (res.status !== 200) throw new Error(`discovery of ${apiVersion}: ${res.status} ${res.text}`);
        const list = JSON.parse(res.text) as { resources: Array<{ name: string; kind: string; namespaced: boolean }> };
        // Subresources (deployments/scale) share kinds with others; only top-level names count.
        for (const r of list.resources) if (!r.name.includes('/')) kinds.set(r.kind, { plural: r.name, namespaced: r.namespaced });
        return kinds;
      });
      this.discovery.set(apiVersion, cached);
    }
    return cached;
  }

  /**
   * Creates (server-side applies) every CRD in the YAML files of `dir` and waits until each
   * is Established and served, its kind listed in discovery.
   */
  async installCrds(dir: string, timeoutMs = 60_000): Promise<string[]> {
    if (!existsSync(dir)) throw new Error(`no CRDs at ${dir}: run \`bash scripts/infra/k8s-tools.sh install\` from the repository root`);
    const names: string[] = [];
    const served: Array<{ apiVersion: string; kind: string }> = [];
    for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      for (const doc of yamlDocuments(readFileSync(join(dir, file), 'utf8'))) {
        const crd = parse(doc) as {
          metadata: { name: string };
          spec: { group: string; names: { kind: string }; versions: Array<{ name: string; served: boolean }> };
        };
        const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}?fieldManager=shoshizan-test&force=true`;
        const res = await this.request('PATCH', path, doc, 'application/apply-patch+yaml');
        if (res.status !== 200 && res.status !== 201) throw new Error(`could not create the CRD ${crd.metadata.name} from ${file}: ${res.status} ${res.text}`);
        names.push(crd.metadata.name);
        for (const v of crd.spec.versions.filter((x) => x.served)) served.push({ apiVersion: `${crd.spec.group}/${v.name}`, kind: crd.spec.names.kind });
      }
    }
    const deadline = Date.now() + timeoutMs;
    const waitFor = async (what: string, ready: () => Promise<boolean>): Promise<void> => {
      while (!(await ready())) {
        if (Date.now() > deadline) throw new Error(`${what} not within ${timeoutMs} ms`);
        await sleep(200);
      }
    };
    for (const name of names) {
      await waitFor(`CRD ${name} Established`, async () => {
        const crd = await this.getJson<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(
          `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
        );
        return (crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
      });
    }
    for (const { apiVersion, kind } of served) {
      await waitFor(`${kind} (${apiVersion}) in discovery`, async () => (await this.resources(apiVersion, true)).has(kind));
    }
    return names;
  }

  /** Creates a namespace, with these labels, unless it exists. */
  async ensureNamespace(name: string, labels: Record<string, string> = {}): Promise<void> {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
    const res = await this.request('POST', '/api/v1/namespaces', body);
    if (res.status !== 201 && res.status !== 409) throw new Error(`could not create namespace ${name}: ${res.status} ${res.text}`);
  }

  /**
   * Server-side apply of one object, as YAML text exactly as a manifest file holds it (the
   * server parses it, with the YAML rules kubectl and helm use). With `dryRun` (the
   * default) nothing is stored: the object goes through decoding, strict field validation,
   * defaulting, validation and admission, and is then dropped. Namespaced objects without
   * a namespace go to `defaultNamespace`.
   */
  async apply(yamlDoc: string, opts: { defaultNamespace: string; dryRun?: boolean }): Promise<ApplyResult> {
    let head: ObjectHead | null;
    try {
      // Only for the URL; duplicate keys and the like are the server's to refuse.
      head = parse(yamlDoc, { uniqueKeys: false }) as ObjectHead | null;
    } catch (error) {
      return { object: '?', accepted: false, status: 0, message: `not YAML: ${(error as Error).message}`, warnings: [] };
    }
    const apiVersion = typeof head?.apiVersion === 'string' ? head.apiVersion : '';
    const kind = typeof head?.kind === 'string' ? head.kind : '';
    const name = typeof head?.metadata?.name === 'string' ? head.metadata.name : '';
    const label = `${kind || '?'}/${name || '?'} (${apiVersion || '?'})`;
    const refused = (message: string, status = 0): ApplyResult => ({ object: label, accepted: false, status, message, warnings: [] });
    if (!apiVersion || !kind || !name) return refused('apiVersion, kind and metadata.name are required');
    const resource = (await this.resources(apiVersion)).get(kind);
    if (!resource) return refused(`the server has no resource of kind ${kind} in ${apiVersion}`);
    const namespace = typeof head?.metadata?.namespace === 'string' ? head.metadata.namespace : opts.defaultNamespace;
    const scope = resource.namespaced ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    const query = new URLSearchParams({ fieldManager: 'shoshizan', fieldValidation: 'Strict' });
    if (opts.dryRun ?? true) query.set('dryRun', 'All');
    const path = `${TestApiServer.groupVersionPath(apiVersion)}${scope}/${resource.plural}/${encodeURIComponent(name)}?${query.toString()}`;
    const res = await this.request('PATCH', path, yamlDoc, 'application/apply-patch+yaml');
    const object = resource.namespaced ? `${namespace}/${label}` : label;
    if (res.status === 200 || res.status === 201) return { object, accepted: true, status: res.status, message: '', warnings: res.warnings };
    let message = res.text;
    try {
      message = (JSON.parse(res.text) as { message?: string }).message ?? res.text;
    } catch {
      // not a Status object: keep the body as it is
    }
    return { object, accepted: false, status: res.status, message, warnings: res.warnings };
  }
}
