import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../docs/api-problems';
import { schemaRef } from '../docs/api-schemas';
import { DomainException, ZodBodyPipe } from '@shoshizan/service-kit';
import {
  ErrorCode,
  UNSTORABLE_TEXT_MESSAGE,
  isStorableText,
  type ConversationPage,
  createConversationSchema,
  postMessageSchema,
  regenerateSchema,
  renameConversationSchema,
  z,
  type PostMessage,
} from '@shoshizan/shared-interfaces';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import type { Conversation, Message } from './conversations.repository';
import { ConversationsService, type Posted } from './conversations.service';

const limitSchema = z.coerce.number().int().min(1).max(100).default(20);
const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input' }) as object;

@ApiTags('conversations')
@ApiBearerAuth()
@ApiResponse({ status: 404, description: 'No such conversation of yours.' })
@ApiProblems()
@Controller('v1/conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Post()
  @ApiOperation({ summary: 'Start a conversation' })
  @ApiBody({ schema: json(createConversationSchema), required: false })
  @ApiResponse({ status: 201, description: 'The new conversation.', schema: schemaRef('Conversation') })
  create(
    @CurrentUser() user: AuthenticatedUser,
    @Body(new ZodBodyPipe(createConversationSchema, 'Conversation')) body: z.infer<typeof createConversationSchema> | undefined,
  ): Promise<Conversation> {
    return this.conversations.create(user, body?.title);
  }

  @Get()
  @ApiOperation({ summary: 'Your conversations, newest first, a page at a time' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiQuery({ name: 'q', required: false, description: 'Only those whose title contains this (case-insensitive)' })
  @ApiResponse({ status: 200, description: 'One page.', schema: schemaRef('ConversationPage') })
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
    @Query('q') q?: string,
  ): Promise<ConversationPage> {
    const parsed = limitSchema.safeParse(limit);
    if (!parsed.success) {
      throw new DomainException(ErrorCode.ValidationFailed, 'limit must be a whole number from 1 to 100.', {
        issues: [{ path: 'limit', message: 'must be a whole number from 1 to 100' }],
      });
    }
    for (const [name, value] of [['cursor', cursor], ['q', q]] as const) {
      if (value !== undefined && !isStorableText(value)) {
        throw new DomainException(ErrorCode.ValidationFailed, `${name} is invalid.`, {
          issues: [{ path: name, message: UNSTORABLE_TEXT_MESSAGE }],
        });
      }
    }
    const search = q?.trim().slice(0, 200);
    return this.conversations.list(user, parsed.data, cursor, search || undefined);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One of your conversations, with its messages' })
  @ApiResponse({ status: 200, description: 'The conversation.', schema: schemaRef('ConversationWithMessages') })
  get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<Conversation & { messages: Message[] }> {
    return this.conversations.get(user, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename one of your conversations' })
  @ApiBody({ schema: json(renameConversationSchema) })
  @ApiResponse({ status: 200, description: 'The renamed conversation.', schema: schemaRef('Conversation') })
  rename(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodBodyPipe(renameConversationSchema, 'Rename')) body: z.infer<typeof renameConversationSchema>,
  ): Promise<Conversation> {
    return this.conversations.rename(user, id, body.title);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete one of your conversations' })
  async delete(@CurrentUser() user: AuthenticatedUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.conversations.delete(user, id);
  }

  @Post(':id/messages')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a message; 202 with the request id and queue position at once',
    description: 'The answer streams from `eventsUrl` (SSE, resumable with Last-Event-ID).',
  })
  @ApiBody({ schema: json(postMessageSchema) })
  @ApiResponse({ status: 202, description: 'Accepted: the answer streams from eventsUrl.', schema: schemaRef('Posted') })
  @ApiResponse({ status: 429, description: 'Over your rate or quota; see Retry-After.' })
  post(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodBodyPipe(postMessageSchema, 'Message')) body: PostMessage,
  ): Promise<Posted> {
    return this.conversations.post(user, id, body);
  }

  @Put(':id/messages/last')
  @HttpCode(202)
  @ApiOperation({ summary: 'Edit your last message and get a new answer to it (what followed it is replaced)' })
  @ApiBody({ schema: json(postMessageSchema) })
  @ApiResponse({ status: 202, description: 'Accepted: the answer streams from eventsUrl.', schema: schemaRef('Posted') })
  editLast(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodBodyPipe(postMessageSchema, 'Message')) body: PostMessage,
  ): Promise<Posted> {
    return this.conversations.editLast(user, id, body);
  }

  @Post(':id/regenerate')
  @HttpCode(202)
  @ApiOperation({ summary: 'Replace the last answer with a new one' })
  @ApiBody({ schema: json(regenerateSchema), required: false })
  @ApiResponse({ status: 202, description: 'Accepted: the answer streams from eventsUrl.', schema: schemaRef('Posted') })
  regenerate(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodBodyPipe(regenerateSchema, 'Regenerate')) body: z.infer<typeof regenerateSchema> | undefined,
  ): Promise<Posted> {
    return this.conversations.regenerate(user, id, body ?? { options: {} });
  }
}
