import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode } from '@shoshizan/shared-interfaces';
import type { GatewayConfig } from '../config/gateway.config';
import { ModelsClient } from './models.client';

/** A stand-in for gpt-api's GET /v1/models, recording what was asked. */
let server: Server;
let url: string;
const asked: string[] = [];
/** When set, what gpt-api answers instead of the catalog. */
let refusal: { status: number; problem: Record<string, unknown>; retryAfter?: string } | undefined;

async function listen(port = 0): Promise<void> {
  server = createServer((req, res) => {
    asked.push(req.url ?? '');
    if (refusal) {
      const headers = { 'content-type': 'application/problem+json', ...(refusal.retryAfter ? { 'retry-after': refusal.retryAfter } : {}) };
      res.writeHead(refusal.status, headers).end(JSON.stringify({ type: 't', title: 'T', status: refusal.status, ...refusal.problem }));
      return;
    }
    const roles = new URL(req.url ?? '/', 'http://x').searchParams.get('roles') ?? '';
    const models = roles.includes('admin') ? [{ name: 'open:1', sizeBytes: 1 }, { name: 'admin:1', sizeBytes: 1 }] : [{ name: 'open:1', sizeBytes: 1 }];
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ defaultModel: 'open:1', models }));
  });
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
const close = () => new Promise((done) => server.close(done));
const client = () => new ModelsClient({ GPT_API_URL: url } as GatewayConfig);

beforeEach(async () => {
  asked.length = 0;
  refusal = undefined;
  await listen();
});
afterEach(async () => {
  if (server.listening) await close();
});

describe('ModelsClient', () => {
  it("asks with the caller's roles and keeps one catalog per set of roles", async () => {
    const models = client();
    await models.requireModel('admin:1', ['user', 'admin']);
    await expect(models.requireModel('admin:1', ['user'])).rejects.toThrow("Model 'admin:1' is not available. Available: open:1.");
    await models.catalog(['admin', 'user']);
    expect(asked).toEqual(['/v1/models?roles=admin%2Cuser', '/v1/models?roles=user', '/v1/models?roles=user']);
  });

  it('uses the last catalog when gpt-api cannot be reached (a pod leaving), and fails when it has none', async () => {
    const models = client();
    await models.catalog([]);
    await close();
    const stale = await models.catalog([], true);
    expect(stale.models.map((m) => m.name)).toEqual(['open:1']);
    await expect(models.catalog(['admin'])).rejects.toThrow(DomainException);
    await expect(models.catalog(['admin'])).rejects.toThrow('The model catalog is unreachable.');
  });

  it("passes gpt-api's refusal on with its code and Retry-After, after trying again what may pass", async () => {
    refusal = { status: 503, problem: { code: 'upstream_unavailable', detail: 'Ollama failed: fetch failed' }, retryAfter: '7' };
    await expect(client().catalog([])).rejects.toMatchObject({
      code: ErrorCode.UpstreamUnavailable,
      message: 'Ollama failed: fetch failed',
      options: { retryAfterSeconds: 7 },
    });
    expect(asked).toHaveLength(3);
    asked.length = 0;
    refusal = { status: 400, problem: { code: 'validation_failed', detail: 'Bad roles.' } };
    await expect(client().catalog(['x'])).rejects.toMatchObject({ code: ErrorCode.ValidationFailed, message: 'Bad roles.' });
    expect(asked).toHaveLength(1);
  });
});
