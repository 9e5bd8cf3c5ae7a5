import { Injectable, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC } from '@shoshizan/service-kit';
import { API_KEY_PREFIX, ApiKeysService } from '../accounts/api-keys.service';
import { AuthMetrics } from './auth.metrics';
import type { AuthenticatedUser } from './authenticated-user';

/** Applied to every route; only routes marked @Public() pass without a valid token. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly metrics: AuthMetrics,
    private readonly apiKeys: ApiKeysService,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    // An API key (shz_...) instead of a JWT: looked up by its hash.
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
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false, info: unknown): TUser {
    if (error || !user) {
      const reason = this.reasonOf(info);
      this.metrics.failures.inc({ reason });
      throw error instanceof UnauthorizedException
        ? error
        : new UnauthorizedException(`Authentication failed: ${reason.replace(/_/g, ' ')}.`);
    }
    return user;
  }

  private reasonOf(info: unknown): string {
    const name = (info as { name?: string } | undefined)?.name;
    const message = (info as { message?: string } | undefined)?.message ?? '';
    if (name === 'TokenExpiredError') return 'expired';
    if (/no auth token/i.test(message)) return 'missing_token';
    if (/signature/i.test(message)) return 'bad_signature';
    if (/issuer|audience/i.test(message)) return 'wrong_issuer_or_audience';
    if (/algorithm/i.test(message)) return 'bad_algorithm';
    return 'invalid_token';
  }
}

