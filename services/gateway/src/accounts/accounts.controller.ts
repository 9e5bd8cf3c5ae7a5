import { Body, Controller, Delete, Get, HttpCode, Ip, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Public, ZodBodyPipe } from '@shoshizan/service-kit';
import { PROBLEM_CONTENT_TYPE, text, z } from '@shoshizan/shared-interfaces';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { ApiProblems } from '../docs/api-problems';
import { schemaRef } from '../docs/api-schemas';
import { AccountsService, type TokenPair } from './accounts.service';
import { ApiKeysService, type ApiKey } from './api-keys.service';

export const loginSchema = z.strictObject({ username: text().min(1).max(64), password: text().min(1).max(1024) });
export const refreshSchema = z.strictObject({ refreshToken: text().min(10).max(200) });
export const apiKeySchema = z.strictObject({ name: text().trim().min(1).max(100) });

@ApiTags('auth')
@ApiProblems()
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly accounts: AccountsService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in with a username and password: an access token and a refresh token' })
  @ApiBody({ schema: z.toJSONSchema(loginSchema) as object })
  @ApiResponse({ status: 200, description: 'The token pair.', schema: schemaRef('TokenPair') })
  @ApiResponse({ status: 401, description: 'Wrong username or password.' })
  @ApiResponse({
    status: 429,
    description:
      'Too many failed logins for this username or from this address (`login_throttled`); the password was not ' +
      'checked. `Retry-After` says when to try again.',
    headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } },
    content: { [PROBLEM_CONTENT_TYPE]: { schema: schemaRef('ProblemDetails') } },
  })
  login(
    @Body(new ZodBodyPipe(loginSchema, 'Login')) body: z.infer<typeof loginSchema>,
    @Ip() ip: string,
  ): Promise<TokenPair> {
    return this.accounts.login(body.username, body.password, ip);
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Swap a refresh token for a new pair',
    description:
      'Each refresh token works once; using one twice revokes all tokens descended from the same login, access ' +
      'tokens included.',
  })
  @ApiBody({ schema: z.toJSONSchema(refreshSchema) as object })
  @ApiResponse({ status: 200, description: 'A new token pair.', schema: schemaRef('TokenPair') })
  @ApiResponse({ status: 401, description: 'The refresh token is unknown, expired, revoked or already used.' })
  refresh(@Body(new ZodBodyPipe(refreshSchema, 'Refresh')) body: z.infer<typeof refreshSchema>): Promise<TokenPair> {
    return this.accounts.refresh(body.refreshToken);
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke a refresh token and every token descended from the same login',
    description: 'The access tokens of that login stop working too (at once on this replica, within seconds on the others).',
  })
  @ApiBody({ schema: z.toJSONSchema(refreshSchema) as object })
  async logout(@Body(new ZodBodyPipe(refreshSchema, 'Logout')) body: z.infer<typeof refreshSchema>): Promise<void> {
    await this.accounts.logout(body.refreshToken);
  }
}

@ApiTags('api-keys')
@ApiBearerAuth()
@ApiProblems()
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key; the key is in this answer only', description: 'Use it as `Authorization: Bearer <key>`.' })
  @ApiBody({ schema: z.toJSONSchema(apiKeySchema) as object })
  @ApiResponse({ status: 201, description: 'The key, shown this once.', schema: schemaRef('CreatedApiKey') })
  create(
    @CurrentUser() user: AuthenticatedUser,
    @Body(new ZodBodyPipe(apiKeySchema, 'API key')) body: z.infer<typeof apiKeySchema>,
  ): Promise<ApiKey & { key: string }> {
    return this.keys.create(user, body.name);
  }

  @Get()
  @ApiOperation({ summary: 'Your API keys (without their secrets)' })
  @ApiResponse({ status: 200, description: 'Your keys.', schema: schemaRef('ApiKeyList') })
  async list(@CurrentUser() user: AuthenticatedUser): Promise<{ items: ApiKey[] }> {
    return { items: await this.keys.list(user) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke one of your API keys' })
  @ApiResponse({ status: 404, description: 'No such key of yours.' })
  async revoke(@CurrentUser() user: AuthenticatedUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.keys.revoke(user, id);
  }
}
