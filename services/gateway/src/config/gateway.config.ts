import { env, loadConfig } from '@shoshizan/service-kit';
import { z } from '@shoshizan/shared-interfaces';

/** The gateway's environment variables. Each default is what local mode uses. */
export const gatewayConfigSchema = z.object({
  PORT: env.port(3000),
  HOST: env.host(),
  LOG_LEVEL: env.logLevel(),
  /** HMAC key that signs and verifies access tokens (HS256). Never commit one. */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters (use a random value)'),
  /** Expected `iss` of tokens. */
  JWT_ISSUER: z.string().min(1).default('shoshizan'),
  /** Expected `aud` of tokens. */
  JWT_AUDIENCE: z.string().min(1).default('shoshizan'),
  /** Where gpt-api listens (the model catalog for GET /v1/models). */
  GPT_API_URL: env.url().default('http://127.0.0.1:3003'),
  /** Where kafka-producer listens. */
  PRODUCER_URL: env.url().default('http://127.0.0.1:3001'),
  /**
   * How long a request may take to become durable in Kafka, in ms. Past it the caller gets
   * 503 and the request is void even if it reaches the broker later (envelope enqueueBy).
   */
  ENQUEUE_TIMEOUT_MS: env.positiveInt(10_000),
  KAFKA_BROKERS: env.brokers(),
  KAFKA_CLIENT_ID: z.string().min(1).default('shoshizan-gateway'),
  KAFKA_TOPIC_PREFIX: env.topicPrefix(),
  KAFKA_ENSURE_TOPICS: env.bool(true),
  DATABASE_URL: env.postgresUrl(),
  /** Origins allowed by CORS (comma-separated); empty allows none. */
  CORS_ORIGINS: env.list().pipe(z.array(z.url())).default(['http://localhost:5173', 'http://127.0.0.1:5173']),
  /** Largest request body, in bytes. */
  BODY_LIMIT_BYTES: env.positiveInt(512 * 1024),
  /** How often an idle SSE stream gets a keep-alive comment, in ms. */
  SSE_KEEPALIVE_MS: env.positiveInt(15_000),
});
export type GatewayConfig = z.output<typeof gatewayConfigSchema>;

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

export function loadGatewayConfig(environment: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadConfig('gateway', gatewayConfigSchema, environment);
}
