import { Construct } from 'constructs';
import * as monitoring from '../../imports/monitoring.coreos.com';
import type { Release } from './context';

export interface ServiceMonitorProps {
  readonly release: Release;
  readonly component: string;
  /** Name of the Service to scrape (its port `metrics`, path /metrics). */
  readonly name: string;
}

/**
 * A Prometheus Operator ServiceMonitor for one service's /metrics on its `metrics` port (the
 * API's port has none), when `metrics.serviceMonitor.enabled`. Extra labels let a Prometheus's selector find it.
 */
export class ServiceMonitor extends Construct {
  constructor(scope: Construct, id: string, props: ServiceMonitorProps) {
    super(scope, id);
    const { s, v } = props.release;
    s.when(v.metrics.serviceMonitor.enabled, this, 'enabled', (inner) => {
      const monitor = new monitoring.ServiceMonitor(inner, 'service-monitor', {
        metadata: { name: props.name },
        spec: {
          selector: { matchLabels: props.release.selectorLabels(props.component) },
          endpoints: [{ port: 'metrics', path: '/metrics', interval: s.text(v.metrics.serviceMonitor.interval) }],
        },
      });
      s.set(monitor, '/metadata/labels', s.merge(props.release.labels(props.component), v.metrics.serviceMonitor.labels));
    });
  }
}
