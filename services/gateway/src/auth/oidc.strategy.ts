import { randomBytes } from 'node:crypto';
import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { passportJwtSecret } from 'jwks-rsa';
import { ExtractJwt, Strategy, type StrategyOptionsWithoutRequest } from 'passport-jwt';
import { AccountsService } from '../accounts/accounts.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import type { AuthenticatedUser } from './authenticated-user';

function optionsFor(config: GatewayConfig): StrategyOptionsWithoutRequest {
  const jwtFromRequest = ExtractJwt.fromAuthHeaderAsBearerToken();
  if (!config.OIDC_ISSUER || !config.OIDC_AUDIENCE || !config.OIDC_JWKS_URL) {
    return { jwtFromRequest, secretOrKey: randomBytes(32).toString('hex'), algorithms: ['HS256'] };
  }
  return {
    jwtFromRequest,
    secretOrKeyProvider: passportJwtSecret({
      jwksUri: config.OIDC_JWKS_URL,
      cache: true,
      cacheMaxAge: 10 * 60 * 1000,
      rateLimit: true,
      jwksRequestsPerMinute: 10,
    }),
    issuer: config.OIDC_ISSUER,
    audience: config.OIDC_AUDIENCE,
    algorithms: config.OIDC_ALGORITHMS,
    ignoreExpiration: false,
  };
}

/**
 * Access tokens from the configured OpenID Connect issuer, verified against its JWKS (keys
 * cached, fetches rate-limited), with the configured audience and algorithms. Without
 * OIDC_ISSUER it is registered but matches nothing (the guard never routes to it then).
 */
@Injectable()
export class OidcStrategy extends PassportStrategy(Strategy, 'oidc') {
  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly accounts: AccountsService,
  ) {
    super(optionsFor(config));
  }

  async validate(claims: { iss?: unknown; sub?: unknown }): Promise<AuthenticatedUser> {
    if (typeof claims.iss !== 'string' || typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 200) {
      throw new UnauthorizedException('The token has no usable subject.');
    }
    return this.accounts.userForExternal(claims.iss, claims.sub);
  }
}
