import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

/**
 * The `*_PORT` variables local mode runs with when nothing overrides them: what
 * scripts/lib.sh and then scripts/env.sh export, sourced in bash as start.sh, test.sh and
 * services.sh source them. Sourced rather than read as text because env.sh takes the
 * services' ports from shared-interfaces/src/ports.json at run time. The environment is
 * built afresh (npm test runs jest with env.sh's variables already exported, which would
 * hide its defaults); JWT_SECRET and ADMIN_PASSWORD are set so that nothing is written.
 */
export function localModePorts(): Record<string, string> {
  const out = execFileSync(
    'bash',
    ['-c', 'source scripts/lib.sh && source scripts/env.sh && env -0'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        // This node first: lib.sh keeps a Node.js 24 on PATH and installs one otherwise.
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
        HOME: process.env.HOME,
        ...(process.env.SHOSHIZAN_HOME ? { SHOSHIZAN_HOME: process.env.SHOSHIZAN_HOME } : {}),
        JWT_SECRET: 'x'.repeat(32),
        ADMIN_PASSWORD: 'x'.repeat(12),
      },
    },
  );
  return Object.fromEntries(
    out
      .split('\0')
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)])
      .filter(([name]) => /^\w+_PORT$/.test(name!)),
  );
}
