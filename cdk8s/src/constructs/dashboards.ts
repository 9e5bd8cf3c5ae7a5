import * as kplus from 'cdk8s-plus-27';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { Release } from './context';

export interface DashboardsProps {
  readonly release: Release;
}

/** One time-series panel: a title, PromQL queries and their legends, a unit. */
interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly targets: readonly { readonly expr: string; readonly legend: string }[];
}

/**
 * The metrics a platform team watches, in the order of a request's path. Every metric named
 * here is one the services register (cdk8s/test/dashboards.spec.ts checks that).
 */
export const PANELS: readonly Panel[] = [
  {
    title: 'HTTP requests by service',
    unit: 'reqps',
    targets: [{ expr: 'sum by (job) (rate(http_requests_total{namespace="$namespace"}[5m]))', legend: '{{job}}' }],
  },
  {
    title: 'HTTP errors (5xx) by service',
    unit: 'reqps',
    targets: [{ expr: 'sum by (job) (rate(http_requests_total{namespace="$namespace",status=~"5.."}[5m]))', legend: '{{job}}' }],
  },
  {
    title: 'HTTP latency p95 by service',
    unit: 's',
    targets: [
      {
        expr: 'histogram_quantile(0.95, sum by (job, le) (rate(http_request_duration_seconds_bucket{namespace="$namespace"}[5m])))',
        legend: '{{job}}',
      },
    ],
  },
  {
    title: 'Time to first token (gateway)',
    unit: 's',
    targets: [
      { expr: 'histogram_quantile(0.5, sum by (le) (rate(gateway_time_to_first_token_seconds_bucket{namespace="$namespace"}[5m])))', legend: 'p50' },
      { expr: 'histogram_quantile(0.95, sum by (le) (rate(gateway_time_to_first_token_seconds_bucket{namespace="$namespace"}[5m])))', legend: 'p95' },
    ],
  },
  {
    title: 'Consumer-group lag (what KEDA scales on)',
    unit: 'short',
    targets: [{ expr: 'sum by (group) (max by (group, topic, partition) (kafka_consumer_group_lag{namespace="$namespace"}))', legend: '{{group}}' }],
  },
  {
    title: 'Requests finished by outcome',
    unit: 'reqps',
    targets: [{ expr: 'sum by (outcome) (rate(kafka_consumer_requests_total{namespace="$namespace"}[5m]))', legend: '{{outcome}}' }],
  },
  {
    title: 'Generation speed by model',
    unit: 'short',
    targets: [
      {
        expr: 'sum by (model) (rate(gpt_api_tokens_per_second_sum{namespace="$namespace"}[5m])) / sum by (model) (rate(gpt_api_tokens_per_second_count{namespace="$namespace"}[5m]))',
        legend: '{{model}} tokens/s',
      },
    ],
  },
  {
    title: 'Generations in flight and tokens generated',
    unit: 'short',
    targets: [
      { expr: 'sum(gpt_api_inflight_generations{namespace="$namespace"})', legend: 'in flight' },
      { expr: 'sum by (model) (rate(gpt_api_completion_tokens_total{namespace="$namespace"}[5m]))', legend: '{{model}} tokens/s (all)' },
    ],
  },
  {
    title: 'Admission rejections (rate limits, quotas)',
    unit: 'reqps',
    targets: [{ expr: 'sum by (reason) (rate(gateway_admission_rejections_total{namespace="$namespace"}[5m]))', legend: '{{reason}}' }],
  },
];

/** The Grafana dashboard JSON (schema of Grafana 10+), with a data source and namespace variable. */
export function dashboardJson(): string {
  const panels = PANELS.map((p, i) => ({
    id: i + 1,
    type: 'timeseries',
    title: p.title,
    datasource: { type: 'prometheus', uid: '${datasource}' },
    gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
    fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
    targets: p.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), expr: t.expr, legendFormat: t.legend })),
  }));
  const dashboard = {
    uid: 'shoshizan-overview',
    title: 'Shoshizan',
    tags: ['shoshizan'],
    timezone: 'browser',
    schemaVersion: 39,
    refresh: '30s',
    time: { from: 'now-3h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Data source' },
        {
          name: 'namespace',
          type: 'query',
          label: 'Namespace',
          datasource: { type: 'prometheus', uid: '${datasource}' },
          query: 'label_values(http_requests_total, namespace)',
          refresh: 2,
        },
      ],
    },
    panels,
  };
  return JSON.stringify(dashboard, null, 2);
}

/**
 * A ConfigMap with the dashboard, labelled for the Grafana sidecar of kube-prometheus-stack
 * (`grafana_dashboard: "1"`), when `metrics.grafanaDashboard.enabled`.
 */
export class Dashboards extends Construct {
  constructor(scope: Construct, id: string, { release }: DashboardsProps) {
    super(scope, id);
    const { s, v } = release;
    s.when(s.flag(v.metrics.grafanaDashboard.enabled), this, 'enabled', (inner) => {
      const configMap = new kplus.ConfigMap(inner, 'dashboard', {
        metadata: { name: release.name('dashboard'), labels: { ...release.labels('metrics'), grafana_dashboard: '1' } },
        data: { 'shoshizan.json': dashboardJson() },
      });
      s.setOptional(ApiObject.of(configMap), '/metadata/namespace', v.metrics.grafanaDashboard.namespace);
    });
  }
}
