import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode, z } from '@shoshizan/shared-interfaces';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { DeadLettersService, type DeadLetter } from './dead-letters.service';
import { requireAdmin } from './require-admin';

const limitSchema = z.coerce.number().int().min(1).max(500).default(50);

@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/dead-letters')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  @Get()
  @ApiOperation({
    summary: 'The newest dead-lettered requests, newest first',
    description: 'Each carries the error code, the reason and the attempt count it was dead-lettered with.',
  })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } })
  @ApiResponse({ status: 403, description: 'The caller is not an admin.' })
  async list(@CurrentUser() user: AuthenticatedUser, @Query('limit') limit?: string): Promise<{ items: DeadLetter[] }> {
    requireAdmin(user);
    const parsed = limitSchema.safeParse(limit);
    if (!parsed.success) {
      throw new DomainException(ErrorCode.ValidationFailed, 'limit must be a whole number from 1 to 500.', {
        issues: [{ path: 'limit', message: 'must be a whole number from 1 to 500' }],
      });
    }
    return { items: await this.deadLetters.list(parsed.data) };
  }

  @Post(':id/redrive')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a dead-lettered request back to the requests topic',
    description:
      'The request keeps its id and gets its original time budget again; the worker continues its answer ' +
      'after the error that ended it. Poison messages (not a valid request) cannot be redriven.',
  })
  @ApiResponse({ status: 202, description: 'The request is back on the requests topic.' })
  @ApiResponse({ status: 400, description: 'Not a dead-letter id, or the message is not a valid request.' })
  @ApiResponse({ status: 403, description: 'The caller is not an admin.' })
  @ApiResponse({ status: 404, description: 'No such dead letter.' })
  redrive(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id') id: string,
  ): Promise<{ requestId: string; redrivenAt: string }> {
    requireAdmin(user);
    return this.deadLetters.redrive(id);
  }
}
