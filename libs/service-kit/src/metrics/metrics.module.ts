import { Global, Module, type DynamicModule } from '@nestjs/common';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The service's own Prometheus registry (not prom-client's global one). */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/** HTTP metrics every service exports, labelled by route template, not raw URL. */
export class HttpMetrics {
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route' | 'status'>;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests handled, by method, route and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request (for streams: until the stream ended).',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    });
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }
}

export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  // The event-loop lag histogram samples every 100 ms, not prom-client's 10 ms: its timer
  // woke each service 100 times a second, ~0.4 % of a core each while idle.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  return registry;
}

/**
 * The registry and the HTTP metrics, injectable everywhere. It has no route: bootstrapService
 * serves the registry on METRICS_PORT, apart from the API (see startMetricsServer).
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(registry: Registry): DynamicModule {
    return {
      module: MetricsModule,
      providers: [
        { provide: METRICS_REGISTRY, useValue: registry },
        { provide: HttpMetrics, useFactory: () => new HttpMetrics(registry) },
      ],
      exports: [METRICS_REGISTRY, HttpMetrics],
    };
  }
}
