import { Controller, Get, Res, ServiceUnavailableException, Module, type Abstract, type DynamicModule, type ModuleMetadata, type Type } from '@nestjs/common';
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
import { READINESS_CHECKS, ReadinessReport, type ReadinessCheck } from './readiness';

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: ReadinessReport,
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

  private async runChecks() {
    const states = await this.readiness.run();
    return this.health.check(
      states.map((s) => (): HealthIndicatorResult => {
        const indicator = this.indicators.check(s.name);
        return s.state === 'up' ? indicator.up() : indicator.down({ message: s.message });
      }),
    );
  }
}

@Module({})
export class HealthModule {
  /**
   * `checks` are provider classes implementing ReadinessCheck, made available by `imports`
   * (or by a global module): the service's dependencies, listed here once. The module is
   * global so that anything else reporting on them injects its ReadinessReport.
   */
  static forRoot(options: {
    imports?: ModuleMetadata['imports'];
    checks: readonly (Type<ReadinessCheck> | Abstract<ReadinessCheck>)[];
  }): DynamicModule {
    const { imports = [], checks } = options;
    return {
      module: HealthModule,
      global: true,
      imports: [TerminusModule.forRoot({ logger: false }), ...imports],
      controllers: [HealthController],
      providers: [
        {
          provide: READINESS_CHECKS,
          useFactory: (...instances: ReadinessCheck[]) => instances,
          inject: [...checks],
        },
        ReadinessReport,
      ],
      exports: [ReadinessReport],
    };
  }
}
