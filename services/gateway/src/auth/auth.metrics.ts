import { Inject, Injectable } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@shoshizan/service-kit';

@Injectable()
export class AuthMetrics {
  readonly failures: Counter<'reason'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.failures = new Counter({
      name: 'gateway_auth_failures_total',
      help: 'Requests refused for authentication, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    });
  }
}
