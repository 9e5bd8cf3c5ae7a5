import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** Who is calling, as established by the JWT strategy. */
export interface AuthenticatedUser {
  readonly userId: string;
  readonly roles: readonly string[];
}

/** Injects the authenticated caller into a route handler. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuthenticatedUser =>
    ctx.switchToHttp().getRequest<{ user: AuthenticatedUser }>().user,
);
