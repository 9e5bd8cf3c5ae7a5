import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import type { Construct } from 'constructs';
import { Alerts } from './constructs/alerts';
import { Release, type ShoshizanSettings } from './constructs/context';
import { Dashboards } from './constructs/dashboards';
import { Gateway } from './constructs/gateway';
import { HelmTest } from './constructs/helm-test';
import { GptApi } from './constructs/gpt-api';
import { Ingress } from './constructs/ingress';
import { Kafka } from './constructs/kafka';
import { KafkaConsumer } from './constructs/kafka-consumer';
import { KafkaProducer } from './constructs/kafka-producer';
import { ModelOperator } from './constructs/model-operator';
import { NetworkPolicies } from './constructs/network-policies';
import { Ollama } from './constructs/ollama';
import { OllamaModelCrd } from './constructs/ollama-model-crd';
import { OllamaModels } from './constructs/ollama-models';
import { Postgresql } from './constructs/postgresql';
import { Ui } from './constructs/ui';
import { Settings, type PlainOptions } from './settings/registry';
import { declarations, type ShoshizanOverrides } from './settings/values';

export interface ShoshizanChartProps {
  readonly settings: ShoshizanSettings;
}

/**
 * The whole of Shoshizan on Kubernetes: one construct per component. The id of each
 * component also names its template file in the Helm chart.
 */
export class ShoshizanChart extends Chart {
  readonly settings: ShoshizanSettings;

  constructor(scope: Construct, id: string, { settings }: ShoshizanChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    this.settings = settings;
    const release = new Release(settings);
    // First, so that a plain synth applies the CRD before the OllamaModels (the chart has it in crds/).
    new OllamaModelCrd(this, 'ollama-model-crd', { release });
    new Gateway(this, 'gateway', { release });
    new KafkaProducer(this, 'kafka-producer', { release });
    new KafkaConsumer(this, 'kafka-consumer', { release });
    new GptApi(this, 'gpt-api', { release });
    settings.when(settings.values.ui.enabled, this, 'ui', (scope) => new Ui(scope, 'service', { release }));
    new Ollama(this, 'ollama', { release });
    new OllamaModels(this, 'ollama-models', { release });
    new ModelOperator(this, 'model-operator', { release });
    new Kafka(this, 'kafka', { release });
    new Postgresql(this, 'postgresql', { release });
    new Ingress(this, 'ingress', { release });
    new NetworkPolicies(this, 'network-policies', { release });
    new Dashboards(this, 'dashboards', { release });
    new Alerts(this, 'alerts', { release });
    // A plain synth has no `helm test`; `helm template --skip-tests` leaves it out too.
    if (settings.mode === 'helm') new HelmTest(this, 'tests', { release });
  }

  /** cdk8s's synthesis (what Testing.synth and App.synth call), with the settings' fields of each object. */
  override toJson(): unknown[] {
    const json = super.toJson() as unknown[];
    // The objects in the order cdk8s synthesized them: its dependency graph, which the call above completed.
    const objects = new DependencyGraph(this.node)
      .topology()
      .filter((x): x is ApiObject => x instanceof ApiObject && Chart.of(x) === this);
    if (objects.length !== json.length) throw new Error(`${objects.length} objects, ${json.length} manifests`);
    return json.map((object, i) => this.settings.complete(objects[i] as ApiObject, object));
  }
}

/** One synthesized API object, with the id of the component it belongs to. */
export interface Manifest {
  readonly component: string;
  readonly json: Record<string, unknown>;
  /** The construct it was synthesized from (a chart synth's `guardOf` takes it). */
  readonly object: ApiObject;
}

/** Every API object of a chart, in construct order (which is also the chart's file order). */
export function manifests(chart: ShoshizanChart): Manifest[] {
  const out: Manifest[] = [];
  for (const child of chart.node.findAll()) {
    if (!(child instanceof ApiObject)) continue;
    const json = chart.settings.complete(child, child.toJson()) as Record<string, unknown>;
    out.push({ component: child.node.scopes[2]?.node.id ?? 'misc', json, object: child });
  }
  return out;
}

/** Plain manifests for the given settings (what `npm run synth` writes). */
export function synthPlain(overrides: ShoshizanOverrides = {}, options: PlainOptions = {}): Record<string, unknown>[] {
  const settings = Settings.plain(declarations, overrides, options);
  const chart = new ShoshizanChart(new App(), 'shoshizan', { settings });
  return manifests(chart).map((m) => m.json);
}
