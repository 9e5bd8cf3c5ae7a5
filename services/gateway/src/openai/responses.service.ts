import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode, type ResponseEvent } from '@shoshizan/shared-interfaces';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { ChatService, type AcceptedChat } from '../chat/chat.service';
import type { ChatRequestRecord } from '../chat/chat-requests.repository';
import type { EventSubscription } from '../chat/event-subscription';
import { appendTo, refusalOf } from '../conversations/answer-placement';
import { chatHistory, stillAnswering } from '../conversations/chat-history';
import { ConversationsRepository } from '../conversations/conversations.repository';
import type { CreateResponseRequest } from './responses.schemas';
import { RESPONSE_ID, inputMessages, requestIdOf, requestMessages, responseOptions, titleOf } from './responses-translation';

/**
 * The Responses API's state: every response is a turn of a conversation (the same store
 * as /v1/conversations), so `previous_response_id` finds the conversation by the earlier
 * response's request and carries it on. The input items are stored as the conversation's
 * messages (a function_call_output as a `tool` message), the answer as its assistant
 * message, filled in from the events like any other.
 */
@Injectable()
export class ResponsesService {
  constructor(
    private readonly chat: ChatService,
    private readonly conversations: ConversationsRepository,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(ResponsesService.name);
  }

  async create(user: AuthenticatedUser, request: CreateResponseRequest): Promise<AcceptedChat> {
    const input = inputMessages(request.input);
    const conversationId = request.previous_response_id
      ? await this.conversationOf(user, request.previous_response_id)
      : (await this.conversations.create(randomUUID(), user.userId, titleOf(input))).id;
    const requestId = randomUUID();
    // The input joins the conversation; the history sent before it is the conversation as it was.
    const { before } = await this.conversations.placeAnswer(conversationId, { requestId, model: request.model }, (messages) => {
      if (stillAnswering(messages)) {
        throw new DomainException(ErrorCode.Conflict, `The previous response is still being answered; wait for it to end.`);
      }
      return appendTo(messages, input);
    });
    if (request.user) this.logger.info({ requestId, endUser: request.user }, 'A response for an end user of the caller');
    try {
      return await this.chat.accept(
        user,
        {
          conversationId,
          model: request.model,
          messages: requestMessages(request, chatHistory(before), input),
          options: responseOptions(request),
          timeoutSeconds: 300,
        },
        requestId,
      );
    } catch (error) {
      await this.conversations.failPending(requestId, refusalOf(error));
      throw error;
    }
  }

  /** A response of the caller's and its events so far (a snapshot). */
  async stored(user: AuthenticatedUser, responseId: string): Promise<{ record: ChatRequestRecord; events: ResponseEvent[] }> {
    return this.chat.eventsSoFar(user, this.requestOf(responseId));
  }

  /** A response of the caller's: its events from the first, stored then live, to the final one. */
  async replay(user: AuthenticatedUser, responseId: string): Promise<{ record: ChatRequestRecord; events: EventSubscription }> {
    return this.chat.resume(user, this.requestOf(responseId), -1);
  }

  /** The conversation an earlier response of the caller's belongs to; a chat completion has none to carry on. */
  private async conversationOf(user: AuthenticatedUser, responseId: string): Promise<string> {
    const record = await this.chat.find(user, requestIdOf(responseId)).catch((error: unknown) => {
      throw error instanceof DomainException && error.code === ErrorCode.NotFound
        ? new DomainException(ErrorCode.NotFound, `No response ${responseId}.`)
        : error;
    });
    if (!(await this.conversations.find(user.userId, record.conversationId))) {
      throw new DomainException(ErrorCode.NotFound, `No response ${responseId} to continue (it was not made by /v1/responses, or its conversation was deleted).`);
    }
    return record.conversationId;
  }

  private requestOf(responseId: string): string {
    if (!RESPONSE_ID.test(responseId)) throw new DomainException(ErrorCode.NotFound, `No response ${responseId}.`);
    return requestIdOf(responseId);
  }
}
