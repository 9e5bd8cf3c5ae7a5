import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode } from '@shoshizan/shared-interfaces';
import type { AuthenticatedUser } from '../auth/authenticated-user';

/** Refuses (403) a caller without the admin role. */
export function requireAdmin(user: AuthenticatedUser): void {
  if (!user.roles.includes('admin')) throw new DomainException(ErrorCode.Forbidden, 'This route is for admins.');
}
