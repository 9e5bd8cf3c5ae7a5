import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@shoshizan/service-kit';
import { KAFKA_CONSUMER_CONFIG, type KafkaConsumerConfig } from '../config/kafka-consumer.config';

/**
 * How a delivery of a request ended. `retried`: sent to a retry topic; `duplicate`: a
 * redelivery of a request that was final already; `superseded`: this attempt stopped
 * because a later one took the request over; `void`: appended after its enqueue deadline.
 */
export type Outcome =
  | 'done'
  | 'error'
  | 'cancelled'
  | 'expired'
  | 'retried'
  | 'dead_lettered'
  | 'duplicate'
  | 'superseded'
  | 'void';

@Injectable()
export class ConsumerMetrics {
  readonly processed: Counter<'outcome'>;
  readonly duration: Histogram<'outcome'>;
  readonly inflight: Gauge;
  readonly queueDelay: Histogram;
  readonly resumed: Counter;
  readonly maxInflight: Gauge;
  readonly retries: Counter<'reason'>;
  readonly deadLetters: Counter<'reason'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry, @Inject(KAFKA_CONSUMER_CONFIG) config: Pick<KafkaConsumerConfig, 'WORKER_MAX_IN_FLIGHT'>) {
    const registers = [registry];
    this.processed = new Counter({
      name: 'kafka_consumer_requests_total',
      help: 'Chat requests taken from the requests topic, by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: 'kafka_consumer_request_duration_seconds',
      help: 'Time from taking a request to its final event, by outcome.',
      labelNames: ['outcome'],
      buckets: [0.1, 0.5, 1, 2, 5, 10, 20, 40, 80, 160, 320],
      registers,
    });
    this.queueDelay = new Histogram({
      name: 'kafka_consumer_queue_delay_seconds',
      help: 'Time a request waited in the requests topic before a worker took it.',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    });
    this.resumed = new Counter({
      name: 'kafka_consumer_resumed_requests_total',
      help: 'Redelivered requests whose answer this replica took over and continued.',
      registers,
    });
    this.inflight = new Gauge({
      name: 'kafka_consumer_inflight_requests',
      help: 'Requests this replica is answering now.',
      registers,
    });
    this.maxInflight = new Gauge({
      name: 'kafka_consumer_max_inflight_requests',
      help: 'Requests from the requests topic this replica answers at once (WORKER_MAX_IN_FLIGHT).',
      registers,
    });
    this.maxInflight.set(config.WORKER_MAX_IN_FLIGHT);
    this.retries = new Counter({
      name: 'kafka_consumer_retries_total',
      help: 'Failed requests sent to a retry topic, by the error code that failed them.',
      labelNames: ['reason'],
      registers,
    });
    this.deadLetters = new Counter({
      name: 'kafka_consumer_dead_letters_total',
      help: 'Requests sent to the dead-letter topic, by error code (poison_message, internal: handling failed too often, or a permanent failure).',
      labelNames: ['reason'],
      registers,
    });
  }
}
