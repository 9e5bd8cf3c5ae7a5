import { env, loadConfig, metricsPortApart, kafkaSecurityEnv } from '@shoshizan/service-kit';
import { SERVICE_PORTS, z } from '@shoshizan/shared-interfaces';
import { proxyEntryProblem } from '../http/proxy-trust';

const LOGIN_FAILURES_PER_USER_ADDRESS_DEFAULT = 10;

/** The gateway's environment variables. Each default is what local mode uses. */
export const gatewayConfigSchema = z.object({
  PORT: env.port(SERVICE_PORTS.gateway.port),
  /** Where GET /metrics is served (on HOST too); the API's port has none. */
  METRICS_PORT: env.port(SERVICE_PORTS.gateway.metricsPort),
  HOST: env.host(),
  LOG_LEVEL: env.logLevel(),
  /** HMAC key that signs and verifies access tokens (HS256). Never commit one. */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters (use a random value)'),
  /** Lifetime of the access tokens that login and refresh issue, in seconds. */
  ACCESS_TOKEN_TTL_SECONDS: env.positiveInt(900),
  /** Lifetime of a refresh token, in seconds (each use replaces it with a new one). */
  REFRESH_TOKEN_TTL_SECONDS: env.positiveInt(30 * 24 * 60 * 60),
  /**
   * How long a logged-out or revoked session's access tokens may still work on a replica
   * that did not do the logout, in ms: each replica keeps a session's "still live" answer
   * this long before asking PostgreSQL again (0: ask on every request).
   */
  SESSION_CHECK_CACHE_MS: env.nonNegativeInt(5000),
  /**
   * Login throttling: within any LOGIN_THROTTLE_WINDOW_SECONDS, at most this many failed
   * logins per (username, client address), per username (from addresses it has not logged
   * in from lately), and per client address; one more gets 429 with Retry-After.
   */
  LOGIN_THROTTLE_WINDOW_SECONDS: env.positiveInt(300),
  LOGIN_FAILURES_PER_USER_ADDRESS: env.positiveInt(LOGIN_FAILURES_PER_USER_ADDRESS_DEFAULT),
  LOGIN_FAILURES_PER_USER: env.positiveInt(30),
  LOGIN_FAILURES_PER_ADDRESS: env.positiveInt(100),
  /** Days after a successful login that its address stays exempt from the per-username limit. */
  LOGIN_KNOWN_ADDRESS_DAYS: env.positiveInt(30),
  /**
   * The proxies whose X-Forwarded-For is believed for the client address (addresses, CIDR
   * blocks, or loopback, linklocal, uniquelocal), at most TRUSTED_PROXY_HOPS of them in a
   * row. The default trusts a peer in a private range (an ingress in the cluster) for one
   * hop; a client connecting from anywhere else is counted by its own address, so in local
   * mode X-Forwarded-For is ignored.
   */
  TRUSTED_PROXIES: env
    .list()
    .pipe(
      z.array(
        z.string().superRefine((entry, ctx) => {
          const problem = proxyEntryProblem(entry);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
      ),
    )
    .default(['uniquelocal']),
  TRUSTED_PROXY_HOPS: env.nonNegativeInt(1),
  /** The first admin, created at start-up when no user has that name (both or neither). */
  ADMIN_USERNAME: z.string().min(1).max(64).optional(),
  ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  /**
   * External identity: access tokens from this OpenID Connect issuer are accepted too,
   * verified against its JWKS (OIDC_JWKS_URL) with OIDC_AUDIENCE and OIDC_ALGORITHMS. Its
   * users become local users on first sight. Unset: only Shoshizan's own tokens and keys.
   */
  OIDC_ISSUER: z.string().min(1).optional(),
  OIDC_AUDIENCE: z.string().min(1).optional(),
  OIDC_JWKS_URL: env.url().optional(),
  OIDC_ALGORITHMS: env
    .list()
    .pipe(z.array(z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'])))
    .default(['RS256', 'ES256']),
  /** Expected `iss` of tokens. */
  JWT_ISSUER: z.string().min(1).default('shoshizan'),
  /** Expected `aud` of tokens. */
  JWT_AUDIENCE: z.string().min(1).default('shoshizan'),
  /** Where gpt-api listens (the model catalog for GET /v1/models, the limits, embeddings). */
  GPT_API_URL: env.url().default(`http://127.0.0.1:${SERVICE_PORTS.gptApi.port}`),
  /** How long POST /v1/embeddings waits for gpt-api's vectors, in ms (a 504 after). */
  EMBED_TIMEOUT_MS: env.positiveInt(120_000),
  /** Where kafka-producer listens. */
  PRODUCER_URL: env.url().default(`http://127.0.0.1:${SERVICE_PORTS.kafkaProducer.port}`),
  /** Where kafka-consumer serves its health (for GET /v1/status only). */
  CONSUMER_URL: env.url().default(`http://127.0.0.1:${SERVICE_PORTS.kafkaConsumer.port}`),
  /**
   * How long a request may take to become durable in Kafka, in ms. Past it the caller gets
   * 503 and the request is void even if it reaches the broker later (envelope enqueueBy).
   */
  ENQUEUE_TIMEOUT_MS: env.positiveInt(10_000),
  KAFKA_BROKERS: env.brokers(),
  KAFKA_CLIENT_ID: z.string().min(1).default('shoshizan-gateway'),
  KAFKA_TOPIC_PREFIX: env.topicPrefix(),
  KAFKA_ENSURE_TOPICS: env.bool(true),
  ...kafkaSecurityEnv,
  DATABASE_URL: env.postgresUrl(),
  /** Origins allowed by CORS (comma-separated); empty allows none. */
  CORS_ORIGINS: env.list().pipe(z.array(z.url())).default(['http://localhost:5173', 'http://127.0.0.1:5173']),
  /** Largest request body, in bytes. */
  BODY_LIMIT_BYTES: env.positiveInt(512 * 1024),
  /**
   * Days the events of a finished request are kept for replay (conversations keep the text
   * of their answers regardless).
   */
  RESPONSE_EVENTS_RETENTION_DAYS: env.positiveInt(7),
  /** How often an idle SSE stream gets a keep-alive comment, in ms. */
  SSE_KEEPALIVE_MS: env.positiveInt(15_000),
}).superRefine((config, ctx) => {
  if (config.OIDC_ISSUER !== undefined) {
    for (const name of ['OIDC_AUDIENCE', 'OIDC_JWKS_URL'] as const) {
      if (config[name] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: 'is required with OIDC_ISSUER' });
    }
  }
  // One address alone must never fill a username's count (that would let it lock the user
  // out), nor be held by its own address limit before its (username, address) one. The
  // problem is told on a variable that was set: the loader calls an unset one "required".
  const perUserAddress = config.LOGIN_FAILURES_PER_USER_ADDRESS;
  const changed = perUserAddress !== LOGIN_FAILURES_PER_USER_ADDRESS_DEFAULT;
  if (perUserAddress >= config.LOGIN_FAILURES_PER_USER) {
    ctx.addIssue(
      changed
        ? { code: 'custom', path: ['LOGIN_FAILURES_PER_USER_ADDRESS'], message: 'must be below LOGIN_FAILURES_PER_USER' }
        : { code: 'custom', path: ['LOGIN_FAILURES_PER_USER'], message: 'must be above LOGIN_FAILURES_PER_USER_ADDRESS' },
    );
  }
  if (perUserAddress > config.LOGIN_FAILURES_PER_ADDRESS) {
    ctx.addIssue(
      changed
        ? { code: 'custom', path: ['LOGIN_FAILURES_PER_USER_ADDRESS'], message: 'must be at most LOGIN_FAILURES_PER_ADDRESS' }
        : { code: 'custom', path: ['LOGIN_FAILURES_PER_ADDRESS'], message: 'must be at least LOGIN_FAILURES_PER_USER_ADDRESS' },
    );
  }
  if ((config.ADMIN_USERNAME === undefined) !== (config.ADMIN_PASSWORD === undefined)) {
    const missing = config.ADMIN_USERNAME === undefined ? 'ADMIN_USERNAME' : 'ADMIN_PASSWORD';
    ctx.addIssue({ code: 'custom', path: [missing], message: 'set ADMIN_USERNAME and ADMIN_PASSWORD together' });
  }
}).superRefine(metricsPortApart);
export type GatewayConfig = z.output<typeof gatewayConfigSchema>;

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

export function loadGatewayConfig(environment: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadConfig('gateway', gatewayConfigSchema, environment);
}
