import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/**
 * What ships is what is tested: the Node.js release the images run (NODE_IMAGE of every
 * Dockerfile) is the one this test run runs on, the one local mode installs
 * (scripts/infra/node.sh), the one .nvmrc, `engines` and @types/node name.
 */
const ROOT = resolve(__dirname, '../..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const major = (version: string): number => Number(/^v?(\d+)\./.exec(version)?.[1]);

const dockerfiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) {
      return ['node_modules', 'dist', '.git'].includes(entry.name) ? [] : dockerfiles(join(dir, entry.name));
    }
    return entry.name === 'Dockerfile' ? [relative(ROOT, join(dir, entry.name))] : [];
  });

// path => the version of its NODE_IMAGE default, e.g. 24.19.0 for node:24.19.0-bookworm-slim
const images = Object.fromEntries(
  dockerfiles(ROOT).map((path) => [path, /^ARG NODE_IMAGE=node:(\d+\.\d+\.\d+)-bookworm-slim$/m.exec(read(path))?.[1]]),
);
const shipped = Object.values(images)[0] ?? '';

it('every Dockerfile runs the same pinned Node.js 24 image', () => {
  expect(Object.keys(images).sort()).toEqual(
    expect.arrayContaining(['services/gateway/Dockerfile', 'services/gpt-api/Dockerfile', 'ui/Dockerfile']),
  );
  expect(Object.keys(images).length).toBeGreaterThanOrEqual(5);
  for (const [path, version] of Object.entries(images)) expect({ path, version }).toEqual({ path, version: shipped });
  expect(major(shipped)).toBe(24);
});

it('the tests run on the major release the images run', () => {
  expect(major(process.version)).toBe(major(shipped));
});

it('local mode installs the very release the images run, and .nvmrc names its major', () => {
  expect(/^NODE_VERSION="([^"]+)"$/m.exec(read('scripts/infra/node.sh'))?.[1]).toBe(shipped);
  expect(read('.nvmrc').trim()).toBe(String(major(shipped)));
});

it('engines of the root and every workspace admit that major release alone, and @types/node matches it', () => {
  const root = JSON.parse(read('package.json')) as {
    engines: { node: string };
    workspaces: string[];
    devDependencies: Record<string, string>;
  };
  const range = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(root.engines.node);
  expect(range).not.toBeNull();
  const [, want, minor, patch] = range!.map(Number);
  const [, , shippedMinor, shippedPatch] = /^(\d+)\.(\d+)\.(\d+)$/.exec(shipped)!.map(Number);
  expect(want).toBe(major(shipped));
  expect(shippedMinor! * 1000 + shippedPatch!).toBeGreaterThanOrEqual(minor! * 1000 + patch!);
  for (const workspace of root.workspaces) {
    const pkg = JSON.parse(read(`${workspace}/package.json`)) as { engines?: { node?: string } };
    expect({ workspace, node: pkg.engines?.node }).toEqual({ workspace, node: root.engines.node });
  }
  expect(major(root.devDependencies['@types/node']!.replace(/^[\^~]/, ''))).toBe(major(shipped));
});
