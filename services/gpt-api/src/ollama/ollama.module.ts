import { Module } from '@nestjs/common';
import { OllamaAdapter, OllamaClientAdapter } from './ollama.adapter';

@Module({
  providers: [{ provide: OllamaAdapter, useClass: OllamaClientAdapter }],
  exports: [OllamaAdapter],
})
export class OllamaModule {}
