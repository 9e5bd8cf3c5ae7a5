import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { writeChart } from './chart/write-chart';
import { synthPlain } from './shoshizan-chart';

/** Every string quoted: kubectl's YAML 1.1 would read a bare `off` or `yes` as a boolean. */
export const YAML_OPTIONS = { lineWidth: 0, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' } as const;

/**
 *   node dist/src/main.js synth [outDir]   plain manifests with the default settings (GitOps)
 *   node dist/src/main.js chart [outDir]   the Helm chart, generated from the same constructs
 */
function main(): void {
  const [command, out] = process.argv.slice(2);
  const root = resolve(__dirname, '..', '..', '..');
  switch (command as 'synth' | 'chart' | undefined) {
    case 'synth': {
      const dir = resolve(out ?? join(root, 'cdk8s', 'dist', 'manifests'));
      mkdirSync(dir, { recursive: true });
      const docs = synthPlain();
      writeFileSync(join(dir, 'shoshizan.yaml'), docs.map((d) => stringify(d, YAML_OPTIONS)).join('---\n'));
      console.log(`Wrote ${docs.length} manifests to ${join(dir, 'shoshizan.yaml')}`);
      break;
    }
    case 'chart': {
      const dir = resolve(out ?? join(root, 'charts', 'shoshizan'));
      writeChart(dir);
      console.log(`Wrote the Helm chart to ${dir}`);
      break;
    }
    case undefined:
    default:
      console.error('usage: main.js synth|chart [outDir]');
      process.exit(2);
  }
}

main();
