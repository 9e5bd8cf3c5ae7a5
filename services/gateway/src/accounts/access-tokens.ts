import { Inject, Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

/** Issues the short-lived access tokens the JWT strategy verifies (HS256, JWT_SECRET). */
@Injectable()
export class AccessTokens {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  issue(user: { userId: string; username?: string; roles: readonly string[] }): { token: string; expiresIn: number } {
    const expiresIn = this.config.ACCESS_TOKEN_TTL_SECONDS;
    const token = jwt.sign(
      { roles: [...user.roles], ...(user.username ? { preferred_username: user.username } : {}) },
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
