// The Kubernetes validation tools for the chart and construct tests: typed wrappers around
// the binaries and offline schemas that scripts/infra/k8s-tools.sh builds. The script is
// the one place that knows versions and paths; this module asks it (`k8s-tools.sh env`).
// Nothing here touches the network: kubeconform reads only local schemas, helm gets a
// config home of its own, skaffold runs without update checks or prompts.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { ollamaModelCrdManifest } from '../../src/constructs/ollama-model-crd';

export type ToolName = 'helm' | 'kubeconform' | 'kube-score' | 'skaffold';

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number;
}

export interface RunOptions {
  /** Working directory. @default the repository root */
  readonly cwd?: string;
  /** Written to the tool's standard input. @default nothing */
  readonly input?: string;
  /** Added to (and overriding) the environment the tool gets. @default none */
  readonly env?: Readonly<Record<string, string>>;
}

export interface KubeconformResult {
  /** True when every resource matched its schema and none lacked one. */
  readonly valid: boolean;
  /** One line per problem: `Kind/name (apiVersion): /json/path: message`. */
  readonly problems: string[];
  /** How many resources (non-empty YAML documents) were checked. */
  readonly resources: number;
}

export type KubeScoreGrade = 'CRITICAL' | 'WARNING' | 'ALMOST_OK';

export interface KubeScoreFinding {
  /** `Kind/name`, with `namespace/` in front when the object has one. */
  readonly object: string;
  /** kube-score's check id, e.g. `container-resources` (what --ignore-test takes). */
  readonly check: string;
  readonly grade: KubeScoreGrade;
  /** kube-score's comments: `path: summary` (path may be empty). */
  readonly comments: string[];
}

interface ToolsEnv {
  readonly home: string;
  readonly crds: string;
  readonly schemas: string;
  readonly kubernetesVersions: readonly [string, string];
  readonly schemaLocations: readonly string[];
  readonly tools: Readonly<Record<ToolName, string>>;
  readonly versions: Readonly<Record<ToolName, string>>;
}

const ROOT = resolve(__dirname, '../../..');
const SCRIPT = join(ROOT, 'scripts/infra/k8s-tools.sh');
const INSTALL_HINT = 'run `bash scripts/infra/k8s-tools.sh install` from the repository root';
// Rendered charts of the whole system stay far below this; the default 1 MiB does not.
const MAX_OUTPUT = 64 * 1024 * 1024;

function loadEnv(): ToolsEnv {
  const result = spawnSync('bash', [SCRIPT, 'env'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${SCRIPT} env failed (${result.status ?? result.signal}): ${result.stderr}`);
  return JSON.parse(result.stdout) as ToolsEnv;
}

const ENV = loadEnv();

/**
 * The Kubernetes versions there are schemas for: the current release first, then the
 * oldest the chart supports (1.27). Full x.y.z versions, as kubeconform wants them.
 */
export const KUBERNETES_VERSIONS: readonly [current: string, oldest: string] = ENV.kubernetesVersions;

/** The pinned version of each tool, as its own version command prints it (v3.22.0, v0.8.0, ...). */
export const TOOL_VERSIONS: Readonly<Record<ToolName, string>> = ENV.versions;

/** Absolute path of a tool's binary; throws, saying how to install it, when it is missing. */
export function tool(name: ToolName): string {
  const path = ENV.tools[name];
  if (!existsSync(path)) throw new Error(`${name} is not installed (expected at ${path}): ${INSTALL_HINT}`);
  return path;
}

function run(name: ToolName, args: readonly string[], opts: RunOptions & { baseEnv?: Record<string, string> } = {}): RunResult {
  const result = spawnSync(tool(name), args, {
    cwd: opts.cwd ?? ROOT,
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: MAX_OUTPUT,
    env: { ...process.env, ...opts.baseEnv, ...opts.env },
  });
  if (result.error) throw new Error(`${name} ${args.join(' ')}: ${result.error.message}`);
  if (result.status === null) throw new Error(`${name} ${args.join(' ')} was killed by ${result.signal}`);
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

function requireDir(path: string, what: string): void {
  if (!existsSync(path)) throw new Error(`${what} are missing (expected at ${path}): ${INSTALL_HINT}`);
}

function schemaDirs(kubernetesVersion: string): [kubernetes: string, crds: string] {
  if (!KUBERNETES_VERSIONS.includes(kubernetesVersion)) {
    throw new Error(`no schemas for Kubernetes ${kubernetesVersion}; there are: ${KUBERNETES_VERSIONS.join(', ')}`);
  }
  const dirs: [string, string] = [join(ENV.schemas, 'kubernetes', `v${kubernetesVersion}-standalone-strict`), join(ENV.schemas, 'crds')];
  requireDir(dirs[0], `the Kubernetes ${kubernetesVersion} schemas`);
  requireDir(dirs[1], 'the CRD schemas');
  return dirs;
}

/**
 * Every apiVersion and kind that kubeconform has a schema for at this Kubernetes version,
 * the CRDs' included (from the _index.json the schema converter writes beside them).
 */
export function knownKinds(kubernetesVersion: string): Array<{ apiVersion: string; kind: string }> {
  const kinds = new Map<string, { apiVersion: string; kind: string }>();
  for (const dir of schemaDirs(kubernetesVersion)) {
    const index = JSON.parse(readFileSync(join(dir, '_index.json'), 'utf8')) as Record<string, { group: string; version: string; kind: string }>;
    for (const { group, version, kind } of Object.values(index)) {
      const apiVersion = group === '' ? version : `${group}/${version}`;
      kinds.set(`${apiVersion} ${kind}`, { apiVersion, kind });
    }
  }
  return [...kinds.values()];
}

interface KubeconformResource {
  kind: string;
  name: string;
  version: string;
  status: 'statusValid' | 'statusInvalid' | 'statusError' | 'statusSkipped' | 'statusEmpty';
  msg: string;
}

/**
 * kubeconform's message holds every failing leaf as ` - at '/path': message`; the
 * validationErrors it lists beside it stop at the first level (`/spec: validation failed`).
 */
function leafProblems(msg: string): string[] {
  const leaves = [...msg.matchAll(/- at '([^']*)': (.*?)(?=\s+- at '|$)/gs)]
    .map(([, path, text]) => ({ path: path ?? '', text: (text ?? '').trim() }))
    .filter(({ text }) => text !== 'validation failed');
  return leaves.length > 0 ? leaves.map(({ path, text }) => `${path || '/'}: ${text}`) : [msg];
}

/**
 * The schemas of the project's own CRDs (the OllamaModel CRD of the chart's crds/, from
 * ollamaModelCrd()), made by k8s-tools.sh's own converter (scripts/infra/k8s-tools/
 * jsonschema.mjs) into the tools cache, in a folder named after the CRDs' digest: made once
 * per change of the CRDs, in the layout of the third-party CRDs' schemas.
 */
export function projectCrdSchemas(): string {
  const yaml = stringify(ollamaModelCrdManifest());
  const dir = join(ENV.home, 'project-crds', createHash('sha256').update(yaml).digest('hex').slice(0, 16));
  if (existsSync(join(dir, '_index.json'))) return dir;
  const work = `${dir}.${process.pid}.new`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'crds.yaml'), yaml);
  const converter = join(ROOT, 'scripts/infra/k8s-tools/jsonschema.mjs');
  const result = spawnSync(process.execPath, [converter, 'crd', join(work, 'schemas'), join(work, 'crds.yaml')], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${converter} failed on the project's CRDs: ${result.stderr}`);
  try {
    renameSync(join(work, 'schemas'), dir);
  } catch (error) {
    if (!existsSync(join(dir, '_index.json'))) throw error; // another worker made it first
  }
  rmSync(work, { recursive: true, force: true });
  return dir;
}

/**
 * Validates manifests against the offline schemas of one Kubernetes version plus the CRD
 * schemas (the project's own included), in strict mode: unknown fields, wrong types,
 * duplicate keys and resource kinds without a schema (a removed API version, a CRD we have
 * no schema for) all fail.
 */
export function kubeconform(manifestsYaml: string, opts: { kubernetesVersion: string }): KubeconformResult {
  schemaDirs(opts.kubernetesVersion);
  const args = ['-strict', '-output', 'json', '-verbose', '-kubernetes-version', opts.kubernetesVersion];
  for (const location of ENV.schemaLocations) args.push('-schema-location', location);
  args.push('-schema-location', join(projectCrdSchemas(), '{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json'));
  // No file arguments: the manifests come on standard input.
  const result = run('kubeconform', args, { input: manifestsYaml });
  let report: { resources: KubeconformResource[] | null };
  try {
    report = JSON.parse(result.stdout) as typeof report;
  } catch {
    throw new Error(`kubeconform exited ${result.status} without a JSON report: ${result.stderr || result.stdout}`);
  }
  const checked = (report.resources ?? []).filter((r) => r.status !== 'statusEmpty');
  const problems = checked
    .filter((r) => r.status !== 'statusValid')
    .flatMap((r) => {
      const object = `${r.kind}/${r.name} (${r.version})`;
      return r.status === 'statusInvalid' ? leafProblems(r.msg).map((p) => `${object}: ${p}`) : [`${object}: ${r.msg || r.status}`];
    });
  return { valid: result.status === 0 && problems.length === 0, problems, resources: checked.length };
}

/**
 * Runs helm with its own config, cache and data folders under the tools cache, so no
 * repository or plugin of the user's is seen (and no `helm repo update` reaches out).
 */
export function helm(args: readonly string[], opts: RunOptions = {}): RunResult {
  const home = join(ENV.home, 'helm-home');
  const baseEnv = { HELM_CONFIG_HOME: join(home, 'config'), HELM_CACHE_HOME: join(home, 'cache'), HELM_DATA_HOME: join(home, 'data') };
  for (const dir of Object.values(baseEnv)) mkdirSync(dir, { recursive: true });
  return run('helm', args, { ...opts, baseEnv });
}

interface KubeScoreObject {
  type_meta: { kind?: string };
  object_meta: { name?: string; namespace?: string };
  checks: Array<{
    check: { id: string };
    grade: number;
    skipped: boolean;
    comments: Array<{ path: string; summary: string }> | null;
  }> | null;
}

const GRADES: Readonly<Record<number, KubeScoreGrade>> = { 1: 'CRITICAL', 5: 'WARNING', 7: 'ALMOST_OK' };

/**
 * Scores manifests with kube-score and returns every check that did not pass (grade below
 * "all OK"), skipped checks left out.
 */
export function kubeScore(
  manifestsYaml: string,
  opts: {
    /** Check ids to leave out (kube-score --ignore-test). @default none */
    ignoreTests?: string[];
    /** The x.y.z version the checks assume. @default the current one of KUBERNETES_VERSIONS */
    kubernetesVersion?: string;
  } = {},
): KubeScoreFinding[] {
  const [major, minor] = (opts.kubernetesVersion ?? KUBERNETES_VERSIONS[0]).split('.');
  const args = ['score', '--output-format', 'json', '--output-version', 'v2', '--kubernetes-version', `v${major}.${minor}`];
  for (const id of opts.ignoreTests ?? []) args.push('--ignore-test', id);
  args.push('-');
  const result = run('kube-score', args, { input: manifestsYaml });
  // Exit 1 only says that something scored critical; the report is on stdout either way.
  let objects: KubeScoreObject[] | null;
  try {
    objects = JSON.parse(result.stdout) as KubeScoreObject[] | null;
  } catch {
    throw new Error(`kube-score exited ${result.status} without a JSON report: ${result.stderr || result.stdout}`);
  }
  return (objects ?? []).flatMap((o) => {
    const object = `${o.object_meta.namespace ? `${o.object_meta.namespace}/` : ''}${o.type_meta.kind ?? '?'}/${o.object_meta.name ?? ''}`;
    return (o.checks ?? [])
      .filter((c) => !c.skipped && c.grade < 10)
      .map((c) => ({
        object,
        check: c.check.id,
        grade: GRADES[c.grade] ?? 'CRITICAL',
        comments: (c.comments ?? []).map((m) => (m.path ? `${m.path}: ${m.summary}` : m.summary)),
      }));
  });
}

/** Runs skaffold in `cwd` without prompts or update checks. */
export function skaffold(args: readonly string[], cwd: string): RunResult {
  return run('skaffold', args, { cwd, baseEnv: { SKAFFOLD_INTERACTIVE: 'false', SKAFFOLD_UPDATE_CHECK: 'false' } });
}
