import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { Counter, type Registry } from 'prom-client';
import { DomainException, METRICS_REGISTRY } from '@shoshizan/service-kit';
import { ErrorCode } from '@shoshizan/shared-interfaces';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { LoginAttemptsRepository, type LoginAttempt } from './login-attempts.repository';
import { clientAddressKey, decideLogin, throttleKeys, type ThrottleRules, type ThrottleScope } from './login-throttle';

const PRUNE_EVERY_MS = 5 * 60 * 1000;

/**
 * Slows password guessing: failed logins are counted per (username, client address), per
 * username and per client address in PostgreSQL (so across replicas), and an attempt over a
 * limit is refused with 429 and Retry-After before its password is checked. Nothing is
 * locked for longer than one window after the failures stop, a success from an address
 * clears that address's count for the user, and an address the user logged in from lately
 * is not held by failures from elsewhere: so no one can lock a user out for long.
 */
@Injectable()
export class LoginThrottleService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly rules: ThrottleRules;
  private readonly throttled: Counter<'scope'>;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: LoginAttemptsRepository,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(LoginThrottleService.name);
    this.rules = {
      windowMs: config.LOGIN_THROTTLE_WINDOW_SECONDS * 1000,
      failures: {
        user_address: config.LOGIN_FAILURES_PER_USER_ADDRESS,
        user: config.LOGIN_FAILURES_PER_USER,
        address: config.LOGIN_FAILURES_PER_ADDRESS,
      },
    };
    this.throttled = new Counter({
      name: 'gateway_login_throttled_total',
      help: 'Logins refused with 429 before the password was checked, by the limit that held them (user_address, user, address).',
      labelNames: ['scope'],
      registers: [registry],
    });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /**
   * Counts a login attempt as a failure until `succeeded` says otherwise; throws
   * LoginThrottled (with the seconds to wait) if a limit holds it.
   */
  async admit(username: string, ip: string): Promise<LoginAttempt> {
    const address = clientAddressKey(ip);
    const attempt: LoginAttempt = { attemptId: randomUUID(), username, address, keys: throttleKeys(username, address) };
    const newest = Math.max(...Object.values(this.rules.failures));
    const decision = await this.repository.attempt(
      attempt,
      { windowMs: this.rules.windowMs, newest, knownForDays: this.config.LOGIN_KNOWN_ADDRESS_DAYS },
      (state, nowMs) => decideLogin(this.rules, state, nowMs),
    );
    if (decision.allowed) return attempt;
    this.throttled.inc({ scope: decision.scope });
    this.logger.warn({ username, address, scope: decision.scope, retryAfterMs: decision.retryAfterMs }, 'Throttled a login');
    const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    throw new DomainException(ErrorCode.LoginThrottled, `Too many failed logins ${WHERE[decision.scope]}. Try again in ${seconds} s.`, {
      retryAfterSeconds: seconds,
    });
  }

  async succeeded(attempt: LoginAttempt): Promise<void> {
    await this.repository.succeeded(attempt);
  }

  private async prune(): Promise<void> {
    try {
      await this.repository.prune(this.rules.windowMs, this.config.LOGIN_KNOWN_ADDRESS_DAYS);
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not prune login attempts');
    }
  }
}

/**
 * The refusal says which kind of limit held, not the counts: the same words whether or not
 * the username exists (failures are counted for unknown names too).
 */
const WHERE: Readonly<Record<ThrottleScope, string>> = {
  user_address: 'for this username from your address',
  user: 'for this username',
  address: 'from your address',
};
