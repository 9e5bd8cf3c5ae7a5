import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpReadiness } from './http.readiness';

let server: Server;
let base: string;
let status = 200;

beforeAll(async () => {
  server = createServer((req, res) => res.writeHead(req.url === '/health/ready' ? status : 404).end('{"status":"ok"}'));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((done) => server.close(done)));

describe('HttpReadiness', () => {
  it('is ready while the service answers 2xx, and says what it answered when not', async () => {
    const readiness = new HttpReadiness('gpt-api', new URL('/health/ready', base));
    status = 200;
    await expect(readiness.check()).resolves.toBeUndefined();
    status = 503;
    await expect(readiness.check()).rejects.toThrow('gpt-api is not ready (503)');
  });

  it('gives up on a service that does not answer within its timeout', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    const readiness = new HttpReadiness('silent', `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`, 30);
    await expect(readiness.check()).rejects.toThrow(/timeout|aborted/i);
    silent.closeAllConnections();
    await new Promise((done) => silent.close(done));
  });
});
