import { createHash, randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { Stack, metricSamples } from './support/stack';
import { scrape } from './support/system';

/** Local accounts, refresh-token rotation and API keys, against the real PostgreSQL. */
jest.setTimeout(240_000);

const ADMIN = { username: 'root-admin', password: 'a long enough admin password' };
// The test plays the gateway's one proxy (an ingress): its X-Forwarded-For names the client.
const stack = new Stack({
  gateway: { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, TRUSTED_PROXIES: 'loopback' },
});

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

/** A login through the trusted proxy: `forwardedFor` is the X-Forwarded-For it sends. */
async function loginFrom(forwardedFor: string, username: string, password: string): Promise<Response> {
  return fetch(`${stack.gateway}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ username, password }),
  });
}

/** Creates a local user through the admin API; returns its password. */
async function createUser(username: string): Promise<string> {
  const admin = ((await (await post('/v1/auth/login', ADMIN)).json()) as Pair).accessToken;
  const password = `${username} has a long password`;
  expect((await post('/v1/admin/users', { username, password }, admin)).status).toBe(201);
  return password;
}

async function throttledCount(scope: string): Promise<number> {
  const exposition = await scrape(stack.service('gateway'));
  return metricSamples(exposition, 'gateway_login_throttled_total').find((s) => s.labels.scope === scope)?.value ?? 0;
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
    // A user is not an admin; a taken name is a conflict; a short password is refused by name.
    expect((await post('/v1/admin/users', { username: 'dave', password: 'dave has a long password' }, carolToken)).status).toBe(403);
    expect((await get('/v1/admin/dead-letters', carolToken)).status).toBe(403);
    const taken = await post('/v1/admin/users', { username: 'carol', password: 'another long password' }, admin);
    expect(taken.status).toBe(409);
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

describe('sessions', () => {
  it('a token used after logout gets 401; another login of the same user goes on working', async () => {
    const pair = (await (await post('/v1/auth/login', ADMIN)).json()) as Pair;
    const other = (await (await post('/v1/auth/login', ADMIN)).json()) as Pair;
    expect((await get('/v1/api-keys', pair.accessToken)).status).toBe(200);
    expect((await post('/v1/auth/logout', { refreshToken: pair.refreshToken })).status).toBe(204);

    const after = await get('/v1/api-keys', pair.accessToken);
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ code: 'unauthenticated', detail: expect.stringContaining('session has ended') });
    expect((await get('/v1/api-keys', other.accessToken)).status).toBe(200);
    const metrics = await scrape(stack.service('gateway'));
    expect(metrics).toMatch(/gateway_auth_failures_total\{reason="session_ended",service="gateway"\} [1-9]/);
  });

  it('reuse of a refresh token ends every access token of its login, old and new', async () => {
    const first = (await (await post('/v1/auth/login', ADMIN)).json()) as Pair;
    const second = (await (await post('/v1/auth/refresh', { refreshToken: first.refreshToken })).json()) as Pair;
    expect((await get('/v1/api-keys', first.accessToken)).status).toBe(200);
    expect((await get('/v1/api-keys', second.accessToken)).status).toBe(200);

    expect((await post('/v1/auth/refresh', { refreshToken: first.refreshToken })).status).toBe(401);
    expect((await get('/v1/api-keys', first.accessToken)).status).toBe(401);
    expect((await get('/v1/api-keys', second.accessToken)).status).toBe(401);
  });

  it("a replica that did not do the logout refuses the token once its cache's few seconds pass", async () => {
    const pair = (await (await post('/v1/auth/login', ADMIN)).json()) as Pair;
    expect((await get('/v1/api-keys', pair.accessToken)).status).toBe(200); // now cached as live
    // The logout as another replica would write it: straight into PostgreSQL.
    await stack.db.query(
      `UPDATE gateway.refresh_tokens SET revoked_at = now()
        WHERE family_id = (SELECT family_id FROM gateway.refresh_tokens WHERE token_hash = $1)`,
      [createHash('sha256').update(pair.refreshToken).digest()],
    );
    await new Promise((resolve) => setTimeout(resolve, 5500));
    expect((await get('/v1/api-keys', pair.accessToken)).status).toBe(401);
  });
});

describe('login throttling', () => {
  it('the 11th to 20th wrong password in a minute get 429 with Retry-After, and so does the right one, from that address', async () => {
    const password = await createUser('grace');
    const throttledBefore = await throttledCount('user_address');
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 20; i++) {
      last = await loginFrom('203.0.113.10', 'grace', `wrong guess ${i}`);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([...Array<number>(10).fill(401), ...Array<number>(10).fill(429)]);
    const retryAfter = Number(last!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(240);
    expect(retryAfter).toBeLessThanOrEqual(300);
    expect(await last!.json()).toMatchObject({ status: 429, code: 'login_throttled' });
    expect(await throttledCount('user_address')).toBe(throttledBefore + 10);

    // The right password is not even checked while held, and an address a client writes in
    // front of the one the proxy saw changes nothing.
    expect((await loginFrom('203.0.113.10', 'grace', password)).status).toBe(429);
    expect((await loginFrom('198.51.100.99, 203.0.113.10', 'grace', password)).status).toBe(429);
    // From elsewhere the user is not locked out.
    expect((await loginFrom('203.0.113.11', 'grace', password)).status).toBe(200);

    // Once those failures are a window (5 minutes) old, the address may try again.
    await stack.db.query(`UPDATE gateway.login_attempts SET attempted_at = attempted_at - interval '5 minutes'`);
    expect((await loginFrom('203.0.113.10', 'grace', password)).status).toBe(200);
  });

  it('a success clears the count of its address for the user', async () => {
    const password = await createUser('heidi');
    for (let i = 0; i < 9; i++) expect((await loginFrom('203.0.113.20', 'heidi', `typo ${i}`)).status).toBe(401);
    expect((await loginFrom('203.0.113.20', 'heidi', password)).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await loginFrom('203.0.113.20', 'heidi', `typo ${i}`)).status).toBe(401);
    expect((await loginFrom('203.0.113.20', 'heidi', password)).status).toBe(429);
  });

  it('guesses from many addresses hold a username, but not at an address it logged in from lately', async () => {
    const password = await createUser('ivan');
    expect((await loginFrom('198.51.100.7', 'ivan', password)).status).toBe(200);
    // Three attackers, ten guesses each: each address is held after its ten...
    for (const attacker of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
      for (let i = 0; i < 10; i++) expect((await loginFrom(attacker, 'ivan', `guess ${i}`)).status).toBe(401);
    }
    // ...and now the username is, from any address it has not logged in from.
    const held = await loginFrom('192.0.2.4', 'ivan', password);
    expect(held.status).toBe(429);
    expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await loginFrom('2001:db8:77::1', 'ivan', password)).status).toBe(429);
    // The user's own address is not locked out by the attack.
    expect((await loginFrom('198.51.100.7', 'ivan', password)).status).toBe(200);
    // A username nobody has is throttled the same way (a 429 tells nothing about who exists).
    for (const attacker of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
      for (let i = 0; i < 10; i++) expect((await loginFrom(attacker, 'no-such-ivan', `guess ${i}`)).status).toBe(401);
    }
    expect((await loginFrom('192.0.2.4', 'no-such-ivan', 'guess')).status).toBe(429);
  });

  it('one address trying many usernames is held after 100 failures, counted exactly even in parallel', async () => {
    const attempts = Array.from({ length: 110 }, () => loginFrom('2001:db8:1:2::5', `spray-${randomUUID()}`, 'Password1!'));
    const statuses = (await Promise.all(attempts)).map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(100);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    // Another address of the same /64 is the same client.
    expect((await loginFrom('2001:db8:1:2:ffff::9', 'anyone', 'x')).status).toBe(429);
    expect((await loginFrom('2001:db8:1:3::9', 'anyone', 'x')).status).toBe(401);
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
    const metrics = await scrape(stack.service('gateway'));
    expect(metrics).toMatch(/gateway_auth_failures_total\{reason="invalid_api_key",service="gateway"\} [1-9]/);
  });
});
