import { RowBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { NS, quantile, rateBy, shoshizanDashboard, timeseriesPanel } from './panels';

/** A consumer group's lag: partitions summed once each, whichever replicas report them. */
export const LAG_BY_GROUP = `sum by (group) (max by (group, topic, partition) (kafka_consumer_group_lag{${NS}}))`;

/**
 * A chat request's path: waiting in the topic, waiting for a model slot, the first token,
 * the tokens; the consumer groups' lag; and what went wrong on the way (retries, dead
 * letters, admission refusals, cancels).
 */
export function pipelineDashboard(): Dashboard {
  return shoshizanDashboard('shoshizan-pipeline', 'Shoshizan / Pipeline', 'A chat request through the queue, the workers and the model: where it waits, how fast it streams, what fails.')
    .withRow(new RowBuilder('Waiting and streaming'))
    .withPanel(
      timeseriesPanel('Queue time', {
        description: "How long a request waited in the requests topic before a worker took it (first attempt), and for a free Ollama slot in gpt-api.",
        unit: 's',
        queries: [
          { expr: quantile(0.5, 'kafka_consumer_queue_delay_seconds'), legend: 'topic p50' },
          { expr: quantile(0.95, 'kafka_consumer_queue_delay_seconds'), legend: 'topic p95' },
          { expr: quantile(0.95, 'gpt_api_queue_wait_seconds', ['model']), legend: '{{model}} model slot p95' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel('Time to first token', {
        description: "p95 from the gateway accepting a request (the client's view) and from gpt-api starting the generation (the model's part), by model.",
        unit: 's',
        queries: [
          { expr: quantile(0.95, 'gateway_time_to_first_token_seconds'), legend: 'gateway p95' },
          { expr: quantile(0.95, 'gpt_api_time_to_first_token_seconds', ['model']), legend: '{{model}} gpt-api p95' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel('Tokens per second', {
        description: 'Completion tokens generated per second, all requests together, by model.',
        unit: 'suffix:tok/s',
        queries: [{ expr: rateBy('gpt_api_completion_tokens_total', ['model']), legend: '{{model}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel('Generation speed per request', {
        description: 'Mean completion tokens per second of one generation, by model.',
        unit: 'suffix:tok/s',
        queries: [
          {
            expr: `${rateBy('gpt_api_tokens_per_second_sum', ['model'])} / ${rateBy('gpt_api_tokens_per_second_count', ['model'])}`,
            legend: '{{model}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel('In flight', {
        description: 'Streams open at the gateway, requests the workers answer, generations gpt-api runs against Ollama.',
        unit: 'short',
        queries: [
          { expr: `sum(gateway_active_sse_streams{${NS}})`, legend: 'gateway streams' },
          { expr: `sum(kafka_consumer_inflight_requests{${NS}})`, legend: 'worker requests' },
          { expr: `sum(gpt_api_inflight_generations{${NS}})`, legend: 'gpt-api generations' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel('Consumer lag per group', {
        description: 'Records not yet processed, per consumer group (what KEDA scales the workers on).',
        unit: 'short',
        queries: [{ expr: LAG_BY_GROUP, legend: '{{group}}' }],
      }),
    )
    .withRow(new RowBuilder('Failures'))
    .withPanel(
      timeseriesPanel('Requests finished, by outcome', {
        description: 'Deliveries of chat requests the workers finished per second, by how they ended.',
        unit: 'reqps',
        queries: [{ expr: rateBy('kafka_consumer_requests_total', ['outcome']), legend: '{{outcome}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel('Retries by reason', {
        description: 'Failed requests sent to a retry topic per second, by the error code that failed them.',
        unit: 'reqps',
        queries: [{ expr: rateBy('kafka_consumer_retries_total', ['reason']), legend: '{{reason}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel('Dead letters by reason', {
        description: 'Requests sent to the dead-letter topic per second, by error code; and records any consumer set aside, by source topic.',
        unit: 'reqps',
        queries: [
          { expr: rateBy('kafka_consumer_dead_letters_total', ['reason']), legend: '{{reason}}' },
          { expr: rateBy('kafka_records_quarantined_total', ['topic', 'code']), legend: 'set aside from {{topic}}: {{code}}' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel('Admission rejections by reason', {
        description: 'Requests refused before the queue (gateway) and before the model (gpt-api), by reason.',
        unit: 'reqps',
        queries: [
          { expr: rateBy('gateway_admission_rejections_total', ['reason']), legend: 'gateway {{reason}}' },
          { expr: rateBy('gpt_api_admission_rejections_total', ['reason']), legend: 'gpt-api {{reason}}' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel('Cancels', {
        description: 'Requests stopped per second because their client cancelled them, and generations gpt-api stopped because the caller went away.',
        unit: 'reqps',
        queries: [
          { expr: rateBy('kafka_consumer_requests_total', ['outcome'], 'outcome="cancelled"'), legend: 'worker {{outcome}}' },
          { expr: rateBy('gpt_api_generation_duration_seconds_count', ['outcome'], 'outcome="aborted"'), legend: 'gpt-api {{outcome}}' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel('Partitions not moving', {
        description: 'How long the committed offset of a partition has not moved while records waited on it (0: moving or idle).',
        unit: 's',
        queries: [{ expr: `max by (group, topic, partition) (kafka_consumer_partition_stalled_seconds{${NS}})`, legend: '{{group}} {{topic}}/{{partition}}' }],
      }),
    )
    .build();
}
