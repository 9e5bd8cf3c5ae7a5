import { Injectable, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC } from '@shoshizan/service-kit';
import { AuthMetrics } from './auth.metrics';

/** Applied to every route; only routes marked @Public() pass without a valid token. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly metrics: AuthMetrics,
  ) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    return isPublic ? true : super.canActivate(context);
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

