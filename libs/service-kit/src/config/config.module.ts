import { Global, Module, type DynamicModule } from '@nestjs/common';

/** Makes a configuration object, validated once in main.ts, injectable everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(token: symbol, config: unknown): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: token, useValue: config }],
      exports: [token],
    };
  }
}
