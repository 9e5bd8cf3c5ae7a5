import { Inject, Injectable, Optional } from '@nestjs/common';
import { KafkaReadiness, PostgresReadiness, withTimeout, type ReadinessCheck } from '@shoshizan/service-kit';
import type { HealthState, ServiceStatus, SystemStatus } from '@shoshizan/shared-interfaces';
import { ProducerClient } from '../chat/producer.client';
import { ResponseHub } from '../chat/response-hub.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { ModelsClient } from '../models/models.client';

/** Replaces `fetch` for reading the other services' readiness (unit specs). */
export const STATUS_FETCH = Symbol('STATUS_FETCH');

/** Longest wait for one check or one service's readiness. */
const CHECK_TIMEOUT_MS = 3000;

/** The part of a Terminus readiness answer this reads: each dependency's state. */
interface ReadinessBody {
  details?: Record<string, { status?: string; message?: string }>;
}

/**
 * Every service's readiness with its dependencies, as one answer: the gateway's own checks
 * run here; the other services are asked for their /health/ready, up or down.
 */
@Injectable()
export class StatusService {
  private readonly checks: readonly ReadinessCheck[];

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    postgres: PostgresReadiness,
    kafka: KafkaReadiness,
    hub: ResponseHub,
    producer: ProducerClient,
    models: ModelsClient,
    @Optional() @Inject(STATUS_FETCH) private readonly fetchReadiness: typeof fetch = fetch,
  ) {
    this.checks = [postgres, kafka, hub, producer, models];
  }

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
    const dependencies = await Promise.all(
      this.checks.map(async (c) => {
        try {
          await withTimeout(c.check(), CHECK_TIMEOUT_MS, c.name);
          return { name: c.name, state: 'up' as const };
        } catch (error) {
          return { name: c.name, state: 'down' as const, message: (error as Error).message };
        }
      }),
    );
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
    let body: ReadinessBody = {};
    try {
      body = (await response.json()) as ReadinessBody;
    } catch {
      // A readiness answer that is not JSON says nothing of the dependencies.
    }
    const dependencies = Object.entries(body.details ?? {}).map(([dependency, detail]) => ({
      name: dependency,
      state: detail.status === 'up' ? ('up' as const) : ('down' as const),
      ...(detail.message ? { message: detail.message } : {}),
    }));
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
