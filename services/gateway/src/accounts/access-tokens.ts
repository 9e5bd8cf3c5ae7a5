import { Inject, Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

/** Issues the short-lived access tokens the JWT strategy verifies (HS256, JWT_SECRET). */
@Injectable()
export class AccessTokens {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  /**
   * `sessionId` becomes the `sid` claim: the gateway refuses the token once that session
   * (the login's refresh-token family) is logged out or revoked, before it expires.
   */
  issue(
    user: { userId: string; username?: string; roles: readonly string[] },
    sessionId: string,
  ): { token: string; expiresIn: number } {
    const expiresIn = this.config.ACCESS_TOKEN_TTL_SECONDS;
    const token = jwt.sign(
      { roles: [...user.roles], sid: sessionId, ...(user.username ? { preferred_username: user.username } : {}) },
      this.config.JWT_SECRET,
      {
        algorithm: 'HS256',
        subject: user.userId,
        issuer: this.config.JWT_ISSUER,
        audience: this.config.JWT_AUDIENCE,
        expiresIn,
      },
    );
    return { token, expiresIn };
  }
}
