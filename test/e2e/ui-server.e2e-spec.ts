import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { BrowserSession, launchBrowser, startUiServer, type RunningUi } from './support/browser';

/**
 * The UI's production server as a real browser sees it, with a made-up app: the runtime
 * config reaches the app, the app's routes survive a reload, and Chromium enforces the CSP
 * (no inline script; network access to the server's origin and the gateway's only).
 */
jest.setTimeout(120_000);

const APP = `
const config = await (await fetch('/config.json')).json();
const out = document.getElementById('app');
const line = (id, text) => { const p = document.createElement('p'); p.id = id; p.textContent = text; out.append(p); };
line('gateway', config.gatewayUrl);
line('path', location.pathname);
const probe = async (url) => { try { return (await fetch(url)).status; } catch { return 'blocked'; } };
line('to-gateway', String(await probe(config.gatewayUrl + '/ping')));
line('to-elsewhere', String(await probe(config.gatewayUrl.replace('127.0.0.1', 'localhost') + '/ping')));
line('inline', String(window.__inline));
`;

let browser: Browser;
let ui: RunningUi;
let gateway: Server;
let gatewayUrl: string;
const dist = mkdtempSync(join(tmpdir(), 'ui-dist-'));

beforeAll(async () => {
  mkdirSync(join(dist, 'assets'));
  writeFileSync(
    join(dist, 'index.html'),
    '<!doctype html><html><head><title>fixture</title><script>window.__inline = 1</script>' +
      '<script type="module" src="/assets/app-0a1b2c.js"></script></head><body><div id="app"></div></body></html>',
  );
  writeFileSync(join(dist, 'assets', 'app-0a1b2c.js'), APP);
  // A stand-in gateway that lets any origin call it, so only the CSP can stop a call.
  gateway = createServer((_req, res) => {
    res.writeHead(200, { 'access-control-allow-origin': '*', 'content-type': 'text/plain' });
    res.end('pong');
  });
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  const address = gateway.address();
  gatewayUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  ui = await startUiServer({ GATEWAY_URL: gatewayUrl, UI_DIST: dist }, 'ui-server-smoke');
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  expect(await ui?.stop()).toBe(0);
  await new Promise((resolve) => gateway?.close(resolve));
  rmSync(dist, { recursive: true, force: true });
});

describe('the UI server in Chromium', () => {
  it('hands the app its gateway at run time, and the CSP lets it reach that gateway only', async () => {
    const session = await BrowserSession.open(browser, { baseURL: ui.url });
    try {
      await session.page.goto('/');
      await session.page.locator('#inline').waitFor();
      expect(await session.page.locator('#gateway').textContent()).toBe(gatewayUrl);
      expect(await session.page.locator('#to-gateway').textContent()).toBe('200');
      expect(await session.page.locator('#to-elsewhere').textContent()).toBe('blocked');
      // The inline script in index.html never ran; Chromium reported it and the blocked call.
      expect(await session.page.locator('#inline').textContent()).toBe('undefined');
      expect(session.watch.cspViolations).toEqual(
        expect.arrayContaining([expect.stringContaining('inline script'), expect.stringContaining('connect-src')]),
      );
      await session.screenshot();
    } finally {
      await session.close();
    }
  });

  it("serves the app on a reload of one of its routes", async () => {
    const session = await BrowserSession.open(browser, { baseURL: ui.url });
    try {
      await session.page.goto('/c/0b5e7c1e-4a4e-4d7a-9a53-1c2f0b9e8d11');
      await session.page.reload();
      expect(await session.page.locator('#path').textContent()).toBe('/c/0b5e7c1e-4a4e-4d7a-9a53-1c2f0b9e8d11');
      await session.screenshot();
    } finally {
      await session.close();
    }
  });
});
