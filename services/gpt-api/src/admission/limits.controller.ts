import { Controller, Get, Param, Query } from '@nestjs/common';
import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode, userIdSchema, type UserLimits } from '@shoshizan/shared-interfaces';
import { UserLimitsService } from './user-limits.service';

/** Internal: a user's limits and usage, for the gateway's check before enqueueing. */
@Controller('v1/limits')
export class LimitsController {
  constructor(private readonly userLimits: UserLimitsService) {}

  @Get(':userId')
  limits(@Param('userId') userId: string, @Query('roles') roles?: string): Promise<UserLimits> {
    if (!userIdSchema.safeParse(userId).success) {
      throw new DomainException(ErrorCode.ValidationFailed, 'userId is not a valid user id.');
    }
    const roleList = (roles ?? '').split(',').map((r) => r.trim()).filter(Boolean);
    return this.userLimits.limitsOf(userId, roleList);
  }
}
