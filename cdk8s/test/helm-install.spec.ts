import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeChart } from '../src/chart/write-chart';
import { ollamaModelCrdManifest } from '../src/constructs/ollama-model-crd';
import { CRD_DIR, TestApiServer } from './support/apiserver';
import { helm } from './support/k8s-tools';

/**
 * The OllamaModel CRD and the OllamaModels of `ollama.models` through real `helm install`,
 * `upgrade` and `uninstall` against a private kube-apiserver that has never seen the CRD:
 * what the server-side dry-run cannot show, since it needs the CRD installed beforehand.
 * Helm maps every object of a release to an API before it creates any, so a CRD in
 * templates/ and objects of its kind cannot be installed together (the first test shows
 * that); the chart ships the CRD in crds/, which Helm creates first. There is no kubelet
 * nor controller here, so hooks are skipped (--no-hooks: their Jobs would never run); the
 * hook Job's script, which keeps the CRD up to date, runs here with node, as the admin.
 */
const NAMESPACE = 'shoshizan';
const CRD_NAME = ollamaModelCrdManifest().metadata.name;

let server: TestApiServer;
let work: string;
let chartDir: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'shoshizan-helm-install-'));
  chartDir = join(work, 'shoshizan');
  writeChart(chartDir);
  server = TestApiServer.start();
  // The chart's prerequisites (KEDA's ScaledObject, the ServiceMonitor); not its own CRD.
  await server.installCrds(CRD_DIR);
}, 300_000);

afterAll(() => {
  server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
}, 120_000);

/** helm against the private server; its discovery cache in a folder of this run. */
function helmHere(args: string[]): { stdout: string; stderr: string; status: number } {
  return helm(args, { env: { KUBECONFIG: server.kubeconfig, HOME: work } });
}

async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await server.request('GET', path);
  return { status: res.status, body: (res.status === 200 ? JSON.parse(res.text) : undefined) as T };
}

type Model = { metadata: { name: string; labels: Record<string, string> }; spec: Record<string, unknown> };
const modelsPath = `/apis/models.shoshizan.io/v1alpha1/namespaces/${NAMESPACE}/ollamamodels`;
const crdPath = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD_NAME}`;
const models = async (): Promise<Record<string, Record<string, unknown>>> =>
  Object.fromEntries((await getJson<{ items: Model[] }>(modelsPath)).body.items.map((m) => [m.metadata.name, m.spec]));

describe('helm install, upgrade and uninstall on a cluster without the OllamaModel CRD', () => {
  it('shows why crds/: a CRD in templates/ and an object of its kind fail `helm install` (no such kind yet)', () => {
    const crd = ollamaModelCrdManifest();
    const group = 'models.example.test'; // another group, so that this CRD is not the chart's
    const demo = join(work, 'crd-in-templates');
    mkdirSync(join(demo, 'templates'), { recursive: true });
    writeFileSync(join(demo, 'Chart.yaml'), stringify({ apiVersion: 'v2', name: 'demo', version: '0.1.0' }));
    writeFileSync(join(demo, 'templates', 'crd.yaml'), stringify({ ...crd, metadata: { name: `ollamamodels.${group}` }, spec: { ...crd.spec, group } }));
    const model = { apiVersion: `${group}/v1alpha1`, kind: 'OllamaModel', metadata: { name: 'm' }, spec: { name: 'm:1', source: { registry: { reference: 'library/m:1' } } } };
    writeFileSync(join(demo, 'templates', 'model.yaml'), stringify(model));
    const result = helmHere(['install', 'demo', demo, '--namespace', 'demo', '--create-namespace']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/no matches for kind "OllamaModel" in version "models\.example\.test\/v1alpha1"[\s\S]*ensure CRDs are installed first/);
  });

  it('installs: Helm creates the CRD from crds/ first, then the OllamaModels of ollama.models', async () => {
    expect((await getJson(crdPath)).status).toBe(404);
    const result = helmHere(['install', 'shoshizan', chartDir, '--namespace', NAMESPACE, '--create-namespace', '--no-hooks']);
    expect(`${result.status} ${result.stderr}`).toBe('0 ');
    const crd = await getJson<{ spec: unknown; metadata: { labels: Record<string, string> } }>(crdPath);
    expect(crd.body.spec).toMatchObject(ollamaModelCrdManifest().spec);
    expect(await models()).toEqual({ 'gemma3-270m': { name: 'gemma3:270m', source: { registry: { reference: 'library/gemma3:270m' } }, default: true } });
  });

  it('upgrades: a model added to ollama.models is created, one taken out deleted', async () => {
    const next = [{ name: 'llama3.2:1b', source: { registry: { reference: 'library/llama3.2:1b' } }, default: true, keepAlive: '5m' }];
    const result = helmHere(['upgrade', 'shoshizan', chartDir, '--namespace', NAMESPACE, '--no-hooks', '--set-json', `ollama.models=${JSON.stringify(next)}`]);
    expect(`${result.status} ${result.stderr}`).toBe('0 ');
    expect(await models()).toEqual({ 'llama3-2-1b': next[0] });
  });

  it("puts the chart's CRD back in place with the upgrade Job's command (a CRD changed since, or an older version's)", async () => {
    // An older CRD: a printer column less, and an extra one the chart does not have.
    const live = (await getJson<{ spec: { versions: { additionalPrinterColumns: { name: string }[] }[] } }>(crdPath)).body;
    const [version] = live.spec.versions;
    version!.additionalPrinterColumns = [{ name: 'Old', type: 'string', jsonPath: '.spec.name' } as never];
    const put = await server.request('PUT', crdPath, JSON.stringify(live));
    expect(put.status).toBe(200);

    // The Job's command, from the operator's build, as the admin (the Job uses its own
    // service account, allowed get and update on this one CRD).
    const crdFile = join(work, 'crd.json');
    writeFileSync(crdFile, JSON.stringify(ollamaModelCrdManifest()));
    const run = spawnSync(process.execPath, [join(__dirname, '../../services/model-operator/dist/main.js'), 'replace-crd'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', KUBECONFIG: server.kubeconfig, CRD_FILE: crdFile },
    });
    expect(`${run.status} ${run.stderr}`).toBe('0 ');
    expect(run.stdout).toContain('the spec of this chart is in place');
    const after = (await getJson<{ spec: unknown }>(crdPath)).body;
    expect(after.spec).toEqual(expect.objectContaining(ollamaModelCrdManifest().spec));
    expect(JSON.stringify(after.spec)).not.toContain('"Old"');
  });

  it('uninstalls: the OllamaModels go (here without an operator, so without finalizers), the CRD stays', async () => {
    const result = helmHere(['uninstall', 'shoshizan', '--namespace', NAMESPACE, '--no-hooks']);
    expect(`${result.status} ${result.stderr}`).toBe('0 ');
    expect(await models()).toEqual({});
    expect((await getJson(crdPath)).status).toBe(200);
    // And a new install finds it there (Helm skips a CRD of crds/ that exists).
    const again = helmHere(['install', 'again', chartDir, '--namespace', 'again', '--create-namespace', '--no-hooks', '--set', 'modelOperator.installCRD=false']);
    expect(`${again.status} ${again.stderr}`).toBe('0 ');
  });
});
