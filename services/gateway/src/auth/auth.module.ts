import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AuthMetrics } from './auth.metrics';
import { CredentialsGuard, OidcAuthGuard } from './credentials.guard';
import { JwtStrategy } from './jwt.strategy';
import { OidcStrategy } from './oidc.strategy';

@Module({
  imports: [PassportModule.register({ session: false })],
  providers: [JwtStrategy, OidcStrategy, OidcAuthGuard, AuthMetrics, { provide: APP_GUARD, useClass: CredentialsGuard }],
})
export class AuthModule {}
