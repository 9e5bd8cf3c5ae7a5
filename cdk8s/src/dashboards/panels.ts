import { LegendDisplayMode, LegendPlacement, SortOrder, TooltipDisplayMode, VizLegendOptionsBuilder, VizTooltipOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { DashboardBuilder, DashboardLinkBuilder, DashboardLinkType, DatasourceVariableBuilder, QueryVariableBuilder, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

/** Every panel and query reads the data source the `datasource` variable names. */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

/** The label matcher every query starts with: the namespace the `namespace` variable names. */
export const NS = 'namespace="$namespace"';

/** One PromQL query of a panel and its legend (`{{label}}` names a label the query keeps). */
export interface Query {
  readonly expr: string;
  readonly legend: string;
}

export interface PanelOptions {
  /** Shown under the panel's info icon: what the series mean and where they come from. */
  readonly description: string;
  /** Grafana's unit id (`s`, `reqps`, `bytes`, `percentunit`, `suffix:…`). */
  readonly unit: string;
  readonly queries: readonly Query[];
  /** Half the grid's width unless told. @default 12 */
  readonly width?: number;
}

/**
 * A time-series panel of Prometheus queries, 8 rows high, laid out by the dashboard builder,
 * its legend shown (the SDK's default hides it) and every series in the tooltip, largest first.
 */
export function timeseriesPanel(title: string, { description, unit, queries, width = 12 }: PanelOptions): PanelBuilder {
  const panel = new PanelBuilder()
    .title(title)
    .description(description)
    .unit(unit)
    .datasource(DATASOURCE)
    .height(8)
    .span(width)
    .min(0)
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom))
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending));
  queries.forEach(({ expr, legend }, i) => {
    panel.withTarget(new DataqueryBuilder().refId(String.fromCharCode(65 + i)).datasource(DATASOURCE).expr(expr).legendFormat(legend));
  });
  return panel;
}

/** `histogram_quantile(q, sum by (le, …) (rate(<histogram>_bucket{…}[$__rate_interval])))`. */
export function quantile(q: number, histogram: string, by: readonly string[] = [], matchers = ''): string {
  const selector = matchers === '' ? NS : `${NS},${matchers}`;
  return `histogram_quantile(${q}, sum by (${[...by, 'le'].join(', ')}) (rate(${histogram}_bucket{${selector}}[$__rate_interval])))`;
}

/** `sum by (…) (rate(<counter>{…}[$__rate_interval]))`. */
export function rateBy(counter: string, by: readonly string[], matchers = ''): string {
  const selector = matchers === '' ? NS : `${NS},${matchers}`;
  return `sum by (${by.join(', ')}) (rate(${counter}{${selector}}[$__rate_interval]))`;
}

/**
 * A dashboard with what every Shoshizan dashboard has: the `shoshizan` tag, links to the
 * others, a data source variable and a namespace variable (from the HTTP metrics every
 * service exports), 30 s refresh over the last 3 hours.
 */
export function shoshizanDashboard(uid: string, title: string, description: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['shoshizan'])
    .editable()
    .timezone('browser')
    .refresh('30s')
    .time({ from: 'now-3h', to: 'now' })
    .link(new DashboardLinkBuilder('Shoshizan').type(DashboardLinkType.Dashboards).tags(['shoshizan']).asDropdown(true).includeVars(true).keepTime(true))
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'))
    .withVariable(
      new QueryVariableBuilder('namespace')
        .label('Namespace')
        .datasource(DATASOURCE)
        .query('label_values(http_requests_total, namespace)')
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc),
    );
}
