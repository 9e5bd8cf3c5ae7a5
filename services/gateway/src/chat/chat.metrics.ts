import { Inject, Injectable } from '@nestjs/common';
import { Gauge, Histogram, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@shoshizan/service-kit';

@Injectable()
export class ChatMetrics {
  readonly activeStreams: Gauge;
  readonly timeToFirstToken: Histogram;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.activeStreams = new Gauge({
      name: 'gateway_active_sse_streams',
      help: 'Server-Sent Event streams open now.',
      registers: [registry],
    });
    this.timeToFirstToken = new Histogram({
      name: 'gateway_time_to_first_token_seconds',
      help: 'From accepting a chat request to sending its first token, as the client sees it.',
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 80],
      registers: [registry],
    });
  }
}
