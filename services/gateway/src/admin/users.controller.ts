import { Body, Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ZodBodyPipe } from '@shoshizan/service-kit';
import { text, z } from '@shoshizan/shared-interfaces';
import { AccountsService } from '../accounts/accounts.service';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { requireAdmin } from './require-admin';

export const createUserSchema = z.strictObject({
  username: text().trim().min(1).max(64).regex(/^[\w.@-]+$/, 'may hold letters, digits and . _ @ - only'),
  password: text().min(12, 'must be at least 12 characters').max(1024),
  roles: z.array(z.enum(['user', 'admin'])).min(1).default(['user']),
});

@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/users')
export class UsersController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a local user (admins only)' })
  @ApiBody({ schema: z.toJSONSchema(createUserSchema, { io: 'input' }) as object })
  @ApiResponse({ status: 400, description: 'A field is invalid, or the username is taken.' })
  @ApiResponse({ status: 403, description: 'The caller is not an admin.' })
  async create(
    @CurrentUser() user: AuthenticatedUser,
    @Body(new ZodBodyPipe(createUserSchema, 'User')) body: z.infer<typeof createUserSchema>,
  ): Promise<{ id: string; username: string; roles: string[] }> {
    requireAdmin(user);
    const id = await this.accounts.createUser(body.username, body.password, body.roles);
    return { id, username: body.username, roles: body.roles };
  }
}
