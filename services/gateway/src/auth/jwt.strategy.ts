import { createSecretKey } from 'node:crypto';
import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { SessionsService } from '../accounts/sessions.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import type { AuthenticatedUser } from './authenticated-user';

interface AccessTokenClaims {
  sub?: string;
  roles?: unknown;
  sid?: unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Bearer access tokens signed with JWT_SECRET (HS256), with the configured issuer and
 * audience. One that names a session (`sid`, as every token login and refresh issue does)
 * works only while that session is live: logout and a reused refresh token end it. One
 * without is not tied to a session (made with the secret itself, e.g. `npm run dev-token`).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly sessions: SessionsService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A key object, made once: given the string, jsonwebtoken tries it as a public key
      // first and builds a secret key from it after that throws, on every request (a
      // measurable share of the gateway's CPU under a crowd).
      secretOrKey: createSecretKey(Buffer.from(config.JWT_SECRET)) as unknown as string,
      algorithms: ['HS256'],
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  async validate(claims: AccessTokenClaims): Promise<AuthenticatedUser> {
    if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 200) {
      throw new UnauthorizedException('The token has no usable subject.');
    }
    if (claims.sid !== undefined) {
      if (typeof claims.sid !== 'string' || !UUID.test(claims.sid) || !(await this.sessions.isLive(claims.sid))) {
        throw new UnauthorizedException('Authentication failed: the session has ended; log in again.');
      }
    }
    const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : ['user'];
    return { userId: claims.sub, roles };
  }
}
