import { Controller, Get, Inject, Res, ServiceUnavailableException, Module, type Abstract, type DynamicModule, type ModuleMetadata, type Type } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
  TerminusModule,
} from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '../http/public.decorator';
import { isDraining } from '../shutdown/drain';

/**
 * One dependency that must answer before the service takes traffic. `check` resolves when
 * the dependency is usable and rejects with a reason when it is not.
 */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/** Rejects after `ms` so that a hung dependency fails the probe instead of hanging it. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  /** The process is up and its event loop turns; says nothing of dependencies. */
  @Public()
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Every dependency of this service answers. */
  @Public()
  @Get('ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    if (isDraining()) {
      // Shutting down: out of the Service's endpoints while it still answers what is sent.
      void reply.status(503);
      return { status: 'error', info: {}, error: { shutdown: { status: 'down', message: 'shutting down' } }, details: {} };
    }
    try {
      return await this.runChecks();
    } catch (error) {
      // Keep Terminus's per-dependency report in the 503 body: it says what is down.
      if (error instanceof ServiceUnavailableException) {
        void reply.status(503);
        return error.getResponse();
      }
      throw error;
    }
  }

  private runChecks() {
    return this.health.check(
      this.checks.map((c) => async (): Promise<HealthIndicatorResult> => {
        const indicator = this.indicators.check(c.name);
        try {
          await withTimeout(c.check(), 3000, c.name);
          return indicator.up();
        } catch (error) {
          return indicator.down({ message: (error as Error).message });
        }
      }),
    );
  }
}

@Module({})
export class HealthModule {
  /**
   * `checks` are provider classes implementing ReadinessCheck, made available by `imports`
   * (or by a global module).
   */
  static forRoot(options: {
    imports?: ModuleMetadata['imports'];
    checks: readonly (Type<ReadinessCheck> | Abstract<ReadinessCheck>)[];
  }): DynamicModule {
    const { imports = [], checks } = options;
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false }), ...imports],
      controllers: [HealthController],
      providers: [
        {
          provide: READINESS_CHECKS,
          useFactory: (...instances: ReadinessCheck[]) => instances,
          inject: [...checks],
        },
      ],
    };
  }
}
