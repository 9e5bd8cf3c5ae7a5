import { ModelCondition, type OllamaModel } from '@shoshizan/shared-interfaces';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the model operator counts; served at GET /metrics on METRICS_PORT. */
export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles: Counter<'result'>;
  readonly reconcileDuration: Histogram;
  readonly pulls: Counter<'result'>;
  readonly pullBytes: Counter;
  readonly pullDuration: Histogram<'result'>;
  readonly failures: Counter<'reason'>;
  readonly leader: Gauge;
  readonly models: Gauge<'condition'>;
  readonly replicas: Gauge;
  readonly modelReady: Gauge<'ollamamodel' | 'model'>;
  readonly replicaReady: Gauge<'ollamamodel' | 'model' | 'replica'>;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.reconciles = new Counter({ name: 'model_operator_reconciles_total', help: 'Reconciles of one OllamaModel, by result.', labelNames: ['result'], registers });
    this.reconcileDuration = new Histogram({
      name: 'model_operator_reconcile_duration_seconds',
      help: 'How long one reconcile took (pulls run apart and are not in it).',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.pulls = new Counter({ name: 'model_operator_pulls_total', help: 'Models pulled (or created) into one replica, by result.', labelNames: ['result'], registers });
    this.pullBytes = new Counter({ name: 'model_operator_pull_bytes_total', help: 'Bytes pulled into replicas, as Ollama reported them.', registers });
    this.pullDuration = new Histogram({
      name: 'model_operator_pull_duration_seconds',
      help: 'How long a pull into one replica took, by result.',
      labelNames: ['result'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    });
    this.failures = new Counter({ name: 'model_operator_failures_total', help: 'Failures, by reason (pull, remove, status, api).', labelNames: ['reason'], registers });
    this.leader = new Gauge({ name: 'model_operator_leader', help: '1 while this replica holds the Lease.', registers });
    this.models = new Gauge({ name: 'model_operator_models', help: 'OllamaModels whose condition is True, by condition.', labelNames: ['condition'], registers });
    this.replicas = new Gauge({ name: 'model_operator_ollama_replicas', help: 'Ollama replicas behind the headless Service.', registers });
    this.modelReady = new Gauge({
      name: 'model_operator_model_ready',
      help: 'Per OllamaModel: 1 while its Ready condition is True (every replica holds it), else 0.',
      labelNames: ['ollamamodel', 'model'],
      registers,
    });
    this.replicaReady = new Gauge({
      name: 'model_operator_model_replica_ready',
      help: 'Per OllamaModel and Ollama replica (pod): 1 while the replica holds the model (phase Ready), else 0.',
      labelNames: ['ollamamodel', 'model', 'replica'],
      registers,
    });
  }

  /** Sets the per-model gauges from the models' statuses; a deleted model or a gone replica leaves no series. */
  describeModels(models: readonly Pick<OllamaModel, 'metadata' | 'spec' | 'status'>[]): void {
    this.modelReady.reset();
    this.replicaReady.reset();
    for (const { metadata, spec, status } of models) {
      const labels = { ollamamodel: metadata.name, model: spec.name };
      const ready = status?.conditions?.some((c) => c.type === ModelCondition.Ready && c.status === 'True') === true;
      this.modelReady.set(labels, ready ? 1 : 0);
      for (const replica of status?.replicaStatuses ?? []) this.replicaReady.set({ ...labels, replica: replica.pod }, replica.phase === 'Ready' ? 1 : 0);
    }
  }
}
