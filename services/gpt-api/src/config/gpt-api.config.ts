import { env, loadConfig, metricsPortApart } from '@shoshizan/service-kit';
import { SERVICE_PORTS, modelNameSchema, z } from '@shoshizan/shared-interfaces';

/** gpt-api's environment variables. Each default is what local mode uses. */
export const gptApiConfigSchema = z.object({
  PORT: env.port(SERVICE_PORTS.gptApi.port),
  /** Where GET /metrics is served (on HOST too); the API's port has none. */
  METRICS_PORT: env.port(SERVICE_PORTS.gptApi.metricsPort),
  HOST: env.host(),
  LOG_LEVEL: env.logLevel(),
  /** Where Ollama listens. */
  OLLAMA_HOST: env.url().default('http://127.0.0.1:21434'),
  /**
   * Where the model catalog comes from. `ollama`: the models Ollama has installed, narrowed
   * by ALLOWED_MODELS (local mode). `kubernetes`: the Available OllamaModel resources of
   * MODEL_NAMESPACE (in a cluster; ALLOWED_MODELS is then ignored).
   */
  MODEL_CATALOG: z.enum(['ollama', 'kubernetes'], { error: 'must be ollama or kubernetes' }).default('ollama'),
  /** With MODEL_CATALOG=kubernetes: the namespace whose OllamaModels make the catalog (the chart passes the pod's own). */
  MODEL_NAMESPACE: z
    .string()
    .max(63, 'must be a Kubernetes namespace name (at most 63 characters)')
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes namespace name such as shoshizan')
    .optional(),
  /**
   * Model used when a request names none. Must be installed in Ollama. With
   * MODEL_CATALOG=kubernetes, only a fallback: an OllamaModel marked `default` wins.
   */
  DEFAULT_MODEL: modelNameSchema.default('gemma3:270m'),
  /** Models requests may use (comma-separated); empty means every installed model. */
  ALLOWED_MODELS: env.list().pipe(z.array(modelNameSchema)).default([]),
  /**
   * Generations run at once against Ollama; more wait here, in order. Local mode and the
   * chart set it from the one capacity setting (Ollama's slots times its pods).
   */
  OLLAMA_MAX_CONCURRENCY: env.positiveInt(2),
  /** How long Ollama keeps a model loaded after a request, e.g. `10m`. */
  OLLAMA_KEEP_ALIVE: z.string().regex(/^-?\d+[smh]?$/, 'must be a duration such as 10m').default('10m'),
  /** How long the model catalog is cached, in ms. */
  MODEL_CATALOG_TTL_MS: env.positiveInt(15_000),
  DATABASE_URL: env.postgresUrl(),
  /**
   * The most tokens one answer may generate, whatever the request asks (a request that asks
   * nothing gets this many at most); 0: no cap but the model's own.
   */
  MAX_OUTPUT_TOKENS: env.nonNegativeInt(0),
  /** Tokens (prompt and completion) a user may use a UTC day, unless a limits row says otherwise; 0: no limit. */
  DEFAULT_TOKENS_PER_DAY: env.nonNegativeInt(0),
  /** Requests a user may start a minute, unless a limits row says otherwise; 0: no limit. */
  DEFAULT_REQUESTS_PER_MINUTE: env.nonNegativeInt(0),
})
  .superRefine(metricsPortApart)
  .superRefine((config, ctx) => {
    // loadConfig words this, the variable being unset, as "MODEL_NAMESPACE: is required".
    if (config.MODEL_CATALOG === 'kubernetes' && config.MODEL_NAMESPACE === undefined) {
      ctx.addIssue({ code: 'custom', path: ['MODEL_NAMESPACE'], message: 'is required when MODEL_CATALOG is kubernetes' });
    }
  });
export type GptApiConfig = z.output<typeof gptApiConfigSchema>;

export const GPT_API_CONFIG = Symbol('GPT_API_CONFIG');

export function loadGptApiConfig(environment: NodeJS.ProcessEnv = process.env): GptApiConfig {
  return loadConfig('gpt-api', gptApiConfigSchema, environment);
}
