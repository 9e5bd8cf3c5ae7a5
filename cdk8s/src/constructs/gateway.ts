import { Construct } from 'constructs';
import { METRICS_PORTS, PORTS, secretEnv, type Release } from './context';
import { ShoshizanService } from './shoshizan-service';

export interface GatewayProps {
  readonly release: Release;
}

/**
 * The gateway: the one entry point (JWT/OIDC/API keys, conversations, SSE, OpenAI API).
 * Its signing secret and first admin come from `auth.existingSecret`, never from values.
 */
export class Gateway extends ShoshizanService {
  constructor(scope: Construct, id: string, { release }: GatewayProps) {
    const { s, v } = release;
    const secret = s.text(v.auth.existingSecret);
    super(scope, id, {
      release,
      component: 'gateway',
      port: PORTS.gateway,
      metricsPort: METRICS_PORTS.gateway,
      image: release.image('gateway', v.gateway.image),
      replicas: v.gateway.replicas,
      resources: v.gateway.resources,
      autoscaling: v.gateway.autoscaling,
      config: {
        ...release.kafkaConfig(),
        PRODUCER_URL: release.url('kafka-producer', PORTS.kafkaProducer),
        GPT_API_URL: release.url('gpt-api', PORTS.gptApi),
        // Only for the status page (GET /v1/status): the workers' health.
        CONSUMER_URL: release.url('kafka-consumer', PORTS.kafkaConsumer),
        ACCESS_TOKEN_TTL_SECONDS: s.format`${v.auth.accessTokenTtlSeconds}`,
        REFRESH_TOKEN_TTL_SECONDS: s.format`${v.auth.refreshTokenTtlSeconds}`,
        OIDC_ISSUER: s.text(v.auth.oidc.issuer),
        OIDC_AUDIENCE: s.text(v.auth.oidc.audience),
        OIDC_JWKS_URL: s.text(v.auth.oidc.jwksUrl),
        CORS_ORIGINS: s.text(v.gateway.corsOrigins),
        RESPONSE_EVENTS_RETENTION_DAYS: s.format`${v.gateway.responseEventsRetentionDays}`,
      },
      env: s.concat(
        [
          secretEnv('JWT_SECRET', secret, 'jwt-secret'),
          secretEnv('ADMIN_USERNAME', secret, 'admin-username', true),
          secretEnv('ADMIN_PASSWORD', secret, 'admin-password', true),
        ],
        release.kafkaEnv(),
        release.databaseEnv(),
      ),
    });
  }
}
