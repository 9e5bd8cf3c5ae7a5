import { Inject, Injectable, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC } from '@shoshizan/service-kit';
import { API_KEY_PREFIX, ApiKeysService } from '../accounts/api-keys.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { AuthMetrics } from './auth.metrics';
import type { AuthenticatedUser } from './authenticated-user';

/** Why a token was refused, for the auth-failure metric. */
function reasonOf(info: unknown): string {
  const name = (info as { name?: string } | undefined)?.name;
  const message = (info as { message?: string } | undefined)?.message ?? '';
  if (name === 'TokenExpiredError') return 'expired';
  if (/session has ended/i.test(message)) return 'session_ended';
  if (/no auth token/i.test(message)) return 'missing_token';
  if (/signature|secret or public key/i.test(message)) return 'bad_signature';
  if (/issuer|audience/i.test(message)) return 'wrong_issuer_or_audience';
  if (/algorithm/i.test(message)) return 'bad_algorithm';
  return 'invalid_token';
}

function refuse<TUser>(metrics: AuthMetrics, error: unknown, user: TUser | false, info: unknown): TUser {
  if (error || !user) {
    const reason = reasonOf(info ?? error);
    metrics.failures.inc({ reason });
    throw error instanceof UnauthorizedException
      ? error
      : new UnauthorizedException(`Authentication failed: ${reason.replace(/_/g, ' ')}.`);
  }
  return user;
}

/** The OIDC strategy as a guard; CredentialsGuard hands it the tokens of the external issuer. */
@Injectable()
export class OidcAuthGuard extends AuthGuard('oidc') {
  constructor(private readonly metrics: AuthMetrics) {
    super();
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false, info: unknown): TUser {
    return refuse(this.metrics, error, user, info);
  }
}

/** The `iss` a JWT claims, read without verifying (only to pick who verifies it). */
function claimedIssuer(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const iss = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: unknown }).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Applied to every route; only routes marked @Public() pass without credentials. A bearer
 * is an API key (`shz_...`, looked up by its hash), a token of the configured OpenID Connect
 * issuer (verified against its JWKS), or Shoshizan's own access token (HS256), which is
 * what it falls back to: it extends the `jwt` strategy's guard.
 */
@Injectable()
export class CredentialsGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly metrics: AuthMetrics,
    private readonly apiKeys: ApiKeysService,
    private readonly oidc: OidcAuthGuard,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, unknown>; user?: AuthenticatedUser }>();
    const authorization = request.headers.authorization;
    const bearer = typeof authorization === 'string' ? /^Bearer (\S+)$/i.exec(authorization)?.[1] : undefined;
    if (bearer?.startsWith(API_KEY_PREFIX)) {
      const user = await this.apiKeys.authenticate(bearer);
      if (!user) {
        this.metrics.failures.inc({ reason: 'invalid_api_key' });
        throw new UnauthorizedException('Authentication failed: unknown or revoked API key.');
      }
      request.user = user;
      return true;
    }
    if (bearer && this.config.OIDC_ISSUER && claimedIssuer(bearer) === this.config.OIDC_ISSUER) {
      return (await this.oidc.canActivate(context)) as boolean;
    }
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false, info: unknown): TUser {
    return refuse(this.metrics, error, user, info);
  }
}
