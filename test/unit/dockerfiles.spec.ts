import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { SERVICE_PORTS } from '@shoshizan/shared-interfaces';

/**
 * There is no Docker engine here, so the images are checked by reading their Dockerfiles:
 * what makes them production images (multi-stage, pinned base, production dependencies
 * only, non-root), that each one leaves its ports to the service and that its entry point
 * matches the service.
 */
const ROOT = resolve(__dirname, '../..');
const services = ['gateway', 'kafka-producer', 'kafka-consumer', 'gpt-api', 'model-operator'] as const;
type Service = (typeof services)[number];

const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const dockerfileOf = (name: Service): string => read(`services/${name}/Dockerfile`);
const instructions = (text: string): string[] =>
  text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
const finalStage = (text: string): string[] => {
  const lines = instructions(text);
  const lastFrom = lines.map((l) => l.startsWith('FROM ')).lastIndexOf(true);
  return lines.slice(lastFrom);
};

describe.each(services)('services/%s/Dockerfile', (name) => {
  const text = dockerfileOf(name);
  const lines = instructions(text);
  const final = finalStage(text);

  it('builds in stages from one pinned base image', () => {
    const froms = lines.filter((l) => l.startsWith('FROM '));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from).toMatch(/^FROM \$\{NODE_IMAGE\}( AS [a-z-]+)?$/);
    const base = lines.find((l) => l.startsWith('ARG NODE_IMAGE='));
    // Node.js 24 LTS, an exact release (test/unit/node-version.spec.ts: the one the tests run on).
    expect(base).toMatch(/^ARG NODE_IMAGE=node:24\.\d+\.\d+-bookworm-slim$/);
  });

  it('ships production dependencies only, without install scripts', () => {
    const installs = lines.filter((l) => l.includes('npm ci'));
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) expect(install).toContain('--ignore-scripts');
    const copiedDeps = final.find((l) => /^COPY --from=([a-z-]+)\b.* \.\/$/.test(l));
    const stage = /--from=([a-z-]+)/.exec(copiedDeps ?? '')?.[1];
    const stageStart = lines.indexOf(lines.find((l) => l.endsWith(` AS ${stage}`))!);
    const stageInstall = lines.slice(stageStart).find((l) => l.includes('npm ci'));
    expect(stageInstall).toContain('--omit=dev');
    expect(final.some((l) => /^RUN /.test(l))).toBe(false);
  });

  it('runs as the unprivileged node user', () => {
    const users = final.filter((l) => l.startsWith('USER '));
    expect(users.at(-1)).toBe('USER node');
  });

  it('listens on the ports the service is configured for (the API and the metrics), on every interface', () => {
    // Set nowhere in the image, so the config's defaults (SERVICE_PORTS) or the manifests' PORT and METRICS_PORT apply.
    expect(final.filter((l) => l.startsWith('EXPOSE '))).toEqual([]);
    const env = final.find((l) => l.startsWith('ENV '));
    expect(env).not.toMatch(/(^|\s)(METRICS_)?PORT=/);
    expect(env).toMatch(/\bHOST=0\.0\.0\.0\b/);
  });

  it("starts the service's built entry point with node as PID 1", () => {
    const main = (JSON.parse(read(`services/${name}/package.json`)) as { main: string }).main;
    expect(final.at(-1)).toBe(`CMD ["node", "services/${name}/${main}"]`);
    expect(final).toContain(`COPY --from=build /repo/services/${name}/dist/ services/${name}/dist/`);
  });

  it('copies every workspace the service depends on', () => {
    const pkg = JSON.parse(read(`services/${name}/package.json`)) as { dependencies: Record<string, string> };
    const workspaces = Object.keys(pkg.dependencies).filter((d) => d.startsWith('@shoshizan/'));
    expect(workspaces.length).toBeGreaterThan(0);
    const folders: Record<string, string> = {
      '@shoshizan/shared-interfaces': 'shared-interfaces',
      '@shoshizan/service-kit': 'libs/service-kit',
    };
    for (const workspace of workspaces) {
      const folder = folders[workspace];
      expect({ workspace, folder }).toEqual({ workspace, folder: expect.any(String) });
      expect(final).toContain(`COPY --from=build /repo/${folder}/dist/ ${folder}/dist/`);
    }
  });
});

it('the Dockerfiles differ only in the service name (none drifts)', () => {
  const normalised = services.map((name) =>
    dockerfileOf(name)
      .replace(new RegExp(`^# ${name}: .*\\n`, 'm'), '') // the one line that says what it is
      .replaceAll(name, 'SERVICE'),
  );
  for (const text of normalised) expect(text).toBe(normalised[0]);
});

it('.dockerignore keeps build output, dependencies and secrets out of the context', () => {
  const ignored = instructions(read('.dockerignore'));
  expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.git', '.env', '.env.*']));
});

describe('ui/Dockerfile', () => {
  const text = read('ui/Dockerfile');
  const lines = instructions(text);
  const final = finalStage(text);
  // The server's own defaults, as `node ui/server/serve.mjs` sees them with an empty environment.
  const serverDefaults = JSON.parse(
    execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(join(ROOT, 'ui/server/serve.mjs'))});
         const c = m.loadConfig({});
         console.log(JSON.stringify({ port: c.port, root: c.root }));`,
      ],
      { encoding: 'utf8' },
    ),
  ) as { port: number; root: string };

  it('builds in stages from the same pinned base image as the services', () => {
    const froms = lines.filter((l) => l.startsWith('FROM '));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from).toMatch(/^FROM \$\{NODE_IMAGE\}( AS [a-z-]+)?$/);
    const base = lines.find((l) => l.startsWith('ARG NODE_IMAGE='));
    expect(base).toBe(instructions(dockerfileOf('gateway')).find((l) => l.startsWith('ARG NODE_IMAGE=')));
  });

  it("installs the UI workspace's locked dependencies without install scripts and runs its build", () => {
    const install = lines.find((l) => l.includes('npm ci'));
    expect(install).toMatch(/^RUN npm ci --workspace @shoshizan\/ui .*--ignore-scripts/);
    const pkg = JSON.parse(read('ui/package.json')) as {
      scripts: Record<string, string>;
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    expect(pkg.scripts.build).toContain('vite build');
    expect(lines).toContain('RUN npm run --workspace @shoshizan/ui build');
    // A workspace the UI imports would have to be copied in before the build.
    const workspaces = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((d) => d.startsWith('@shoshizan/'));
    expect(workspaces).toEqual([]);
  });

  it('ships the built files and the server only: no dependencies, no npm, nothing run', () => {
    const copies = final.filter((l) => l.startsWith('COPY '));
    expect(copies).toEqual(['COPY --from=build /repo/ui/dist/ ui/dist/', 'COPY ui/server/serve.mjs ui/server/']);
    expect(final.some((l) => /^RUN /.test(l))).toBe(false);
    // The server imports node's own modules and nothing else.
    const imports = [...read('ui/server/serve.mjs').matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    for (const specifier of imports) expect(specifier).toMatch(/^node:/);
  });

  it('runs as the unprivileged node user', () => {
    expect(final.filter((l) => l.startsWith('USER ')).at(-1)).toBe('USER node');
  });

  it("listens on the server's default port, the UI's of SERVICE_PORTS, on every interface", () => {
    // serve.mjs imports nothing but node's modules, so it keeps a copy of the one source's port.
    expect(serverDefaults.port).toBe(SERVICE_PORTS.ui.port);
    expect(final.filter((l) => l.startsWith('EXPOSE '))).toEqual([]);
    const env = final.find((l) => l.startsWith('ENV '));
    expect(env).not.toMatch(/(^|\s)PORT=/);
    expect(env).toMatch(/\bHOST=0\.0\.0\.0\b/);
    // The gateway's URL is a run-time setting (GET /config.json), never a build argument.
    const settings = lines.filter((l) => /^(ARG|ENV) /.test(l));
    expect(settings.join('\n')).not.toMatch(/GATEWAY|VITE_/);
  });

  it('starts the server with node as PID 1, and the server finds the build where the image puts it', () => {
    expect(final.at(-1)).toBe('CMD ["node", "ui/server/serve.mjs"]');
    expect(existsSync(join(ROOT, 'ui/server/serve.mjs'))).toBe(true);
    // serve.mjs serves ../dist beside itself: /app/ui/dist in the image.
    expect(relative(ROOT, serverDefaults.root)).toBe('ui/dist');
  });
});
