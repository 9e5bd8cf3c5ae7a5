import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { OLLAMA_MODEL, OLLAMA_MODEL_API_VERSION } from '@shoshizan/shared-interfaces';
import type { Release } from './context';

export interface OllamaModelsProps {
  readonly release: Release;
}

/**
 * The models of `ollama.models`, one OllamaModel each (models.shoshizan.io/v1alpha1, the CRD
 * of ollama-model-crd.ts), when the model operator runs: the item is the object's spec as
 * it is, and its name is the model's made into an object name (gemma3:270m: gemma3-270m; two
 * models whose names only differ in case or punctuation would clash). They carry the
 * release's labels: the pre-delete Job of model-operator.ts finds them by
 * `app.kubernetes.io/instance`. The operator pulls each into every Ollama replica; gpt-api
 * lists them.
 */
export class OllamaModels extends Construct {
  constructor(scope: Construct, id: string, { release }: OllamaModelsProps) {
    super(scope, id);
    const { s, v } = release;
    s.when(release.modelOperator, this, 'enabled', (inner) => {
      s.each(v.ollama.models, inner, 'model', (scope, model) => {
        const object = new ApiObject(scope, 'ollama-model', {
          apiVersion: OLLAMA_MODEL_API_VERSION,
          kind: OLLAMA_MODEL.kind,
          metadata: { name: s.dnsLabel(model.string('name')), labels: release.labels('ollama-model') },
        });
        s.set(object, '/spec', model.value);
      });
    });
  }
}
