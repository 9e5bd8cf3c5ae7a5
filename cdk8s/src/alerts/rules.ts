import { BURN_RATE_WINDOWS, SLO_PERIOD, budgetSpent, burnRateCondition, checkWindows, ratioRecord, windowsOf, type Duration, type Severity } from './burn-rate';

/**
 * Shoshizan's Prometheus rules, as data: the one definition behind both the chart's
 * PrometheusRule (constructs/alerts.ts) and the plain rules file the local
 * Prometheus loads (charts/shoshizan/files/prometheus-rules.yaml, rules-file.ts). Each alert
 * has a runbook, docs/runbooks/<alert>.md; cdk8s/test/alerts.spec.ts runs promtool on the
 * rules and on the tests in cdk8s/test/alerts/.
 *
 * Every series carries the labels of the ServiceMonitor's targets (job = the Service's name,
 * namespace, pod, ...); alerts keep namespace and job, so that two releases in one namespace
 * never mix, and add what the person paged needs (group, topic, reason).
 */

export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: Duration;
  readonly labels: { readonly severity: Severity } & Readonly<Record<string, string>>;
  readonly annotations: { readonly summary: string; readonly description: string; readonly runbook_url: string };
}

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

export type Rule = AlertingRule | RecordingRule;

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly Rule[];
}

export function isAlert(rule: Rule): rule is AlertingRule {
  return 'alert' in rule;
}

/** Where the rules look: the scrape jobs and consumer groups of one installation. */
export interface AlertTargets {
  /** The `job` label of each service: the name of its Service (`<release>-<component>`). */
  readonly jobs: { readonly gateway: string; readonly kafkaConsumer: string; readonly gptApi: string; readonly modelOperator: string };
  /** The consumer groups that read chat requests (the requests topic and the retry topics). */
  readonly requestGroups: readonly string[];
  /** Each alert links `<runbookBaseUrl>/<alert>.md`. */
  readonly runbookBaseUrl: string;
  /**
   * Builds the strings that hold the targets, as a tagged template (the chart's are
   * expressions of its settings: Settings.format). @default plain text
   */
  readonly format?: Format;
}

/** A tagged template that joins text and values into a string. */
export type Format = (strings: TemplateStringsArray, ...parts: readonly (string | number)[]) => string;

/** Plain text: what a template literal makes. */
const plainText: Format = (strings, ...parts) => strings.reduce((out, text, i) => out + String(parts[i - 1]) + text);

/** The SLOs, each over SLO_PERIOD. */
export const SLOS = {
  /** Share of the gateway's HTTP requests (health probes aside) answered without a 5xx. */
  gatewayAvailability: { objective: 0.995 },
  /** Share of chat requests that end (done, cancelled, expired) other than in an error or the dead-letter topic. */
  requestSuccess: { objective: 0.995 },
  /** Share of chat requests whose first token reaches the client within the threshold (a bucket of the gateway's histogram). */
  timeToFirstToken: { objective: 0.95, thresholdSeconds: 5 },
} as const;

/** Consumer-group lag (records) below which a growing lag is not yet worth a ticket. */
export const LAG_GROWING_MIN = 100;

/** Every alert's name; each has its runbook, docs/runbooks/<name>.md. */
export const ALERTS = {
  gatewayErrorBudgetBurn: 'ShoshizanGatewayErrorBudgetBurn',
  requestErrorBudgetBurn: 'ShoshizanRequestErrorBudgetBurn',
  timeToFirstTokenBudgetBurn: 'ShoshizanTimeToFirstTokenBudgetBurn',
  partitionStalled: 'ShoshizanKafkaPartitionStalled',
  consumerLagGrowing: 'ShoshizanKafkaConsumerLagGrowing',
  deadLettersArriving: 'ShoshizanDeadLettersArriving',
  retryStorm: 'ShoshizanRetryStorm',
  admissionRejectionsSpiking: 'ShoshizanAdmissionRejectionsSpiking',
  modelServerDown: 'ShoshizanModelServerDown',
  modelNotReady: 'ShoshizanModelNotReady',
  requestsQueuedNoTokens: 'ShoshizanRequestsQueuedNoTokens',
} as const;

export type AlertName = (typeof ALERTS)[keyof typeof ALERTS];

/** Recording rules of per-namespace-and-job ratios: `namespace_job:<sli>:ratio_rate<window>`. */
const LEVEL = 'namespace_job';
const BY = 'sum by (namespace, job)';

/** One SLI: the bad and all events over a window, as PromQL. */
interface Sli {
  readonly name: string;
  readonly objective: number;
  readonly alert: AlertName;
  /** What the SLI counts, for the alert's summary. */
  readonly title: string;
  /** What a bad event is, for the alert's description. */
  readonly what: string;
  readonly bad: (window: Duration) => string;
  readonly all: (window: Duration) => string;
}

function sloGroup(sli: Sli, runbook: string, f: Format): RuleGroup {
  checkWindows(BURN_RATE_WINDOWS);
  const records: RecordingRule[] = windowsOf(BURN_RATE_WINDOWS).map((window) => ({
    record: ratioRecord(LEVEL, sli.name, window),
    // A counter's series appears with its first event: with no bad event yet the ratio is 0, not absent.
    expr: f`(\n  ${sli.bad(window)}\n  or\n  0 * ${sli.all(window)}\n)\n/\n${sli.all(window)}`,
  }));
  const alerts: AlertingRule[] = BURN_RATE_WINDOWS.map((window) => ({
    alert: sli.alert,
    expr: burnRateCondition(LEVEL, sli.name, sli.objective, window),
    labels: { severity: window.severity, slo: sli.name, long_window: window.long },
    annotations: {
      summary: `${sli.title} burn the ${SLO_PERIOD} error budget at ${window.factor}x the sustainable rate`,
      description:
        `{{ $labels.job }} in {{ $labels.namespace }}: {{ $value | humanizePercentage }} ${sli.what} over the last ${window.long} ` +
        `(and over ${window.short}), against ${(100 - sli.objective * 100).toFixed(1)}% allowed. At this rate ` +
        `${Math.round(budgetSpent(window.long, window.factor) * 100)}% of the ${SLO_PERIOD} budget goes in ${window.long}.`,
      runbook_url: runbook,
    },
  }));
  return { name: `shoshizan-slo-${sli.name.replace(/^shoshizan_/, '').replace(/_/g, '-')}`, rules: [...records, ...alerts] };
}

/** Shoshizan's rule groups for one installation. */
export function ruleGroups(targets: AlertTargets): RuleGroup[] {
  const { gateway, kafkaConsumer, gptApi, modelOperator } = targets.jobs;
  const f = targets.format ?? plainText;
  /** Strings one after another (`+`, for strings that may hold the targets). */
  const cat = (...parts: string[]) => parts.reduce((out, part) => f`${out}${part}`);
  const runbook = (alert: AlertName) => f`${targets.runbookBaseUrl}/${alert}.md`;
  const gatewayHttp = f`http_requests_total{job="${gateway}",route!~"/health/.*"`;
  const finals = 'done|cancelled|expired|error|dead_lettered';
  const ttft = 'gateway_time_to_first_token_seconds';
  const requestGroups = targets.requestGroups.reduce((out, group) => f`${out}|${group}`);
  const leader = f`on (namespace, pod) model_operator_leader{job="${modelOperator}"} == 1`;
  const rejections = f`{__name__=~"gateway_admission_rejections_total|gpt_api_admission_rejections_total",job=~"${gateway}|${gptApi}"}`;
  const lagRecord = 'namespace_job_group:kafka_consumer_group_lag:sum';
  // The services that consume from Kafka: the gateway (response events) and the workers.
  const consumers = f`job=~"${gateway}|${kafkaConsumer}"`;

  return [
    sloGroup(
      {
        name: 'shoshizan_gateway_errors',
        objective: SLOS.gatewayAvailability.objective,
        alert: ALERTS.gatewayErrorBudgetBurn,
        title: "The gateway's 5xx answers",
        what: "of the gateway's requests failed with a 5xx",
        bad: (w) => f`${BY} (rate(${gatewayHttp},status=~"5.."}[${w}]))`,
        all: (w) => f`${BY} (rate(${gatewayHttp}}[${w}]))`,
      },
      runbook(ALERTS.gatewayErrorBudgetBurn),
      f,
    ),
    sloGroup(
      {
        name: 'shoshizan_request_errors',
        objective: SLOS.requestSuccess.objective,
        alert: ALERTS.requestErrorBudgetBurn,
        title: 'Chat requests ending in an error',
        what: 'of chat requests ended in an error or the dead-letter topic',
        bad: (w) => f`${BY} (rate(kafka_consumer_requests_total{job="${kafkaConsumer}",outcome=~"error|dead_lettered"}[${w}]))`,
        all: (w) => f`${BY} (rate(kafka_consumer_requests_total{job="${kafkaConsumer}",outcome=~"${finals}"}[${w}]))`,
      },
      runbook(ALERTS.requestErrorBudgetBurn),
      f,
    ),
    sloGroup(
      {
        name: 'shoshizan_slow_first_tokens',
        objective: SLOS.timeToFirstToken.objective,
        alert: ALERTS.timeToFirstTokenBudgetBurn,
        title: 'Slow first tokens',
        what: f`of chat requests waited more than ${SLOS.timeToFirstToken.thresholdSeconds}s for their first token`,
        bad: (w) =>
          cat(
            f`${BY} (rate(${ttft}_count{job="${gateway}"}[${w}]))\n-\n`,
            f`${BY} (rate(${ttft}_bucket{job="${gateway}",le="${SLOS.timeToFirstToken.thresholdSeconds}"}[${w}]))`,
          ),
        all: (w) => f`${BY} (rate(${ttft}_count{job="${gateway}"}[${w}]))`,
      },
      runbook(ALERTS.timeToFirstTokenBudgetBurn),
      f,
    ),
    {
      name: 'shoshizan-kafka',
      rules: [
        // A replica reports the partitions it holds; during a rebalance two may report one.
        {
          record: lagRecord,
          expr: f`sum by (namespace, job, group) (max by (namespace, job, group, topic, partition) (kafka_consumer_group_lag{${consumers}}))`,
        },
        {
          alert: ALERTS.partitionStalled,
          expr: f`max by (namespace, job, group, topic, partition) (kafka_consumer_partition_stalled_seconds{${consumers}}) > 300`,
          for: '1m',
          labels: { severity: 'page' },
          annotations: {
            summary: 'A Kafka partition has stopped moving while records wait on it',
            description:
              '{{ $labels.group }} has not committed on {{ $labels.topic }}/{{ $labels.partition }} for {{ $value | humanizeDuration }} ' +
              '({{ $labels.job }} in {{ $labels.namespace }}): every record behind it waits.',
            runbook_url: runbook(ALERTS.partitionStalled),
          },
        },
        {
          alert: ALERTS.consumerLagGrowing,
          expr: f`deriv(${lagRecord}[15m]) > 0\nand\n${lagRecord} > ${LAG_GROWING_MIN}`,
          for: '15m',
          labels: { severity: 'ticket' },
          annotations: {
            summary: 'A consumer group falls further behind',
            description:
              'The lag of {{ $labels.group }} ({{ $labels.job }} in {{ $labels.namespace }}) has kept growing for 15 minutes ' +
              f`and is above ${LAG_GROWING_MIN} records: its consumers take records more slowly than they arrive.`,
            runbook_url: runbook(ALERTS.consumerLagGrowing),
          },
        },
        {
          alert: ALERTS.deadLettersArriving,
          // The counter's series appear at their first record, so a new series counts too.
          expr:
            cat(
              f`sum by (namespace, job, topic, code) (increase(kafka_records_quarantined_total{${consumers}}[10m])) > 0\nor\n`,
              f`sum by (namespace, job, topic, code) (kafka_records_quarantined_total{${consumers}} unless kafka_records_quarantined_total{${consumers}} offset 10m)`,
            ),
          labels: { severity: 'ticket' },
          annotations: {
            summary: 'Records are being set aside in the dead-letter or quarantine topic',
            description:
              '{{ $labels.job }} in {{ $labels.namespace }} set aside records of {{ $labels.topic }} with code {{ $labels.code }} ' +
              'in the last 10 minutes; each is a request (or event) that was not processed.',
            runbook_url: runbook(ALERTS.deadLettersArriving),
          },
        },
        {
          alert: ALERTS.retryStorm,
          expr:
            cat(
              f`${BY} (rate(kafka_consumer_requests_total{job="${kafkaConsumer}",outcome="retried"}[10m]))\n/\n`,
              f`${BY} (rate(kafka_consumer_requests_total{job="${kafkaConsumer}"}[10m])) > 0.25\nand\n`,
              f`${BY} (rate(kafka_consumer_requests_total{job="${kafkaConsumer}",outcome="retried"}[10m])) > 0.05`,
            ),
          for: '10m',
          labels: { severity: 'ticket', retries: 'requests' },
          annotations: {
            summary: 'Many chat requests are sent to the retry topics',
            description:
              '{{ $value | humanizePercentage }} of the deliveries {{ $labels.job }} took in {{ $labels.namespace }} ' +
              'over 10 minutes went to a retry topic: retries add load on a struggling dependency.',
            runbook_url: runbook(ALERTS.retryStorm),
          },
        },
        {
          alert: ALERTS.retryStorm,
          expr: f`sum by (namespace, job, topic) (rate(kafka_record_failures_total{${consumers}}[5m])) > 1`,
          for: '10m',
          labels: { severity: 'ticket', retries: 'records' },
          annotations: {
            summary: 'A consumer keeps failing at records and trying them again',
            description:
              '{{ $labels.job }} in {{ $labels.namespace }} failed {{ printf "%.1f" $value }} tries a second at records of ' +
              '{{ $labels.topic }} for 10 minutes (a dependency down, or records that fail again and again).',
            runbook_url: runbook(ALERTS.retryStorm),
          },
        },
      ],
    },
    {
      name: 'shoshizan-admission',
      rules: [
        {
          alert: ALERTS.admissionRejectionsSpiking,
          // Three times the last day's rate and above one every ten seconds; a reason never
          // seen in the last day has a baseline of 0.
          expr:
            cat(
              f`sum by (namespace, job, reason) (rate(${rejections}[5m]))\n> on (namespace, job, reason)\n`,
              f`3 * (\n  sum by (namespace, job, reason) (rate(${rejections}[1d] offset 5m))\n  or\n`,
              f`  0 * sum by (namespace, job, reason) (rate(${rejections}[5m]))\n) + 0.1`,
            ),
          for: '10m',
          labels: { severity: 'ticket' },
          annotations: {
            summary: 'Admission rejections (rate limits, quotas, capacity) are spiking',
            description:
              '{{ $labels.job }} in {{ $labels.namespace }} refuses {{ printf "%.2f" $value }} requests a second with reason ' +
              '{{ $labels.reason }}, more than three times its rate over the last day.',
            runbook_url: runbook(ALERTS.admissionRejectionsSpiking),
          },
        },
      ],
    },
    {
      name: 'shoshizan-models',
      rules: [
        {
          alert: ALERTS.modelServerDown,
          expr: f`sum by (namespace, job) (up{job="${gptApi}"}) == 0`,
          for: '5m',
          labels: { severity: 'page', server: 'gpt-api' },
          annotations: {
            summary: 'No gpt-api replica can be scraped',
            description: 'Every {{ $labels.job }} target in {{ $labels.namespace }} has been down for 5 minutes: no request reaches a model.',
            runbook_url: runbook(ALERTS.modelServerDown),
          },
        },
        {
          alert: ALERTS.modelServerDown,
          // Only the leader's gauge is current; the others keep their default of 0.
          expr: f`max by (namespace, job) (model_operator_ollama_replicas{job="${modelOperator}"} and ${leader}) == 0`,
          for: '5m',
          labels: { severity: 'page', server: 'ollama' },
          annotations: {
            summary: 'No Ollama replica is behind its Service',
            description: 'The model operator in {{ $labels.namespace }} has seen no Ollama replica for 5 minutes: no model can answer.',
            runbook_url: runbook(ALERTS.modelServerDown),
          },
        },
        {
          alert: ALERTS.modelNotReady,
          expr: f`max by (namespace, job) (model_operator_models{job="${modelOperator}",condition="Degraded"} and ${leader}) > 0`,
          for: '15m',
          labels: { severity: 'ticket', condition: 'Degraded' },
          annotations: {
            summary: 'An OllamaModel failed to get onto every Ollama replica',
            description:
              '{{ $value }} OllamaModel(s) in {{ $labels.namespace }} have been Degraded for 15 minutes (a pull failed): ' +
              'they are not Ready, and an Ollama pod lacking them takes no traffic.',
            runbook_url: runbook(ALERTS.modelNotReady),
          },
        },
        {
          alert: ALERTS.modelNotReady,
          expr: f`max by (namespace, job) (model_operator_models{job="${modelOperator}",condition="Progressing"} and ${leader}) > 0`,
          for: '1h',
          labels: { severity: 'ticket', condition: 'Progressing' },
          annotations: {
            summary: 'An OllamaModel has been pulling for an hour',
            description: '{{ $value }} OllamaModel(s) in {{ $labels.namespace }} have been Progressing (pulling, or waiting to) for an hour.',
            runbook_url: runbook(ALERTS.modelNotReady),
          },
        },
        {
          alert: ALERTS.requestsQueuedNoTokens,
          // The series of the token counter appear at the first token: none at all is "no tokens" too.
          expr:
            cat(
              '(\n',
              f`  sum by (namespace) (max by (namespace, group, topic, partition) (kafka_consumer_group_lag{job="${kafkaConsumer}",group=~"${requestGroups}"})) > 0\n`,
              f`  or\n  sum by (namespace) (kafka_consumer_inflight_requests{job="${kafkaConsumer}"}) > 0\n`,
              f`  or\n  sum by (namespace) (gpt_api_inflight_generations{job="${gptApi}"}) > 0\n)\n`,
              f`unless on (namespace)\nsum by (namespace) (rate(gpt_api_completion_tokens_total{job="${gptApi}"}[5m])) > 0`,
            ),
          for: '10m',
          labels: { severity: 'page' },
          annotations: {
            summary: 'Chat requests wait while no model generates a token',
            description:
              'In {{ $labels.namespace }}, requests have been queued or in flight for 10 minutes and gpt-api has generated ' +
              'no token in that time: every chat is stuck.',
            runbook_url: runbook(ALERTS.requestsQueuedNoTokens),
          },
        },
      ],
    },
  ];
}
