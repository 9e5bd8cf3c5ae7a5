import { Global, Module } from '@nestjs/common';
import { AccessTokens } from './access-tokens';
import { ApiKeysController, AuthController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { ApiKeysService } from './api-keys.service';
import { LoginAttemptsRepository } from './login-attempts.repository';
import { LoginThrottleService } from './login-throttle.service';

/** Local accounts (login with its throttle, refresh, logout) and API keys. Global: the auth guard checks keys. */
@Global()
@Module({
  controllers: [AuthController, ApiKeysController],
  providers: [
    AccessTokens,
    AccountsService,
    ApiKeysService,
    LoginAttemptsRepository,
    LoginThrottleService,
  ],
  exports: [ApiKeysService, AccountsService],
})
export class AccountsModule {}
