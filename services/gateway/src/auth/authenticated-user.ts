import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** Who is calling, as CredentialsGuard established it (from an access token, an API key or an OIDC token). */
export interface AuthenticatedUser {
  readonly userId: string;
  readonly roles: readonly string[];
}

/** Injects the authenticated caller into a route handler. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuthenticatedUser =>
    ctx.switchToHttp().getRequest<{ user: AuthenticatedUser }>().user,
);
