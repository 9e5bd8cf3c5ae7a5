import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { OLLAMA_MODEL } from '@shoshizan/shared-interfaces';
import { METRICS_PORTS, PORTS, fieldEnv, type Release } from './context';
import { ShoshizanService } from './shoshizan-service';

export interface GptApiProps {
  readonly release: Release;
}

/**
 * gpt-api: model catalog, limits and quotas, and the streaming calls to Ollama.
 *
 * Its catalog: with the model operator (`modelOperator.enabled`), the Available OllamaModels
 * of its namespace (MODEL_CATALOG=kubernetes, MODEL_NAMESPACE from the pod), which it watches
 * through the API server with its ServiceAccount's token and a Role that reads them; without
 * it (MODEL_CATALOG=ollama), what Ollama holds of the names of `ollama.models`
 * (ALLOWED_MODELS; DEFAULT_MODEL: the one marked `default`, else the first) and no token.
 */
export class GptApi extends ShoshizanService {
  constructor(scope: Construct, id: string, { release }: GptApiProps) {
    const { s, v } = release;
    const operator = release.modelOperator;
    super(scope, id, {
      release,
      component: 'gpt-api',
      port: PORTS.gptApi,
      metricsPort: METRICS_PORTS.gptApi,
      image: release.image('gpt-api', v.gptApi.image),
      replicas: v.gptApi.replicas,
      resources: v.gptApi.resources,
      autoscaling: v.gptApi.autoscaling,
      config: {
        OLLAMA_HOST: release.url('ollama', PORTS.ollama),
        MODEL_CATALOG: s.choose(operator, 'kubernetes', 'ollama'),
        DEFAULT_MODEL: s.choose(operator, '', s.firstWhere(v.ollama.models, 'default', 'name')),
        ALLOWED_MODELS: s.choose(operator, '', s.joinField(v.ollama.models, 'name', ',')),
        OLLAMA_MAX_CONCURRENCY: s.format`${release.capacity}`,
        OLLAMA_KEEP_ALIVE: s.text(v.ollama.keepAlive),
        DEFAULT_TOKENS_PER_DAY: s.format`${v.gptApi.defaultTokensPerDay}`,
        DEFAULT_REQUESTS_PER_MINUTE: s.format`${v.gptApi.defaultRequestsPerMinute}`,
      },
      env: s.concat(release.databaseEnv(), s.choose(operator, [fieldEnv('MODEL_NAMESPACE', 'metadata.namespace')], [])),
      kubernetesApi: operator,
    });

    // Reading the OllamaModels of its namespace: nothing else of the API.
    s.when(operator, this, 'model-catalog', (inner) => {
      const name = release.name('gpt-api');
      const labels = release.labels('gpt-api');
      new ApiObject(inner, 'role', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name, labels },
        rules: [{ apiGroups: [OLLAMA_MODEL.group], resources: [OLLAMA_MODEL.plural], verbs: ['get', 'list', 'watch'] }],
      });
      new ApiObject(inner, 'role-binding', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace: s.namespace }],
      });
    });
  }
}
