import { RowBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { NS, quantile, rateBy, shoshizanDashboard, timeseriesPanel } from './panels';

/** The model operator's series from the replica holding the Lease (a standby keeps what it last set). */
const LEADER = `on (pod) group_left () (model_operator_leader{${NS}} == 1)`;

/**
 * gpt-api and the Ollama replicas behind it, per model and per replica: gpt-api's pods by
 * their `pod` label; Ollama's replicas where the model operator names them (`replica`).
 */
export function modelServersDashboard(): Dashboard {
  return shoshizanDashboard('shoshizan-model-servers', 'Shoshizan / Model servers', 'gpt-api and Ollama per model and replica: load, duration, failures, model readiness.')
    .withRow(new RowBuilder('Load and duration'))
    .withPanel(
      timeseriesPanel('Generations in flight per gpt-api replica', {
        description: 'Generations each gpt-api replica runs against Ollama now, and the calls it runs at once.',
        unit: 'short',
        queries: [
          { expr: `sum by (pod) (gpt_api_inflight_generations{${NS}})`, legend: '{{pod}} in flight' },
          { expr: `sum by (pod) (gpt_api_ollama_slots{${NS}})`, legend: '{{pod}} capacity' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel('Generations in flight per model (mean)', {
        description: 'Mean number of generations running per model over the interval: generation seconds per second.',
        unit: 'short',
        queries: [{ expr: rateBy('gpt_api_generation_duration_seconds_sum', ['model']), legend: '{{model}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel('Generation duration by model', {
        description: 'p50 and p95 from the first call to Ollama to the end of the answer, every outcome.',
        unit: 's',
        queries: [
          { expr: quantile(0.5, 'gpt_api_generation_duration_seconds', ['model']), legend: '{{model}} p50' },
          { expr: quantile(0.95, 'gpt_api_generation_duration_seconds', ['model']), legend: '{{model}} p95' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel('Tokens per second by model and replica', {
        description: 'Completion tokens generated per second, per model and gpt-api replica.',
        unit: 'suffix:tok/s',
        queries: [{ expr: rateBy('gpt_api_completion_tokens_total', ['model', 'pod']), legend: '{{model}} on {{pod}}' }],
      }),
    )
    .withRow(new RowBuilder('Failures'))
    .withPanel(
      timeseriesPanel('Generation failures by model', {
        description: 'Generations that ended with an error per second, by model and error code; and generations whose caller went away (aborted).',
        unit: 'reqps',
        queries: [
          { expr: rateBy('gpt_api_generation_failures_total', ['model', 'code']), legend: '{{model}} {{code}}' },
          { expr: rateBy('gpt_api_generation_duration_seconds_count', ['model', 'outcome'], 'outcome="aborted"'), legend: '{{model}} {{outcome}}' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel('Admission rejections by model', {
        description: "Requests gpt-api refused before the model per second (a user's rate limit or token quota), by model and reason.",
        unit: 'reqps',
        queries: [{ expr: rateBy('gpt_api_admission_rejections_total', ['model', 'reason']), legend: '{{model}} {{reason}}' }],
      }),
    )
    .withRow(new RowBuilder('Models (model operator)'))
    .withPanel(
      timeseriesPanel('Model Ready', {
        description: 'Per OllamaModel: 1 while its Ready condition is True (every Ollama replica holds it), from the operator holding the Lease.',
        unit: 'bool',
        queries: [{ expr: `max by (ollamamodel, model) (model_operator_model_ready{${NS}} * ${LEADER})`, legend: '{{ollamamodel}} ({{model}})' }],
      }),
    )
    .withPanel(
      timeseriesPanel('Model on each Ollama replica', {
        description: 'Per model and Ollama replica: 1 while the replica holds the model (phase Ready).',
        unit: 'bool',
        queries: [{ expr: `max by (model, replica) (model_operator_model_replica_ready{${NS}} * ${LEADER})`, legend: '{{model}} on {{replica}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel('Ollama replicas and models by condition', {
        description: 'Ollama replicas behind the headless Service, and how many OllamaModels have each condition True.',
        unit: 'short',
        queries: [
          { expr: `max(model_operator_ollama_replicas{${NS}} * ${LEADER})`, legend: 'Ollama replicas' },
          { expr: `max by (condition) (model_operator_models{${NS}} * ${LEADER})`, legend: 'models {{condition}}' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel('Model pulls and operator failures', {
        description: 'Pulls into a replica per second by result, and the operator failures by reason (pull, remove, status, api).',
        unit: 'ops',
        queries: [
          { expr: rateBy('model_operator_pulls_total', ['result']), legend: 'pulls {{result}}' },
          { expr: rateBy('model_operator_failures_total', ['reason']), legend: 'failures {{reason}}' },
        ],
      }),
    )
    .build();
}
