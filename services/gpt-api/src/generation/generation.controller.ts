import { Body, Controller, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ZodBodyPipe, openRawStream, withRequestId, writeWithBackpressure } from '@shoshizan/service-kit';
import { generateRequestSchema, type GenerateRequest } from '@shoshizan/shared-interfaces';
import { GenerationService } from './generation.service';

@Controller('v1')
export class GenerationController {
  constructor(private readonly generation: GenerationService) {}

  /**
   * Streams an answer as NDJSON. Errors found before the stream starts (bad body, unknown
   * model, tools offered to a model without them) are problem details; later ones are an
   * `error` chunk. Closing the connection stops the model.
   */
  @Post('generate')
  async generate(
    @Body(new ZodBodyPipe(generateRequestSchema, 'Generate request')) body: GenerateRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return withRequestId(body.requestId, () => this.generateIn(body, reply));
  }

  private async generateIn(body: GenerateRequest, reply: FastifyReply): Promise<void> {
    const plan = await this.generation.prepare(body);
    const response = openRawStream(reply, { 'content-type': 'application/x-ndjson' });
    const abort = new AbortController();
    response.on('close', () => abort.abort(new Error('the caller closed the stream')));
    for await (const chunk of this.generation.stream(body, plan, abort.signal)) {
      // Waits when the caller reads slower than the model writes (back-pressure).
      await writeWithBackpressure(response, `${JSON.stringify(chunk)}\n`);
    }
    response.end();
  }
}
