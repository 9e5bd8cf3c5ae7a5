import { Module } from '@nestjs/common';
import { EmbeddingsClient } from './embeddings.client';

/** Embeddings as the gateway gets them (from gpt-api). */
@Module({
  providers: [EmbeddingsClient],
  exports: [EmbeddingsClient],
})
export class EmbeddingsModule {}
