import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dataquery } from '@grafana/grafana-foundation-sdk/prometheus';
import { kubernetesDashboard } from './kubernetes';
import { modelServersDashboard } from './model-servers';
import { overviewDashboard } from './overview';
import { pipelineDashboard } from './pipeline';

/**
 * Shoshizan's Grafana dashboards, built with Grafana's foundation SDK. The chart ships them
 * in ConfigMaps for Grafana's sidecar (constructs/dashboards.ts) and as JSON files for
 * import (charts/shoshizan/files/dashboards, written by `npm run -w cdk8s chart`).
 */

/** One query of a panel, as the built dashboard has it. */
export interface PanelQuery {
  readonly expr: string;
  readonly legendFormat: string;
}

/** One panel of a built dashboard: what a test evaluates against a real Prometheus. */
export interface PanelSpec {
  readonly dashboard: string;
  readonly title: string;
  readonly unit: string;
  readonly queries: readonly PanelQuery[];
  /** `cluster`: a query needs metrics only a Kubernetes cluster has (KEDA's operator). */
  readonly source: 'services' | 'cluster';
}

/** A built dashboard: the SDK's model, with the uid and title every one of ours sets. */
export type ShoshizanDashboard = Dashboard & { readonly uid: string; readonly title: string };

/** Metrics that come from the cluster's components, not from Shoshizan's services. */
export const CLUSTER_METRIC_PREFIXES = ['keda_'] as const;

export function dashboards(): ShoshizanDashboard[] {
  return [overviewDashboard(), pipelineDashboard(), modelServersDashboard(), kubernetesDashboard()].map((d) => {
    if (!d.uid || !d.title) throw new Error('a dashboard has no uid or title');
    return d as ShoshizanDashboard;
  });
}

/** The JSON model of a dashboard, as written to files and ConfigMaps. */
export function dashboardJson(dashboard: ShoshizanDashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}

/** Every panel of every dashboard, read back from the built models (rows' panels included). */
export function dashboardPanels(): PanelSpec[] {
  return dashboards().flatMap((d) => flatten(d.panels ?? []).map((p) => panelSpec(d.uid, p)));
}

function flatten(panels: readonly (Panel | RowPanel)[]): Panel[] {
  return panels.flatMap((p) => (p.type === 'row' ? flatten((p as RowPanel).panels) : [p as Panel]));
}

function panelSpec(dashboard: string, panel: Panel): PanelSpec {
  const queries = (panel.targets ?? []).map((t) => {
    const { expr, legendFormat } = t as Dataquery;
    return { expr, legendFormat: legendFormat ?? '' };
  });
  const cluster = queries.some(({ expr }) => CLUSTER_METRIC_PREFIXES.some((prefix) => new RegExp(`\\b${prefix}[a-z_]+\\{`).test(expr)));
  return { dashboard, title: panel.title ?? '', unit: panel.fieldConfig?.defaults?.unit ?? '', queries, source: cluster ? 'cluster' : 'services' };
}
