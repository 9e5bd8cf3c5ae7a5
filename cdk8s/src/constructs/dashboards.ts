import * as kplus from 'cdk8s-plus-27';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { dashboardJson, dashboards } from '../dashboards';
import type { Release } from './context';

export interface DashboardsProps {
  readonly release: Release;
}

/**
 * One ConfigMap per Grafana dashboard (cdk8s/src/dashboards), labelled for the Grafana
 * sidecar of kube-prometheus-stack (`grafana_dashboard: "1"`) and annotated with the folder
 * the sidecar files it in (`grafana_folder`, with the sidecar's `folderAnnotation` set to it),
 * when `metrics.grafanaDashboard.enabled`.
 */
export class Dashboards extends Construct {
  constructor(scope: Construct, id: string, { release }: DashboardsProps) {
    super(scope, id);
    const { s, v } = release;
    s.when(v.metrics.grafanaDashboard.enabled, this, 'enabled', (inner) => {
      for (const dashboard of dashboards()) {
        const name = dashboard.uid.replace(/^shoshizan-/, '');
        const configMap = new kplus.ConfigMap(inner, name, {
          metadata: { name: release.name(`dashboard-${name}`), labels: { ...release.labels('metrics'), grafana_dashboard: '1' } },
          data: { [`${dashboard.uid}.json`]: dashboardJson(dashboard) },
        });
        s.setOptional(ApiObject.of(configMap), '/metadata/namespace', v.metrics.grafanaDashboard.namespace);
        s.setOptional(ApiObject.of(configMap), '/metadata/annotations/grafana_folder', v.metrics.grafanaDashboard.folder);
      }
    });
  }
}
