import { Global, Module } from '@nestjs/common';
import { AccessTokens } from './access-tokens';
import { ApiKeysController, AuthController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { LoginAttemptsRepository } from './login-attempts.repository';
import { LoginThrottleService } from './login-throttle.service';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';
import { UsersRepository } from './users.repository';

/**
 * Local accounts (login with its throttle, refresh, logout, sessions) and API keys. Global:
 * CredentialsGuard checks keys and sessions.
 */
@Global()
@Module({
  controllers: [AuthController, ApiKeysController],
  providers: [
    AccessTokens,
    AccountsService,
    ApiKeysRepository,
    ApiKeysService,
    LoginAttemptsRepository,
    LoginThrottleService,
    RefreshTokensRepository,
    SessionsRepository,
    SessionsService,
    UsersRepository,
  ],
  exports: [ApiKeysService, AccountsService, SessionsService],
})
export class AccountsModule {}
