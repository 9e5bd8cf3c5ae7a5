import { Global, Module } from '@nestjs/common';
import { AccessTokens } from './access-tokens';
import { ApiKeysController, AuthController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { ApiKeysService } from './api-keys.service';
import { LoginAttemptsRepository } from './login-attempts.repository';
import { LoginThrottleService } from './login-throttle.service';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';

/**
 * Local accounts (login with its throttle, refresh, logout, sessions) and API keys. Global:
 * the auth guard checks keys and sessions.
 */
@Global()
@Module({
  controllers: [AuthController, ApiKeysController],
  providers: [
    AccessTokens,
    AccountsService,
    ApiKeysService,
    LoginAttemptsRepository,
    LoginThrottleService,
    SessionsRepository,
    SessionsService,
  ],
  exports: [ApiKeysService, AccountsService, SessionsService],
})
export class AccountsModule {}
