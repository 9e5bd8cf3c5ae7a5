import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ReadinessCheck } from '@shoshizan/service-kit';
import type { ModelCatalog } from '@shoshizan/shared-interfaces';
import { GPT_API_CONFIG, type GptApiConfig } from '../config/gpt-api.config';
import { OllamaAdapter, classifyOllamaError, type InstalledModel } from '../ollama/ollama.adapter';
import { pickModel, withSizes, type CallerCatalog, type ResolvedModel } from './model-catalog';

/**
 * The models requests may use. MODEL_CATALOG chooses the implementation (models.module.ts):
 * InstalledModelsService below, or KubernetesModelsService (the OllamaModel resources).
 * `roles` are the caller's: a model may be limited to some roles.
 */
export abstract class ModelsService implements ReadinessCheck {
  readonly name = 'models';
  abstract catalog(roles: readonly string[]): Promise<ModelCatalog>;
  /** The model to use for a request, or a ModelNotFound error naming what is available. */
  abstract resolve(requested: string | undefined, roles: readonly string[]): Promise<ResolvedModel>;
  /** Readiness (checked in kubernetes mode only). */
  abstract check(): Promise<void>;
}

/**
 * Local mode: what Ollama has installed, narrowed by the allow-list; roles play no part.
 * Cached briefly so that each request does not cost a call to Ollama.
 */
@Injectable()
export class InstalledModelsService extends ModelsService {
  private readonly logger = new Logger(ModelsService.name);
  private cache?: { at: number; models: InstalledModel[] };

  constructor(
    @Inject(GPT_API_CONFIG) private readonly config: GptApiConfig,
    private readonly ollama: OllamaAdapter,
  ) {
    super();
  }

  async catalog(): Promise<ModelCatalog> {
    const models = await this.available();
    return { defaultModel: this.config.DEFAULT_MODEL, models: withSizes(models, models) };
  }

  async resolve(requested: string | undefined): Promise<ResolvedModel> {
    const name = requested ?? this.config.DEFAULT_MODEL;
    let models = await this.available();
    if (!models.some((m) => m.name === name)) {
      // A model may have been pulled since the cache was filled.
      models = await this.available(true);
    }
    return pickModel(this.callerCatalog(models), name);
  }

  /** Ollama's own readiness check covers this mode. */
  async check(): Promise<void> {}

  private callerCatalog(models: readonly InstalledModel[]): CallerCatalog {
    return { defaultModel: this.config.DEFAULT_MODEL, models: models.map((m) => ({ name: m.name })) };
  }

  private async available(refresh = false): Promise<InstalledModel[]> {
    const now = Date.now();
    if (!refresh && this.cache && now - this.cache.at < this.config.MODEL_CATALOG_TTL_MS) {
      return this.cache.models;
    }
    let installed: InstalledModel[];
    try {
      installed = await this.ollama.listModels();
    } catch (error) {
      throw classifyOllamaError(error, this.config.DEFAULT_MODEL);
    }
    const allowed = this.config.ALLOWED_MODELS;
    const models = allowed.length === 0 ? installed : installed.filter((m) => allowed.includes(m.name));
    if (!this.cache) this.logger.log({ models: models.map((m) => m.name) }, 'Loaded the model catalog');
    this.cache = { at: now, models };
    return models;
  }
}
