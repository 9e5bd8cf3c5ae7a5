import { Inject, Injectable } from '@nestjs/common';
import { DomainException, type ReadinessCheck } from '@shoshizan/service-kit';
import { ErrorCode, modelCatalogSchema, type ModelCatalog } from '@shoshizan/shared-interfaces';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

/** How long the catalog is reused before gpt-api is asked again. */
const CACHE_MS = 10_000;

/** The model catalog, from gpt-api (installed models within its allow-list). */
@Injectable()
export class ModelsClient implements ReadinessCheck {
  readonly name = 'gpt-api';

  private cached: { catalog: ModelCatalog; at: number } | undefined;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  /**
   * Refuses a model the catalog does not have, before anything is enqueued, naming the
   * ones it has. (A model removed later still fails in the worker, as model_not_found.)
   */
  async requireModel(name: string): Promise<void> {
    let catalog = await this.catalog();
    if (!catalog.models.some((m) => m.name === name)) catalog = await this.catalog(true);
    if (!catalog.models.some((m) => m.name === name)) {
      const names = catalog.models.map((m) => m.name).join(', ') || 'none';
      throw new DomainException(ErrorCode.ModelNotFound, `Model '${name}' is not available. Available: ${names}.`, {
        issues: [{ path: 'model', message: 'is not an available model' }],
      });
    }
  }

  /** Readiness: gpt-api answers (and so the models can be listed). */
  async check(): Promise<void> {
    const response = await fetch(new URL('/health/ready', this.config.GPT_API_URL), { signal: AbortSignal.timeout(2500) });
    if (!response.ok) throw new Error(`gpt-api is not ready (${response.status})`);
  }

  async catalog(refresh = false): Promise<ModelCatalog> {
    if (!refresh && this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.catalog;
    let response: Response;
    try {
      response = await fetch(new URL('/v1/models', this.config.GPT_API_URL), { signal: AbortSignal.timeout(5000) });
    } catch (error) {
      throw new DomainException(ErrorCode.UpstreamUnavailable, 'The model catalog is unreachable.', {
        cause: error,
        retryAfterSeconds: 5,
      });
    }
    if (!response.ok) {
      throw new DomainException(ErrorCode.UpstreamUnavailable, `The model catalog answered ${response.status}.`, {
        retryAfterSeconds: 5,
      });
    }
    const catalog = modelCatalogSchema.parse(await response.json());
    this.cached = { catalog, at: Date.now() };
    return catalog;
  }
}
