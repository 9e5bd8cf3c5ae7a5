import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ZodBodyPipe } from '@shoshizan/service-kit';
import { z, type DeadLetter, type Redriven } from '@shoshizan/shared-interfaces';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { ApiQueryOf } from '../docs/api-inputs';
import { ApiProblems } from '../docs/api-problems';
import { schemaRef } from '../docs/api-schemas';
import { DeadLettersService } from './dead-letters.service';
import { requireAdmin } from './require-admin';

const listQuerySchema = z.object({
  limit: z.coerce.number<string>().int().min(1).max(500).default(50).describe('Dead letters to list, at most.'),
});

@ApiTags('admin')
@ApiBearerAuth()
@ApiProblems([401, 403], { 403: 'The caller is not an admin.' })
@Controller('v1/admin/dead-letters')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  @Get()
  @ApiOperation({
    summary: 'The newest dead-lettered requests, newest first',
    description: 'Each carries the error code, the reason and the attempt count it was dead-lettered with.',
  })
  @ApiQueryOf(listQuerySchema)
  @ApiResponse({ status: 200, description: 'The dead letters.', schema: schemaRef('DeadLetterList') })
  async list(
    @CurrentUser() user: AuthenticatedUser,
    @Query(new ZodBodyPipe(listQuerySchema, 'Query')) query: z.output<typeof listQuerySchema>,
  ): Promise<{ items: DeadLetter[] }> {
    requireAdmin(user);
    return { items: await this.deadLetters.list(query.limit) };
  }

  @Post(':id/redrive')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a dead-lettered request back to the requests topic',
    description:
      'The request keeps its id and gets its original time budget again; the worker continues its answer ' +
      'after the error that ended it. Poison messages (not a valid request) cannot be redriven.',
  })
  @ApiParam({ name: 'id', description: 'The dead letter’s `<partition>:<offset>`.', schema: { type: 'string', pattern: '^\\d+:\\d+$' } })
  @ApiResponse({ status: 202, description: 'The request is back on the requests topic.', schema: schemaRef('Redriven') })
  @ApiProblems([400, 404, 503], {
    400: 'Not a dead-letter id, or the message is not a valid request.',
    404: 'No such dead letter.',
    503: 'The requests topic is unavailable.',
  })
  redrive(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<Redriven> {
    requireAdmin(user);
    return this.deadLetters.redrive(id);
  }
}
