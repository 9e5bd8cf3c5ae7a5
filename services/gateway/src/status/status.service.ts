import { Inject, Injectable, Optional } from '@nestjs/common';
import { CHECK_TIMEOUT_MS, ReadinessReport, dependenciesInReadyAnswer } from '@shoshizan/service-kit';
import type { HealthState, ServiceStatus, SystemStatus } from '@shoshizan/shared-interfaces';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

/** Replaces `fetch` for reading the other services' readiness (unit specs). */
export const STATUS_FETCH = Symbol('STATUS_FETCH');

/**
 * Every service's readiness with its dependencies, as one answer: the gateway's own checks
 * (those its /health/ready runs, listed once in AppModule's HealthModule.forRoot) run here;
 * the other services are asked for their /health/ready, up or down.
 */
@Injectable()
export class StatusService {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly readiness: ReadinessReport,
    @Optional() @Inject(STATUS_FETCH) private readonly fetchReadiness: typeof fetch = fetch,
  ) {}

  async status(): Promise<SystemStatus> {
    const services = await Promise.all([
      this.gateway(),
      this.remote('kafka-producer', this.config.PRODUCER_URL),
      this.remote('kafka-consumer', this.config.CONSUMER_URL),
      this.remote('gpt-api', this.config.GPT_API_URL),
    ]);
    return {
      state: services.every((s) => s.state === 'up') ? 'up' : 'down',
      checkedAt: new Date().toISOString(),
      services,
    };
  }

  private async gateway(): Promise<ServiceStatus> {
    const dependencies = await this.readiness.run();
    return { name: 'gateway', state: overall(dependencies), dependencies };
  }

  private async remote(name: string, baseUrl: string): Promise<ServiceStatus> {
    let response: Response;
    try {
      response = await this.fetchReadiness(new URL('/health/ready', baseUrl), {
        signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
      });
    } catch (error) {
      return { name, state: 'down', message: `unreachable: ${(error as Error).message}`, dependencies: [] };
    }
    // A readiness answer that is not JSON says nothing of the dependencies.
    const dependencies = dependenciesInReadyAnswer(await response.json().catch(() => undefined));
    return {
      name,
      state: response.ok ? overall(dependencies) : 'down',
      ...(response.ok ? {} : { message: `not ready (${response.status})` }),
      dependencies,
    };
  }
}

function overall(dependencies: readonly { state: HealthState }[]): HealthState {
  return dependencies.every((d) => d.state === 'up') ? 'up' : 'down';
}
