import { ConfigValidationError } from '@shoshizan/service-kit';
import { loadGatewayConfig } from './gateway.config';

const valid = {
  JWT_SECRET: 'x'.repeat(32),
  KAFKA_BROKERS: '127.0.0.1:19092',
  DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadGatewayConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems.map((p) => `${p.variable}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('gateway config', () => {
  it('fills defaults for local mode', () => {
    expect(loadGatewayConfig(valid)).toMatchObject({
      PORT: 3000,
      METRICS_PORT: 9460,
      HOST: '127.0.0.1',
      PRODUCER_URL: 'http://127.0.0.1:3001',
      JWT_ISSUER: 'shoshizan',
      CORS_ORIGINS: ['http://localhost:5173', 'http://127.0.0.1:5173'],
    });
  });

  it('names every missing variable at once', () => {
    expect(problemsOf({})).toEqual([
      'JWT_SECRET: is required',
      'KAFKA_BROKERS: is required',
      'DATABASE_URL: is required',
    ]);
  });

  it('rejects a short JWT secret', () => {
    expect(problemsOf({ ...valid, JWT_SECRET: 'short' })).toEqual([
      'JWT_SECRET: must be at least 32 characters (use a random value)',
    ]);
  });

  it.each([
    ['PRODUCER_URL', 'localhost:3001'],
    ['CORS_ORIGINS', 'not-an-origin'],
    ['DATABASE_URL', 'mysql://x'],
    ['BODY_LIMIT_BYTES', '0'],
    ['LOG_LEVEL', 'loud'],
  ])('rejects a bad %s and names it', (variable, value) => {
    const problems = problemsOf({ ...valid, [variable]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${variable}(\\.\\d+)?: `));
  });

  it('wants an audience and a key set with an OIDC issuer, and known algorithms', () => {
    expect(problemsOf({ ...valid, OIDC_ISSUER: 'https://idp.example' })).toEqual([
      'OIDC_AUDIENCE: is required',
      'OIDC_JWKS_URL: is required',
    ]);
    expect(problemsOf({ ...valid, OIDC_ALGORITHMS: 'RS256,HS256' })).toEqual([
      expect.stringMatching(/^OIDC_ALGORITHMS: entry 2: /),
    ]);
  });

  it('wants the first admin name and password together', () => {
    expect(problemsOf({ ...valid, ADMIN_USERNAME: 'root' })).toEqual(['ADMIN_PASSWORD: is required']);
    expect(problemsOf({ ...valid, ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'short' })).toEqual([
      'ADMIN_PASSWORD: must be at least 12 characters',
    ]);
    expect(problemsOf({ ...valid, ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'long enough secret' })).toEqual([]);
  });

  it('keeps the login limits in the order that stops one address locking a user out', () => {
    expect(loadGatewayConfig(valid)).toMatchObject({
      LOGIN_THROTTLE_WINDOW_SECONDS: 300,
      LOGIN_FAILURES_PER_USER_ADDRESS: 10,
      LOGIN_FAILURES_PER_USER: 30,
      LOGIN_FAILURES_PER_ADDRESS: 100,
      TRUSTED_PROXIES: ['uniquelocal'],
      TRUSTED_PROXY_HOPS: 1,
      SESSION_CHECK_CACHE_MS: 5000,
    });
    expect(problemsOf({ ...valid, LOGIN_FAILURES_PER_USER_ADDRESS: '30' })).toEqual([
      'LOGIN_FAILURES_PER_USER_ADDRESS: must be below LOGIN_FAILURES_PER_USER',
    ]);
    expect(problemsOf({ ...valid, LOGIN_FAILURES_PER_USER: '10' })).toEqual([
      'LOGIN_FAILURES_PER_USER: must be above LOGIN_FAILURES_PER_USER_ADDRESS',
    ]);
    expect(problemsOf({ ...valid, LOGIN_FAILURES_PER_ADDRESS: '5' })).toEqual([
      'LOGIN_FAILURES_PER_ADDRESS: must be at least LOGIN_FAILURES_PER_USER_ADDRESS',
    ]);
    expect(problemsOf({ ...valid, LOGIN_FAILURES_PER_USER_ADDRESS: '3', LOGIN_FAILURES_PER_USER: '5', LOGIN_FAILURES_PER_ADDRESS: '3' })).toEqual(
      [],
    );
    expect(problemsOf({ ...valid, TRUSTED_PROXY_HOPS: '-1' })).toHaveLength(1);
    expect(problemsOf({ ...valid, TRUSTED_PROXIES: 'loopback,10.0.0.0/40' })).toEqual([
      "TRUSTED_PROXIES: entry 2: '10.0.0.0/40' has a bad prefix length",
    ]);
  });

  it('throws a ConfigValidationError whose message lists the variables', () => {
    expect(() => loadGatewayConfig({ KAFKA_BROKERS: 'x:1' })).toThrow(ConfigValidationError);
    expect(() => loadGatewayConfig({ KAFKA_BROKERS: 'x:1' })).toThrow(/gateway: invalid configuration:\n {2}- JWT_SECRET/);
  });
});
