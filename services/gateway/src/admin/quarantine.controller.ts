import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ZodBodyPipe } from '@shoshizan/service-kit';
import { z, type QuarantinedRecord } from '@shoshizan/shared-interfaces';
import { ApiQueryOf } from '../docs/api-inputs';
import { ApiProblems } from '../docs/api-problems';
import { schemaRef } from '../docs/api-schemas';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { QuarantineService } from './quarantine.service';
import { requireAdmin } from './require-admin';

const listQuerySchema = z.object({
  limit: z.coerce.number<string>().int().min(1).max(500).default(50).describe('Records to list, at most.'),
});

@ApiTags('admin')
@ApiBearerAuth()
@ApiProblems([401, 403], { 403: 'The caller is not an admin.' })
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
  @ApiQueryOf(listQuerySchema)
  @ApiResponse({ status: 200, description: 'The newest set-aside records.', schema: schemaRef('QuarantineList') })
  async list(
    @CurrentUser() user: AuthenticatedUser,
    @Query(new ZodBodyPipe(listQuerySchema, 'Query')) query: z.output<typeof listQuerySchema>,
  ): Promise<{ items: QuarantinedRecord[] }> {
    requireAdmin(user);
    return { items: await this.quarantine.list(query.limit) };
  }
}
