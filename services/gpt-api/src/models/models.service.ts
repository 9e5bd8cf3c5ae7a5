import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode, type ModelCatalog } from '@shoshizan/shared-interfaces';
import { GPT_API_CONFIG, type GptApiConfig } from '../config/gpt-api.config';
import { OllamaAdapter, classifyOllamaError, type InstalledModel } from '../ollama/ollama.adapter';

/**
 * The models requests may use: what Ollama has installed, narrowed by the allow-list.
 * Cached briefly so that each request does not cost a call to Ollama.
 */
@Injectable()
export class ModelsService {
  private readonly logger = new Logger(ModelsService.name);
  private cache?: { at: number; models: InstalledModel[] };

  constructor(
    @Inject(GPT_API_CONFIG) private readonly config: GptApiConfig,
    private readonly ollama: OllamaAdapter,
  ) {}

  async catalog(): Promise<ModelCatalog> {
    const models = await this.available();
    return {
      defaultModel: this.config.DEFAULT_MODEL,
      models: models.map((m) => ({
        name: m.name,
        sizeBytes: m.sizeBytes,
        ...(m.family ? { family: m.family } : {}),
        ...(m.parameterSize ? { parameterSize: m.parameterSize } : {}),
      })),
    };
  }

  /** The model to use for a request, or a ModelNotFound error naming what is available. */
  async resolve(requested: string | undefined): Promise<string> {
    const name = requested ?? this.config.DEFAULT_MODEL;
    let models = await this.available();
    if (!models.some((m) => m.name === name)) {
      // A model may have been pulled since the cache was filled.
      models = await this.available(true);
    }
    if (!models.some((m) => m.name === name)) {
      const names = models.map((m) => m.name).join(', ') || 'none';
      throw new DomainException(ErrorCode.ModelNotFound, `Model '${name}' is not available. Available: ${names}.`);
    }
    return name;
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
