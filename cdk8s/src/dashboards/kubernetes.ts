import { RowBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { LAG_BY_GROUP } from './pipeline';
import { NS, rateBy, shoshizanDashboard, timeseriesPanel } from './panels';

/**
 * The services' pods as Prometheus sees them, without kube-state-metrics: a pod is a scrape
 * target of its Service's ServiceMonitor (`up`), a restart is a new process start time in the
 * same pod, CPU and memory come from each process. The workers' replicas against the lag they
 * scale on, and what KEDA's operator reports (a cluster's metrics, not the services').
 */
export function kubernetesDashboard(): Dashboard {
  return shoshizanDashboard('shoshizan-kubernetes', 'Shoshizan / Kubernetes', 'Pods, restarts, CPU and memory per service; the workers KEDA scales against the consumer lag.')
    .withRow(new RowBuilder('Pods'))
    .withPanel(
      timeseriesPanel('Pods per service', {
        description: "Scrape targets per Service (one per ready pod behind it), and those that answered the last scrape.",
        unit: 'short',
        queries: [
          { expr: `count by (job) (up{${NS}})`, legend: '{{job}} pods' },
          { expr: `sum by (job) (up{${NS}})`, legend: '{{job}} up' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel('Restarts per pod (last hour)', {
        description: "A container restarted in place starts a new process: the pod's process start time changes.",
        unit: 'short',
        queries: [{ expr: `sum by (job, pod) (changes(process_start_time_seconds{${NS}}[1h]))`, legend: '{{pod}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel('CPU per pod', {
        description: 'CPU time each process used per second (1 = one core).',
        unit: 'percentunit',
        queries: [{ expr: rateBy('process_cpu_seconds_total', ['pod']), legend: '{{pod}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel('Memory per pod', {
        description: 'Resident memory of each process, and its V8 heap in use.',
        unit: 'bytes',
        queries: [
          { expr: `sum by (pod) (process_resident_memory_bytes{${NS}})`, legend: '{{pod}} resident' },
          { expr: `sum by (pod) (nodejs_heap_size_used_bytes{${NS}})`, legend: '{{pod}} heap' },
        ],
      }),
    )
    .withRow(new RowBuilder('Autoscaling'))
    .withPanel(
      timeseriesPanel('Worker replicas against consumer lag', {
        description: 'Chat worker replicas (pods exporting the worker metrics) and the lag of each consumer group, which KEDA scales them on.',
        unit: 'short',
        queries: [
          { expr: `count(kafka_consumer_inflight_requests{${NS}})`, legend: 'worker replicas' },
          { expr: LAG_BY_GROUP, legend: 'lag {{group}}' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel('KEDA: the value each trigger scales on', {
        description: "The metric value KEDA's operator last read for each ScaledObject's trigger (the lag the workers scale on).",
        unit: 'short',
        queries: [{ expr: `max by (scaledObject, metric) (keda_scaler_metrics_value{${NS}})`, legend: '{{scaledObject}} {{metric}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel('KEDA: scaler active', {
        description: '1 while a trigger is active (its metric is above the activation threshold): below it KEDA scales to the minimum.',
        unit: 'bool',
        queries: [{ expr: `max by (scaledObject, scaler) (keda_scaler_active{${NS}})`, legend: '{{scaledObject}} {{scaler}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel('KEDA: time to read the trigger metric', {
        description: "How long KEDA's operator took to read each trigger's metric (from Kafka).",
        unit: 's',
        queries: [{ expr: `max by (scaledObject, scaler) (keda_scaler_metrics_latency_seconds{${NS}})`, legend: '{{scaledObject}} {{scaler}}' }],
      }),
    )
    .build();
}
