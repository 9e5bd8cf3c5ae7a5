import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import jwt from 'jsonwebtoken';
import { Stack } from './support/stack';
import { freePort } from './support/system';

/**
 * External identity: tokens of an OpenID Connect issuer, checked against its key set,
 * served here by a local JWKS endpoint. Every forgery a gateway must refuse is tried.
 */
jest.setTimeout(240_000);

const ISSUER = 'https://idp.example.test/realms/shoshizan';
const AUDIENCE = 'shoshizan-api';
const KID = 'test-key-1';
const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
let jwks: Server;
let stack: Stack;

beforeAll(async () => {
  const port = await freePort();
  const jwk = { ...key.publicKey.export({ format: 'jwk' }), kid: KID, use: 'sig', alg: 'RS256' };
  jwks = createServer((request, response) => {
    if (request.url !== '/jwks.json') return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(port, '127.0.0.1', resolve));
  stack = new Stack({
    gateway: { OIDC_ISSUER: ISSUER, OIDC_AUDIENCE: AUDIENCE, OIDC_JWKS_URL: `http://127.0.0.1:${port}/jwks.json` },
  });
  await stack.start();
}, 600_000);

afterAll(async () => {
  const exitCodes = await stack.stop();
  await new Promise((resolve) => jwks.close(resolve));
  expect(exitCodes).toEqual({ gateway: 0, 'kafka-consumer': 0, 'kafka-producer': 0, 'gpt-api': 0 });
}, 120_000);

function idpToken(
  claims: Record<string, unknown> = {},
  options: jwt.SignOptions = {},
  signingKey: KeyObject = key.privateKey,
): string {
  return jwt.sign({ preferred_username: 'alice', ...claims }, signingKey, {
    algorithm: 'RS256',
    keyid: KID,
    issuer: ISSUER,
    audience: AUDIENCE,
    subject: 'alice-at-idp',
    expiresIn: '5m',
    ...options,
  });
}

async function status(token: string): Promise<number> {
  const response = await fetch(`${stack.gateway}/v1/api-keys`, { headers: { authorization: `Bearer ${token}` } });
  return response.status;
}

describe('tokens of an external OpenID Connect issuer', () => {
  it('accepts a valid one and maps its subject to a local user on first sight', async () => {
    expect(await status(idpToken())).toBe(200);
    expect(await status(idpToken())).toBe(200);
    const { rows } = await stack.db.query(
      `SELECT u.roles FROM gateway.external_identities e JOIN gateway.users u USING (user_id)
        WHERE e.issuer = $1 AND e.subject = 'alice-at-idp'`,
      [ISSUER],
    );
    expect(rows).toEqual([{ roles: ['user'] }]);
  });

  it('refuses a wrong issuer, a wrong audience, alg none, an expired one, a tampered one and a foreign key', async () => {
    const valid = idpToken();
    const [header, payload] = valid.split('.');
    const tampered = `${header}.${Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: 'mallory' }),
    ).toString('base64url')}.${valid.split('.')[2]}`;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const cases: Record<string, string> = {
      'wrong issuer': idpToken({}, { issuer: 'https://evil.example.test/' }),
      'wrong audience': idpToken({}, { audience: 'another-api' }),
      'alg none': none,
      expired: idpToken({}, { expiresIn: -60 }),
      tampered,
      'signed by another key under the same kid': idpToken({}, {}, otherKey.privateKey),
    };
    for (const [label, token] of Object.entries(cases)) {
      expect({ label, status: await status(token) }).toEqual({ label, status: 401 });
    }
    const { rows } = await stack.db.query(`SELECT 1 FROM gateway.external_identities WHERE subject = 'mallory'`);
    expect(rows).toHaveLength(0);
  });
});
