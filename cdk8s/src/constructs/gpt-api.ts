import { Construct } from 'constructs';
import { METRICS_PORTS, PORTS, type Release } from './context';
import { ShoshizanService } from './shoshizan-service';

export interface GptApiProps {
  readonly release: Release;
}

/** gpt-api: model catalog, limits and quotas, and the streaming calls to Ollama. */
export class GptApi extends ShoshizanService {
  constructor(scope: Construct, id: string, { release }: GptApiProps) {
    const { s, v } = release;
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
        DEFAULT_MODEL: v.ollama.defaultModel,
        ALLOWED_MODELS: s.join(v.ollama.models, ','),
        OLLAMA_MAX_CONCURRENCY: String(release.capacity),
        OLLAMA_KEEP_ALIVE: v.ollama.keepAlive,
        DEFAULT_TOKENS_PER_DAY: String(v.gptApi.defaultTokensPerDay),
        DEFAULT_REQUESTS_PER_MINUTE: String(v.gptApi.defaultRequestsPerMinute),
      },
      env: release.databaseEnv(),
    });
  }
}
