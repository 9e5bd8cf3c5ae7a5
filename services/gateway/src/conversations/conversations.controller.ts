import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiIdParam, ApiJsonBody, ApiQueryOf } from '../docs/api-inputs';
import { ApiProblems } from '../docs/api-problems';
import { linksTo, schemaRef } from '../docs/api-schemas';
import { ZodBodyPipe } from '@shoshizan/service-kit';
import {
  text,
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

const listQuerySchema = z.object({
  limit: z.coerce.number<string>().int().min(1).max(100).default(20).describe('Conversations a page.'),
  cursor: text().optional().describe('nextCursor of the previous page.'),
  q: text().optional().describe('Only those whose title contains this (case-insensitive; the first 200 characters count).'),
});
// An absent body is an empty one: every field of these is optional.
const createSchema = createConversationSchema.optional();
const regenerateBodySchema = regenerateSchema.optional();

const ID = ['id', 'The conversation’s id.', 'No such conversation of yours.'] as const;
/** A conversation that is still being answered takes no new message until the answer ends. */
const BUSY = { 409: 'An answer in this conversation is still coming; wait for it or cancel it first.' };
/** What every route that sends the conversation to the model can answer besides. */
const SENDS = [404, 409, 429, 503] as const;
/** The conversation a call answered with, to the calls that take it. */
const CONVERSATION_LINKS = linksTo('id', '$response.body#/id', [
  'ConversationsController_get',
  'ConversationsController_rename',
  'ConversationsController_delete',
  'ConversationsController_post',
  'ConversationsController_editLast',
  'ConversationsController_regenerate',
]);
/** The request a message started, to the calls that follow it. */
const REQUEST_LINKS = linksTo('requestId', '$response.body#/requestId', [
  'ChatController_status',
  'ChatController_events',
  'ChatController_cancel',
]);
const ACCEPTED = { status: 202, description: 'Accepted: the answer streams from eventsUrl.', schema: schemaRef('Posted'), links: REQUEST_LINKS };

@ApiTags('conversations')
@ApiBearerAuth()
@ApiProblems([401])
@Controller('v1/conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Post()
  @ApiOperation({ summary: 'Start a conversation' })
  @ApiJsonBody(createSchema)
  @ApiResponse({ status: 201, description: 'The new conversation.', schema: schemaRef('Conversation'), links: CONVERSATION_LINKS })
  create(
    @CurrentUser() user: AuthenticatedUser,
    @Body(new ZodBodyPipe(createSchema, 'Conversation')) body: z.output<typeof createSchema>,
  ): Promise<Conversation> {
    return this.conversations.create(user, body?.title);
  }

  @Get()
  @ApiOperation({ summary: 'Your conversations, newest first, a page at a time' })
  @ApiQueryOf(listQuerySchema)
  @ApiResponse({ status: 200, description: 'One page.', schema: schemaRef('ConversationPage') })
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query(new ZodBodyPipe(listQuerySchema, 'Query')) query: z.output<typeof listQuerySchema>,
  ): Promise<ConversationPage> {
    const search = query.q?.trim().slice(0, 200);
    return this.conversations.list(user, query.limit, query.cursor, search || undefined);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One of your conversations, with its messages' })
  @ApiIdParam(...ID)
  @ApiResponse({ status: 200, description: 'The conversation.', schema: schemaRef('ConversationWithMessages') })
  get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<Conversation & { messages: Message[] }> {
    return this.conversations.get(user, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename one of your conversations' })
  @ApiIdParam(...ID)
  @ApiJsonBody(renameConversationSchema)
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
  @ApiIdParam(...ID)
  @ApiResponse({ status: 204, description: 'Deleted, with its messages.' })
  async delete(@CurrentUser() user: AuthenticatedUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.conversations.delete(user, id);
  }

  @Post(':id/messages')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a message; 202 with the request id and queue position at once',
    description: 'The answer streams from `eventsUrl` (SSE, resumable with Last-Event-ID).',
  })
  @ApiIdParam(...ID)
  @ApiJsonBody(postMessageSchema)
  @ApiResponse(ACCEPTED)
  @ApiProblems(SENDS, { ...BUSY, 404: 'No such conversation of yours, or no such model.' })
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
  @ApiIdParam(...ID)
  @ApiJsonBody(postMessageSchema)
  @ApiResponse(ACCEPTED)
  @ApiProblems(SENDS, {
    404: 'No such conversation of yours, or no such model.',
    409: 'The conversation has no message of yours to edit, or an answer in it is still coming.',
  })
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
  @ApiIdParam(...ID)
  @ApiJsonBody(regenerateBodySchema)
  @ApiResponse(ACCEPTED)
  @ApiProblems(SENDS, {
    404: 'No such conversation of yours, or no such model.',
    409: 'The conversation has no answer to replace, or an answer in it is still coming.',
  })
  regenerate(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodBodyPipe(regenerateBodySchema, 'Regenerate')) body: z.output<typeof regenerateBodySchema>,
  ): Promise<Posted> {
    return this.conversations.regenerate(user, id, body ?? { options: {} });
  }
}
