import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode, z, type QuarantinedRecord } from '@shoshizan/shared-interfaces';
import { schemaRef } from '../docs/api-schemas';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { QuarantineService } from './quarantine.service';
import { requireAdmin } from './require-admin';

const limitSchema = z.coerce.number().int().min(1).max(500).default(50);

@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/quarantine')
export class QuarantineController {
  constructor(private readonly quarantine: QuarantineService) {}

  @Get()
  @ApiOperation({
    summary: 'Records the services could not process and set aside, newest first',
    description:
      'A record that cannot be read, or whose processing failed for its own sake a few times (say, a response ' +
      'event PostgreSQL refuses), is set aside so that its partition moves on. Each entry says where it came from, ' +
      'which consumers gave up on it and why. Requests go to the dead-letter topic instead.',
  })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } })
  @ApiResponse({ status: 200, description: 'The newest set-aside records.', schema: schemaRef('QuarantineList') })
  @ApiResponse({ status: 403, description: 'The caller is not an admin.' })
  async list(@CurrentUser() user: AuthenticatedUser, @Query('limit') limit?: string): Promise<{ items: QuarantinedRecord[] }> {
    requireAdmin(user);
    const parsed = limitSchema.safeParse(limit);
    if (!parsed.success) {
      throw new DomainException(ErrorCode.ValidationFailed, 'limit must be a whole number from 1 to 500.', {
        issues: [{ path: 'limit', message: 'must be a whole number from 1 to 500' }],
      });
    }
    return { items: await this.quarantine.list(parsed.data) };
  }
}
