import { Body, Controller, Delete, Get, HttpCode, Ip, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Public, ZodBodyPipe } from '@shoshizan/service-kit';
import { text, trimmedText, z } from '@shoshizan/shared-interfaces';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { ApiIdParam, ApiJsonBody } from '../docs/api-inputs';
import { ApiProblems } from '../docs/api-problems';
import { linksTo, schemaRef } from '../docs/api-schemas';
import { AccountsService, type TokenPair } from './accounts.service';
import { ApiKeysService, type ApiKey } from './api-keys.service';

export const loginSchema = z.strictObject({ username: text().min(1).max(64), password: text().min(1).max(1024) });
export const refreshSchema = z.strictObject({ refreshToken: text().min(10).max(200) });
export const apiKeySchema = z.strictObject({ name: trimmedText(100) });

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly accounts: AccountsService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in with a username and password: an access token and a refresh token' })
  @ApiJsonBody(loginSchema)
  @ApiResponse({ status: 200, description: 'The token pair.', schema: schemaRef('TokenPair') })
  @ApiProblems([401, 429], {
    401: 'Wrong username or password.',
    429:
      'Too many failed logins for this username or from this address (`login_throttled`); the password was not ' +
      'checked. `Retry-After` says when to try again.',
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
  @ApiJsonBody(refreshSchema)
  @ApiResponse({ status: 200, description: 'A new token pair.', schema: schemaRef('TokenPair') })
  @ApiProblems([401], { 401: 'The refresh token is unknown, expired, revoked or already used.' })
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
  @ApiJsonBody(refreshSchema)
  @ApiResponse({ status: 204, description: 'Revoked (an unknown token is answered the same).' })
  async logout(@Body(new ZodBodyPipe(refreshSchema, 'Logout')) body: z.infer<typeof refreshSchema>): Promise<void> {
    await this.accounts.logout(body.refreshToken);
  }
}

@ApiTags('api-keys')
@ApiBearerAuth()
@ApiProblems([401])
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key; the key is in this answer only', description: 'Use it as `Authorization: Bearer <key>`.' })
  @ApiJsonBody(apiKeySchema)
  @ApiResponse({
    status: 201,
    description: 'The key, shown this once.',
    schema: schemaRef('CreatedApiKey'),
    links: linksTo('id', '$response.body#/id', ['ApiKeysController_revoke']),
  })
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
  @ApiIdParam('id', 'The key’s id.', 'No such key of yours.')
  @ApiResponse({ status: 204, description: 'Revoked.' })
  async revoke(@CurrentUser() user: AuthenticatedUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.keys.revoke(user, id);
  }
}
