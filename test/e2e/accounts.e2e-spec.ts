import OpenAI from 'openai';
import { Stack } from './support/stack';

/** Local accounts, refresh-token rotation and API keys, against the real PostgreSQL. */
jest.setTimeout(240_000);

const ADMIN = { username: 'root-admin', password: 'a long enough admin password' };
const stack = new Stack({ gateway: { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password } });

beforeAll(() => stack.start(), 600_000);
afterAll(async () => {
  expect(await stack.stop()).toEqual({ gateway: 0, 'kafka-consumer': 0, 'kafka-producer': 0, 'gpt-api': 0 });
}, 120_000);

interface Pair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: string;
}

async function post(path: string, body: unknown, bearer?: string): Promise<Response> {
  return fetch(`${stack.gateway}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify(body),
  });
}

async function get(path: string, bearer: string): Promise<Response> {
  return fetch(`${stack.gateway}${path}`, { headers: { authorization: `Bearer ${bearer}` } });
}

describe('accounts', () => {
  it('logs the first admin in; a wrong password gets 401 and no hint which part was wrong', async () => {
    const wrong = await post('/v1/auth/login', { ...ADMIN, password: 'not it' });
    expect(wrong.status).toBe(401);
    const unknown = await post('/v1/auth/login', { username: 'nobody', password: 'not it' });
    expect(unknown.status).toBe(401);
    expect(((await wrong.json()) as { detail: string }).detail).toBe(((await unknown.json()) as { detail: string }).detail);

    const login = await post('/v1/auth/login', ADMIN);
    expect(login.status).toBe(200);
    const pair = (await login.json()) as Pair;
    expect(pair).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    // The access token works, and carries the admin role.
    expect((await get('/v1/api-keys', pair.accessToken)).status).toBe(200);
    expect((await get('/v1/admin/dead-letters', pair.accessToken)).status).toBe(200);
  });

  it('an admin creates users, who can log in; nobody else can', async () => {
    const admin = ((await (await post('/v1/auth/login', ADMIN)).json()) as Pair).accessToken;
    const created = await post('/v1/admin/users', { username: 'carol', password: 'carol has a long password' }, admin);
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ username: 'carol', roles: ['user'] });
    const carol = await post('/v1/auth/login', { username: 'carol', password: 'carol has a long password' });
    expect(carol.status).toBe(200);
    const carolToken = ((await carol.json()) as Pair).accessToken;
    // A user is not an admin; a taken name and a short password are refused by name.
    expect((await post('/v1/admin/users', { username: 'dave', password: 'dave has a long password' }, carolToken)).status).toBe(403);
    expect((await get('/v1/admin/dead-letters', carolToken)).status).toBe(403);
    const taken = await post('/v1/admin/users', { username: 'carol', password: 'another long password' }, admin);
    expect(taken.status).toBe(400);
    const short = await post('/v1/admin/users', { username: 'erin', password: 'short' }, admin);
    expect(((await short.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(['password']);
  });

  it('rotates refresh tokens; a reused one revokes the whole family', async () => {
    const first = (await (await post('/v1/auth/login', ADMIN)).json()) as Pair;
    const second = await post('/v1/auth/refresh', { refreshToken: first.refreshToken });
    expect(second.status).toBe(200);
    const secondPair = (await second.json()) as Pair;
    expect(secondPair.refreshToken).not.toBe(first.refreshToken);
    expect((await get('/v1/api-keys', secondPair.accessToken)).status).toBe(200);

    // The first refresh token again: stolen. It fails, and so does the one it was swapped for.
    expect((await post('/v1/auth/refresh', { refreshToken: first.refreshToken })).status).toBe(401);
    expect((await post('/v1/auth/refresh', { refreshToken: secondPair.refreshToken })).status).toBe(401);
  });

  it('logout revokes the refresh token', async () => {
    const pair = (await (await post('/v1/auth/login', ADMIN)).json()) as Pair;
    expect((await post('/v1/auth/logout', { refreshToken: pair.refreshToken })).status).toBe(204);
    expect((await post('/v1/auth/refresh', { refreshToken: pair.refreshToken })).status).toBe(401);
  });
});

describe('API keys', () => {
  it('are shown once, listed without the secret, usable as a bearer token, and dead once revoked', async () => {
    const owner = stack.token({}, { subject: 'key-owner' });
    const created = await post('/v1/api-keys', { name: 'ci script' }, owner);
    expect(created.status).toBe(201);
    const key = (await created.json()) as { id: string; key: string; prefix: string; name: string };
    expect(key.key).toMatch(/^shz_[\w-]{43}$/);
    expect(key.key.startsWith(key.prefix)).toBe(true);

    const list = (await (await get('/v1/api-keys', owner)).json()) as { items: Record<string, unknown>[] };
    expect(list.items).toEqual([expect.objectContaining({ id: key.id, name: 'ci script', prefix: key.prefix })]);
    expect(JSON.stringify(list)).not.toContain(key.key);

    // The key acts as its owner, here through OpenAI's SDK.
    const client = new OpenAI({ apiKey: key.key, baseURL: `${stack.gateway}/v1`, maxRetries: 0 });
    expect((await client.models.list()).data.length).toBeGreaterThan(0);
    expect((await get('/v1/api-keys', key.key)).status).toBe(200);

    // Another user neither sees nor revokes it.
    const other = stack.token({}, { subject: 'someone-else' });
    expect(((await (await get('/v1/api-keys', other)).json()) as { items: unknown[] }).items).toEqual([]);
    const foreign = await fetch(`${stack.gateway}/v1/api-keys/${key.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${other}` },
    });
    expect(foreign.status).toBe(404);

    const revoked = await fetch(`${stack.gateway}/v1/api-keys/${key.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${owner}` },
    });
    expect(revoked.status).toBe(204);
    expect((await get('/v1/api-keys', key.key)).status).toBe(401);
    await expect(client.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const metrics = await (await fetch(`${stack.gateway}/metrics`)).text();
    expect(metrics).toMatch(/gateway_auth_failures_total\{reason="invalid_api_key",service="gateway"\} [1-9]/);
  });
});
