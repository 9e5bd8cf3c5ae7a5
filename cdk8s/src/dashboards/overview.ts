import { RowBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { NS, quantile, rateBy, shoshizanDashboard, timeseriesPanel } from './panels';

/**
 * Requests, errors and latency per service (`job`: the Service the ServiceMonitor scraped),
 * then saturation: work in flight against each replica's capacity, open streams, CPU and memory.
 */
export function overviewDashboard(): Dashboard {
  return shoshizanDashboard('shoshizan-overview', 'Shoshizan / Overview', 'Requests, errors, latency and saturation of every Shoshizan service.')
    .withRow(new RowBuilder('Requests, errors, latency'))
    .withPanel(
      timeseriesPanel('Requests by service', {
        description: 'HTTP requests answered per second (http_requests_total), every route and status.',
        unit: 'reqps',
        queries: [{ expr: rateBy('http_requests_total', ['job']), legend: '{{job}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel('Error ratio (5xx) by service', {
        description: 'Share of HTTP requests answered with a 5xx. A service with none shows 0, not a gap.',
        unit: 'percentunit',
        queries: [
          {
            expr: `(${rateBy('http_requests_total', ['job'], 'status=~"5.."')} or ${rateBy('http_requests_total', ['job'])} * 0) / ${rateBy('http_requests_total', ['job'])}`,
            legend: '{{job}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel('Latency by service', {
        description: 'p50 and p95 time to answer an HTTP request (a stream counts until it ended).',
        unit: 's',
        queries: [
          { expr: quantile(0.5, 'http_request_duration_seconds', ['job']), legend: '{{job}} p50' },
          { expr: quantile(0.95, 'http_request_duration_seconds', ['job']), legend: '{{job}} p95' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel('Time to first token (as the client sees it)', {
        description: "From the gateway accepting a chat request to sending its first token: queue, worker, model load and prompt included.",
        unit: 's',
        queries: [
          { expr: quantile(0.5, 'gateway_time_to_first_token_seconds'), legend: 'p50' },
          { expr: quantile(0.95, 'gateway_time_to_first_token_seconds'), legend: 'p95' },
        ],
      }),
    )
    .withRow(new RowBuilder('Saturation'))
    .withPanel(
      timeseriesPanel('Chat workers: requests in flight against capacity', {
        description: 'Requests the workers are answering now, against what they take at once (WORKER_MAX_IN_FLIGHT per replica).',
        unit: 'short',
        queries: [
          { expr: `sum by (job) (kafka_consumer_inflight_requests{${NS}})`, legend: '{{job}} in flight' },
          { expr: `sum by (job) (kafka_consumer_max_inflight_requests{${NS}})`, legend: '{{job}} capacity' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel('gpt-api: generations in flight against capacity', {
        description: 'Generations running against Ollama now, against the calls gpt-api runs at once (OLLAMA_MAX_CONCURRENCY per replica, embeddings included).',
        unit: 'short',
        queries: [
          { expr: `sum by (job) (gpt_api_inflight_generations{${NS}})`, legend: '{{job}} in flight' },
          { expr: `sum by (job) (gpt_api_ollama_slots{${NS}})`, legend: '{{job}} capacity' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel('Gateway: open streams', {
        description: 'Server-Sent Event streams open now, per gateway replica.',
        unit: 'short',
        queries: [{ expr: `sum by (pod) (gateway_active_sse_streams{${NS}})`, legend: '{{pod}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel('Event-loop lag p99 by service', {
        description: 'How late Node ran its timers (prom-client default metrics): a busy or blocked event loop.',
        unit: 's',
        queries: [{ expr: `max by (job) (nodejs_eventloop_lag_p99_seconds{${NS}})`, legend: '{{job}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel('CPU by service', {
        description: 'CPU time used per second, all replicas together (1 = one core).',
        unit: 'percentunit',
        queries: [{ expr: rateBy('process_cpu_seconds_total', ['job']), legend: '{{job}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel('Memory by service', {
        description: 'Resident memory of the processes, all replicas together.',
        unit: 'bytes',
        queries: [{ expr: `sum by (job) (process_resident_memory_bytes{${NS}})`, legend: '{{job}}' }],
      }),
    )
    .build();
}
