import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Pool } from 'pg';
import { PostgresReadiness, createPool, runMigrations, type Migration } from './postgres';

export interface DatabaseModuleOptions {
  readonly url: string;
  /** Shown in pg_stat_activity. */
  readonly applicationName: string;
  /** The schema this service owns; no other service writes to it. */
  readonly schema: string;
  readonly migrations: readonly Migration[];
  /** Pool size. @default 10 */
  readonly poolSize?: number;
}

export const PG_POOL = Symbol('PG_POOL');
const DATABASE_OPTIONS = Symbol('DATABASE_OPTIONS');

@Injectable()
class DatabaseLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(DATABASE_OPTIONS) private readonly options: DatabaseModuleOptions,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('Database');
  }

  async onModuleInit(): Promise<void> {
    await runMigrations(this.pool, this.options.schema, this.options.migrations, this.logger.logger);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

/** A PostgreSQL pool for one service, its schema migrated at start-up, and its readiness check. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DATABASE_OPTIONS, useValue: options },
        { provide: PG_POOL, useFactory: () => createPool(options.url, options.applicationName, options.poolSize) },
        { provide: PostgresReadiness, useFactory: (pool: Pool) => new PostgresReadiness(pool), inject: [PG_POOL] },
        DatabaseLifecycle,
      ],
      exports: [PG_POOL, PostgresReadiness],
    };
  }
}
