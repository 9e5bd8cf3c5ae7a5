import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * ui/server/serve.mjs, run as the process the image runs, against a made-up build folder:
 * runtime config, routes, caching, security headers, path traversal, shutdown.
 */
const SERVER = resolve(__dirname, '../../ui/server/serve.mjs');

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
}

async function startServer(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, [SERVER], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const check = (): void => {
      const line = output.split('\n').find((l) => l.includes('"Listening"'));
      if (line) resolveUrl((JSON.parse(line) as { url: string }).url);
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}: ${output}`)));
  });
  return { child, url, output: () => output };
}

async function stopServer(server: Running): Promise<number | null> {
  if (server.child.exitCode !== null) return server.child.exitCode;
  const exited = new Promise<number | null>((r) => server.child.once('exit', (code) => r(code)));
  server.child.kill('SIGTERM');
  return exited;
}

/** A raw GET whose path is sent as written (fetch would normalise `..` away). */
async function raw(
  base: string,
  path: string,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolveResponse, reject) => {
    const req = request({ host: hostname, port, path, method }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolveResponse({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('ui/server/serve.mjs', () => {
  const parent = mkdtempSync(join(tmpdir(), 'ui-server-'));
  const dist = join(parent, 'dist');
  let server: Running;

  beforeAll(async () => {
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Shoshizan</title><div id="app"></div>');
    writeFileSync(join(dist, 'assets', 'index-3f9a1c.js'), 'console.log("app")');
    writeFileSync(join(dist, 'assets', 'index-77aa01.css'), 'body{margin:0}');
    writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dist, '.env'), 'SECRET=hidden-file');
    writeFileSync(join(parent, 'secret.txt'), 'outside the root');
    server = await startServer({ UI_DIST: dist, GATEWAY_URL: 'https://api.example.test:8443/base' });
  });

  afterAll(async () => {
    if (server) await stopServer(server);
    rmSync(parent, { recursive: true, force: true });
  });

  it('hands the gateway URL to the app at run time, never cached', async () => {
    const response = await fetch(`${server.url}/config.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ gatewayUrl: 'https://api.example.test:8443/base' });
  });

  it('serves index.html for / and for every app route, revalidated on each load', async () => {
    for (const path of ['/', '/login', '/c/0b5e7c1e-4a4e-4d7a-9a53-1c2f0b9e8d11', '/keys', '/status?x=1']) {
      const response = await fetch(`${server.url}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toContain('<title>Shoshizan</title>');
    }
  });

  it('serves hashed assets with their content type and a year-long immutable cache', async () => {
    const js = await fetch(`${server.url}/assets/index-3f9a1c.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('console.log("app")');
    const css = await fetch(`${server.url}/assets/index-77aa01.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const svg = await fetch(`${server.url}/favicon.svg`);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('cache-control')).toBe('no-cache');
  });

  it('answers 304 to a matching ETag', async () => {
    const first = await fetch(`${server.url}/assets/index-3f9a1c.js`);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^W\/"[0-9a-f]+-[0-9a-f]+"$/);
    const again = await fetch(`${server.url}/assets/index-3f9a1c.js`, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
  });

  it('answers 404, not the app, for a missing asset or file', async () => {
    for (const path of ['/assets/index-000000.js', '/missing.png', '/robots.txt']) {
      const response = await fetch(`${server.url}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(await response.text()).not.toContain('<title>');
    }
  });

  it('sets a strict CSP and the other security headers on every answer', async () => {
    for (const path of ['/', '/assets/index-3f9a1c.js', '/config.json', '/nope.js']) {
      const headers = (await fetch(`${server.url}${path}`)).headers;
      expect(headers.get('content-security-policy')).toBe(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
          "connect-src 'self' https://api.example.test:8443; object-src 'none'; base-uri 'self'; " +
          "form-action 'self'; frame-ancestors 'none'",
      );
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('x-frame-options')).toBe('DENY');
      expect(headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/..%5csecret.txt',
    '/%00/index.html',
    '/.env',
    '/assets/%E0%A4%A',
  ])('never serves anything outside the build or hidden: %s', async (path) => {
    const response = await raw(server.url, path);
    expect(response.status).toBe(404);
    expect(response.body).not.toContain('outside the root');
    expect(response.body).not.toContain('hidden-file');
  });

  it('takes GET and HEAD only', async () => {
    const post = await fetch(`${server.url}/`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await raw(server.url, '/assets/index-3f9a1c.js', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String('console.log("app")'.length));
    expect(head.body).toBe('');
  });

  it('is healthy while the build is there', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok\n');
  });

  it('without a build, says so on /healthz and on app routes', async () => {
    const empty = await startServer({ UI_DIST: join(parent, 'no-such-dist') });
    try {
      expect((await fetch(`${empty.url}/healthz`)).status).toBe(503);
      const page = await fetch(`${empty.url}/`);
      expect(page.status).toBe(503);
      expect(await page.text()).toContain('not built');
      // With no GATEWAY_URL the app talks to its own origin, and the CSP allows just that.
      expect(await (await fetch(`${empty.url}/config.json`)).json()).toEqual({ gatewayUrl: '' });
      expect(page.headers.get('content-security-policy')).toContain("connect-src 'self';");
    } finally {
      expect(await stopServer(empty)).toBe(0);
    }
  });

  it('refuses to start with a bad GATEWAY_URL or PORT, naming the variable', async () => {
    await expect(startServer({ UI_DIST: dist, GATEWAY_URL: 'api.example.test' })).rejects.toThrow(
      /exited with 1: ui server: invalid configuration:\n {2}- GATEWAY_URL: must be an http\(s\) URL/,
    );
    await expect(startServer({ UI_DIST: dist, PORT: 'eighty' })).rejects.toThrow(/- PORT: must be a port number/);
  });

  it('listens on 127.0.0.1 unless HOST says otherwise, and exits 0 on SIGTERM', async () => {
    const own = await startServer({ UI_DIST: dist });
    expect(own.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // A keep-alive connection left open does not hold the shutdown up.
    await fetch(`${own.url}/`, { headers: { connection: 'keep-alive' } });
    expect(await stopServer(own)).toBe(0);
    expect(own.output()).toContain('"Stopped"');
  });
});
