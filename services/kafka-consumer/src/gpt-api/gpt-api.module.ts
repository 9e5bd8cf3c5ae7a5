import { Module } from '@nestjs/common';
import { GptApiClient, HttpGptApiClient } from './gpt-api.client';

@Module({
  providers: [{ provide: GptApiClient, useClass: HttpGptApiClient }],
  exports: [GptApiClient],
})
export class GptApiModule {}
