import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DomainException, withTimeout } from '@shoshizan/service-kit';
import { ErrorCode, type ModelCatalog, type OllamaModel } from '@shoshizan/shared-interfaces';
import type { GptApiConfig } from '../config/gpt-api.config';
import type { InstalledModel, OllamaAdapter } from '../ollama/ollama.adapter';
import { catalogFromModels, pickModel, withSizes, type ResolvedModel } from './model-catalog';
import { ModelsService } from './models.service';
import type { ModelWatch } from './ollama-model-watch';

export interface KubernetesModelsOptions {
  /** How long a request waits for the first list of OllamaModels, in ms. */
  readonly syncWaitMs?: number;
  /** How long Ollama may take to list its models (sizes only), in ms. */
  readonly sizesTimeoutMs?: number;
}

/**
 * In a cluster: the OllamaModel resources of the namespace are the catalog (the model
 * operator marks one Available once every Ollama replica holds it). Ollama is asked only
 * for sizes, and the catalog goes on without them when it does not answer.
 */
export class KubernetesModelsService extends ModelsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ModelsService.name);
  private sizes?: { at: number; installed: Promise<readonly InstalledModel[]> };

  constructor(
    private readonly watch: ModelWatch,
    private readonly ollama: Pick<OllamaAdapter, 'listModels'>,
    private readonly config: Pick<GptApiConfig, 'DEFAULT_MODEL' | 'MODEL_CATALOG_TTL_MS'>,
    private readonly options: KubernetesModelsOptions = {},
  ) {
    super();
  }

  async onModuleInit(): Promise<void> {
    await this.watch.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.watch.stop();
  }

  async catalog(roles: readonly string[]): Promise<ModelCatalog> {
    const [resources, installed] = await Promise.all([this.resources(), this.installed()]);
    const catalog = catalogFromModels(resources, roles, this.config.DEFAULT_MODEL);
    return { defaultModel: catalog.defaultModel, models: withSizes(catalog.models, installed) };
  }

  async resolve(requested: string | undefined, roles: readonly string[]): Promise<ResolvedModel> {
    return pickModel(catalogFromModels(await this.resources(), roles, this.config.DEFAULT_MODEL), requested);
  }

  /** Ready once the OllamaModels have been listed once; a later outage keeps the last list. */
  async check(): Promise<void> {
    if (!this.watch.hasSynced) throw new Error('the OllamaModels have not been listed yet');
  }

  /** The OllamaModels; before the first list has arrived, waits for it a little. */
  private async resources(): Promise<readonly OllamaModel[]> {
    if (!this.watch.hasSynced && !(await this.watch.whenSynced(this.options.syncWaitMs ?? 5000))) {
      throw new DomainException(ErrorCode.UpstreamUnavailable, 'The model catalog has not been loaded from Kubernetes yet.', {
        retryAfterSeconds: 5,
      });
    }
    return this.watch.models();
  }

  /** What Ollama reports of its models (one replica, behind the Service), cached; none when it fails. */
  private installed(): Promise<readonly InstalledModel[]> {
    const now = Date.now();
    if (this.sizes && now - this.sizes.at < this.config.MODEL_CATALOG_TTL_MS) return this.sizes.installed;
    const installed = withTimeout(this.ollama.listModels(), this.options.sizesTimeoutMs ?? 2000, 'Ollama').catch((error: unknown) => {
      this.logger.warn({ err: error }, 'Ollama did not list its models; the catalog goes without sizes');
      return [];
    });
    this.sizes = { at: now, installed };
    return installed;
  }
}
