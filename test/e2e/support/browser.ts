import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ARTIFACTS, ROOT } from './system';

/**
 * The browser side of the UI's end-to-end tests: Debian's Chromium (scripts/infra/chromium.sh)
 * driven headless by playwright-core, which never downloads a browser of its own, and the
 * UI's production server (ui/server/serve.mjs) as a process of the test's own.
 */
export const SCREENSHOTS = join(ROOT, 'test-artifacts', 'ui');

/** CHROMIUM_PATH, or where chromium.sh installed it. */
export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return execFileSync('bash', [join(ROOT, 'scripts/infra/chromium.sh'), 'path'], { encoding: 'utf8' }).trim();
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // /dev/shm is small in containers; Chromium falls back to /tmp with this.
    args: ['--disable-dev-shm-usage'],
  });
}

/** What a page did that a test may want to assert on: errors, CSP violations, dialogs. */
export interface PageWatch {
  readonly consoleErrors: string[];
  readonly pageErrors: string[];
  readonly cspViolations: string[];
  readonly dialogs: string[];
}

/**
 * One browser context (its own storage: a fresh localStorage) and page, watched for
 * uncaught errors, console errors, CSP violations and dialogs (which are dismissed).
 */
export class BrowserSession {
  readonly watch: PageWatch = { consoleErrors: [], pageErrors: [], cspViolations: [], dialogs: [] };
  /** The names of the screenshots taken so far. */
  readonly screenshots = new Set<string>();

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      this.watch.consoleErrors.push(message.text());
      if (message.text().includes('Content Security Policy')) this.watch.cspViolations.push(message.text());
    });
    page.on('pageerror', (error) => this.watch.pageErrors.push(error.message));
    page.on('dialog', (dialog) => {
      this.watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss().catch(() => undefined);
    });
  }

  static async open(
    browser: Browser,
    options: { baseURL: string; colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } },
  ): Promise<BrowserSession> {
    const context = await browser.newContext({
      baseURL: options.baseURL,
      viewport: options.viewport ?? { width: 1280, height: 800 },
      colorScheme: options.colorScheme ?? 'light',
      deviceScaleFactor: 1,
      // The clipboard buttons ("Copy message", "Copy code") may be pressed.
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    // Generous: two cores are shared by the services, Kafka, Ollama and the browser.
    context.setDefaultTimeout(30_000);
    context.setDefaultNavigationTimeout(60_000);
    const page = await context.newPage();
    return new BrowserSession(context, page);
  }

  /** Saves a screenshot of the page as test-artifacts/ui/<name>.png; returns its path. */
  async screenshot(name: string = currentTestSlug(), options: { fullPage?: boolean } = {}): Promise<string> {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const path = join(SCREENSHOTS, `${name}.png`);
    await this.page.screenshot({ path, fullPage: options.fullPage ?? false, animations: 'disabled' });
    this.screenshots.add(name);
    return path;
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
  }
}

/** The running test's name as a file name: "ui › signs in" -> "ui-signs-in". */
export function currentTestSlug(): string {
  const name = expect.getState().currentTestName ?? 'unnamed';
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100);
}

/** The UI's production server, started from ui/server/serve.mjs on a free port. */
export interface RunningUi {
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<number | null>;
}

/** `PORT` unset: a free one. */
export async function startUiServer(
  env: { GATEWAY_URL: string; UI_DIST?: string; PORT?: string },
  logName: string,
): Promise<RunningUi> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const logFile = join(ARTIFACTS, `${logName}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [join(ROOT, 'ui/server/serve.mjs')], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the UI server did not start in 30 s; see ${logFile}`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.includes('"Listening"'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the UI server exited with ${code}; see ${logFile}`));
    });
  });
  return {
    url,
    process: child,
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * Polls `read` until `done` holds for its value (or the timeout passes, then throws with
 * the last value). For conditions outside the page; inside it, use the page's own waits.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 60_000, intervalMs = 250, what = 'the condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
    last = await read();
  }
  return last;
}
