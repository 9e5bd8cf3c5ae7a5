import type { OllamaModel } from '@shoshizan/shared-interfaces';
import { OperatorMetrics } from './operator.metrics';

type Model = Pick<OllamaModel, 'metadata' | 'spec' | 'status'>;

function model(name: string, ready: boolean | undefined, replicas: Record<string, 'Ready' | 'Pulling' | 'Failed'> = {}): Model {
  return {
    metadata: { name },
    spec: { name: `${name}:latest` } as OllamaModel['spec'],
    status:
      ready === undefined
        ? undefined
        : {
            conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason: 'R', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' }],
            replicaStatuses: Object.entries(replicas).map(([pod, phase]) => ({ pod, phase })),
          },
  };
}

async function series(metrics: OperatorMetrics, name: string): Promise<Record<string, number>> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return Object.fromEntries((metric?.values ?? []).map((v) => [Object.values(v.labels).join('/'), v.value]));
}

describe('OperatorMetrics.describeModels', () => {
  it('says per model whether it is Ready, and per replica whether it holds the model', async () => {
    const metrics = new OperatorMetrics();
    metrics.describeModels([model('a', true, { 'ollama-0': 'Ready', 'ollama-1': 'Ready' }), model('b', false, { 'ollama-0': 'Ready', 'ollama-1': 'Pulling' }), model('c', undefined)]);
    expect(await series(metrics, 'model_operator_model_ready')).toEqual({ 'a/a:latest': 1, 'b/b:latest': 0, 'c/c:latest': 0 });
    expect(await series(metrics, 'model_operator_model_replica_ready')).toEqual({
      'a/a:latest/ollama-0': 1,
      'a/a:latest/ollama-1': 1,
      'b/b:latest/ollama-0': 1,
      'b/b:latest/ollama-1': 0,
    });
  });

  it('drops the series of a model deleted and of a replica gone since', async () => {
    const metrics = new OperatorMetrics();
    metrics.describeModels([model('a', true, { 'ollama-0': 'Ready', 'ollama-1': 'Ready' }), model('b', true)]);
    metrics.describeModels([model('a', false, { 'ollama-0': 'Failed' })]);
    expect(await series(metrics, 'model_operator_model_ready')).toEqual({ 'a/a:latest': 0 });
    expect(await series(metrics, 'model_operator_model_replica_ready')).toEqual({ 'a/a:latest/ollama-0': 0 });
  });
});
