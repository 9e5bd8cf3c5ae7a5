import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { ZodBodyPipe } from '@shoshizan/service-kit';
import { EdgeAdmissionService } from '../admission/edge-admission.service';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { ApiJsonBody } from '../docs/api-inputs';
import { ApiOpenAiErrors } from '../docs/api-problems';
import { schemaRef } from '../docs/api-schemas';
import { EmbeddingsClient } from '../embeddings/embeddings.client';
import { OPENAI_ERRORS } from './openai-error.filter';
import { embeddingListOf, embeddingsToEmbedRequest } from './openai-translation';
import { embeddingsRequestSchema, type EmbeddingList, type EmbeddingsRequest } from './openai.schemas';

/**
 * OpenAI's Embeddings API: answered at once by gpt-api (no queue), after the same checks as
 * a chat request: the gateway refuses a user over their daily token quota, and gpt-api
 * applies the request rate and the quota again, and counts the tokens.
 */
@ApiTags('openai')
@ApiBearerAuth()
@ApiOpenAiErrors([401])
@Controller('v1')
export class EmbeddingsController {
  constructor(
    private readonly embeddings: EmbeddingsClient,
    private readonly admission: EdgeAdmissionService,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(EmbeddingsController.name);
  }

  @Post('embeddings')
  @RouteConfig(OPENAI_ERRORS)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create embeddings (OpenAI shape)',
    description: 'One vector an input string, in order; `encoding_format: base64` gives each as little-endian float32 bytes.',
  })
  @ApiJsonBody(embeddingsRequestSchema, 'openai')
  @ApiResponse({ status: 200, description: 'The vectors.', schema: schemaRef('EmbeddingList') })
  @ApiOpenAiErrors([404, 429, 500, 503, 504], {
    404: 'No such model.',
    503: 'gpt-api or the model is unavailable; see `Retry-After`.',
    504: 'gpt-api did not answer within EMBED_TIMEOUT_MS.',
  })
  async create(
    @Body(new ZodBodyPipe(embeddingsRequestSchema, 'Embeddings request')) body: EmbeddingsRequest,
    @CurrentUser() user: AuthenticatedUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EmbeddingList> {
    await this.admission.checkQuota(user);
    const requestId = randomUUID();
    if (body.user !== undefined) this.logger.info({ requestId, endUser: body.user }, 'OpenAI request names its end user');
    // A caller that leaves stops gpt-api's work (after an answer was sent, this changes nothing).
    const left = new AbortController();
    reply.raw.once('close', () => left.abort());
    const result = await this.embeddings.embed(embeddingsToEmbedRequest(body, user, requestId), left.signal);
    return embeddingListOf(result, body.encoding_format);
  }
}
