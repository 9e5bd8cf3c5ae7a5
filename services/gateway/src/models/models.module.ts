import { Module } from '@nestjs/common';
import { ModelsClient } from './models.client';

/** The model catalog as the gateway sees it (from gpt-api). */
@Module({
  providers: [ModelsClient],
  exports: [ModelsClient],
})
export class ModelsModule {}
