import { Body, Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ZodBodyPipe } from '@shoshizan/service-kit';
import { text, z, type CreatedUser } from '@shoshizan/shared-interfaces';
import { AccountsService } from '../accounts/accounts.service';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { ApiJsonBody } from '../docs/api-inputs';
import { ApiProblems } from '../docs/api-problems';
import { schemaRef } from '../docs/api-schemas';
import { requireAdmin } from './require-admin';

export const createUserSchema = z.strictObject({
  // Not trimmed: the pattern allows no space, and it holds for the name as sent.
  username: text().min(1).max(64).regex(/^[\w.@-]+$/, 'may hold letters, digits and . _ @ - only'),
  password: text().min(12, 'must be at least 12 characters').max(1024),
  roles: z.array(z.enum(['user', 'admin'])).min(1).default(['user']),
});

@ApiTags('admin')
@ApiBearerAuth()
@ApiProblems([401, 403], { 403: 'The caller is not an admin.' })
@Controller('v1/admin/users')
export class UsersController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a local user (admins only)' })
  @ApiJsonBody(createUserSchema)
  @ApiResponse({ status: 201, description: 'The new user.', schema: schemaRef('CreatedUser') })
  @ApiProblems([409], { 409: 'The username is taken.' })
  async create(
    @CurrentUser() user: AuthenticatedUser,
    @Body(new ZodBodyPipe(createUserSchema, 'User')) body: z.infer<typeof createUserSchema>,
  ): Promise<CreatedUser> {
    requireAdmin(user);
    const id = await this.accounts.createUser(body.username, body.password, body.roles);
    return { id, username: body.username, roles: body.roles };
  }
}
