import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { skaffold, tool } from './support/k8s-tools';

/**
 * skaffold.yaml checked by skaffold itself: the config parses for each profile, and
 * `skaffold render` (offline, no images built) renders the chart with every artifact's image.
 */
const ROOT = resolve(__dirname, '../..');
const ARTIFACTS = ['gateway', 'kafka-producer', 'kafka-consumer', 'gpt-api', 'ui', 'model-operator'];

beforeAll(() => {
  // skaffold runs helm from PATH.
  process.env.PATH = `${dirname(tool('helm'))}:${process.env.PATH ?? ''}`;
  process.env.SKAFFOLD_COLLECT_METRICS = 'false';
});

function render(profile?: string): Record<string, any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  const result = skaffold(['render', '--offline', '--digest-source=tag', ...(profile ? ['-p', profile] : [])], ROOT);
  if (result.status !== 0) throw new Error(`skaffold render failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout).map((d) => d.toJS() as Record<string, any>).filter(Boolean); // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('skaffold.yaml', () => {
  it.each([[undefined], ['kind'], ['gpu'], ['local-cluster']])('passes skaffold diagnose (profile %s)', (profile) => {
    const result = skaffold(['diagnose', '--yaml-only', ...(profile ? ['-p', profile] : [])], ROOT);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const config = parse(result.stdout) as { build: { artifacts: { image: string }[] } };
    expect(config.build.artifacts.map((a) => a.image)).toEqual(ARTIFACTS.map((a) => `shoshizan/${a}`));
  });

  it('builds for the local cluster: pushed with BuildKit on the host network, with the values naming the Ollama image', () => {
    // scripts/infra/cluster/images.sh builds with this profile; the values file is not rendered here.
    const result = skaffold(['diagnose', '--yaml-only', '-p', 'local-cluster'], ROOT);
    expect(result.status).toBe(0);
    const config = parse(result.stdout) as {
      build: { local: Record<string, unknown>; insecureRegistries: string[]; artifacts: { docker: { network?: string } }[] };
      manifests: { helm: { releases: { valuesFiles: string[] }[] } };
    };
    expect(config.build.local).toMatchObject({ push: true, useBuildkit: true });
    expect(config.build.insecureRegistries).toEqual(['10.244.0.1:5000']);
    for (const artifact of config.build.artifacts) expect(artifact.docker.network).toBe('host');
    const [release] = config.manifests.helm.releases;
    expect(release!.valuesFiles).toEqual([resolve(ROOT, 'charts/shoshizan/ci/local-cluster-values.yaml')]);
    const values = parse(readFileSync(release!.valuesFiles[0]!, 'utf8')) as { ollama: { image: string } };
    expect(values.ollama.image).toMatch(/^10\.244\.0\.1:5000\/shoshizan\/ollama:\d+\.\d+\.\d+-gemma3-270m$/);
  });

  it('renders the chart with the kind values and the image of every artifact', () => {
    const objects = render();
    const images = new Set(objects.flatMap((o) => (o.spec?.template?.spec?.containers ?? []).map((c: { image: string }) => c.image)));
    for (const a of ARTIFACTS) expect(images).toContain(`shoshizan/${a}:latest`);
    const ollama = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'shoshizan-ollama');
    expect(ollama?.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBeUndefined();
    expect(objects.some((o) => o.kind === 'ServiceMonitor')).toBe(false);
  });

  it('renders the gpu profile with GPU limits and placement', () => {
    const ollama = render('gpu').find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'shoshizan-ollama');
    expect(ollama?.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(2);
    expect(ollama?.spec.template.spec.runtimeClassName).toBe('nvidia');
  });
});
