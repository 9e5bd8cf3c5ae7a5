import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ZodBodyPipe } from '@shoshizan/service-kit';
import { embedRequestSchema, type EmbedRequest, type EmbedResult } from '@shoshizan/shared-interfaces';
import { EmbeddingsService } from './embeddings.service';

@Controller('v1')
export class EmbeddingsController {
  constructor(private readonly embeddings: EmbeddingsService) {}

  /** The embeddings of the input, one vector a string; errors are problem details. */
  @Post('embed')
  @HttpCode(200)
  embed(@Body(new ZodBodyPipe(embedRequestSchema, 'Embed request')) body: EmbedRequest): Promise<EmbedResult> {
    return this.embeddings.embed(body);
  }
}
