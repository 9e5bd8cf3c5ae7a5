import { connect, createServer } from 'node:net';
import { Counter, Registry } from 'prom-client';
import { startMetricsServer, type MetricsServer } from './metrics.server';

describe('startMetricsServer', () => {
  let registry: Registry;
  let server: MetricsServer;
  let base: string;

  beforeEach(async () => {
    registry = new Registry();
    registry.setDefaultLabels({ service: 'test' });
    new Counter({ name: 'things_total', help: 'Things.', registers: [registry] }).inc(3);
    server = await startMetricsServer(registry, { host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${server.port}`;
  });

  afterEach(async () => {
    await server.close();
  });

  it('serves the registry at GET /metrics, in the Prometheus text format, never cached', async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(registry.contentType);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).toContain('things_total{service="test"} 3');
    expect((await fetch(`${base}/metrics?x=1`)).status).toBe(200);
  });

  it('answers HEAD without a body', async () => {
    const response = await fetch(`${base}/metrics`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('has no other route, and no other method', async () => {
    for (const path of ['/', '/metrics/', '/health/ready', '/v1/chat']) {
      expect([path, (await fetch(`${base}${path}`)).status]).toEqual([path, 404]);
    }
    const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers 500 and reports the error when collecting fails', async () => {
    const failure = new Error('lag unreadable');
    const errors: unknown[] = [];
    const failing = new Registry();
    new Counter({ name: 'broken_total', help: 'Broken.', registers: [failing], collect: () => { throw failure; } });
    const other = await startMetricsServer(failing, { host: '127.0.0.1', port: 0, onError: (e) => errors.push(e) });
    try {
      expect((await fetch(`http://127.0.0.1:${other.port}/metrics`)).status).toBe(500);
      expect(errors).toEqual([failure]);
    } finally {
      await other.close();
    }
  });

  it('frees its port on close, even with a kept-alive scrape connection', async () => {
    await (await fetch(`${base}/metrics`)).text(); // fetch keeps the connection alive
    await server.close();
    await expect(fetch(`${base}/metrics`)).rejects.toThrow();
    // The port can be bound again.
    const probe = createServer();
    await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(server.port, '127.0.0.1', resolve));
    await new Promise((resolve) => probe.close(resolve));
    server = await startMetricsServer(registry, { host: '127.0.0.1', port: 0 }); // for afterEach
  });

  it('does not let a client that holds a connection open hold up close', async () => {
    const socket = connect(server.port, '127.0.0.1').on('error', () => undefined); // reset by close
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n'); // never finished
    const ended = new Promise((resolve) => socket.once('close', resolve));
    const started = Date.now();
    await server.close();
    await ended;
    expect(Date.now() - started).toBeLessThan(1000);
    server = await startMetricsServer(registry, { host: '127.0.0.1', port: 0 }); // for afterEach
  });

  it('fails to start on a port that is taken, saying which', async () => {
    await expect(startMetricsServer(registry, { host: '127.0.0.1', port: server.port })).rejects.toThrow(/EADDRINUSE.*:\d+/);
  });
});
