import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainException, NO_ANSWER_RETRY_AFTER_SECONDS, fetchJson, type NoAnswer } from '@shoshizan/service-kit';
import { ErrorCode, isRetriable, modelCatalogSchema, type ModelCatalog } from '@shoshizan/shared-interfaces';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

/** How long the catalog is reused before gpt-api is asked again. */
const CACHE_MS = 10_000;
/**
 * How long a catalog is still used when gpt-api cannot be asked (a pod leaving in a rolling
 * update, a moment of no endpoints): a request should not fail for a list that changes rarely.
 */
const STALE_MS = 300_000;
/**
 * A failed ask is tried again after these pauses before the stale catalog (or an error) is
 * used: long enough together for a leaving pod's endpoint to be taken out of the Service.
 */
const RETRIES_MS = [300, 1_000];

/**
 * The model catalog, from gpt-api: the models a caller with the given roles may use (in a
 * cluster, the Available OllamaModels open to those roles; locally, Ollama's installed models
 * within the allow-list). Cached per set of roles.
 */
@Injectable()
export class ModelsClient {
  private readonly logger = new Logger(ModelsClient.name);

  private readonly cached = new Map<string, { catalog: ModelCatalog; at: number }>();
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  /**
   * Refuses a model the catalog does not have, before anything is enqueued, naming the
   * ones it has. (A model removed later still fails in the worker, as model_not_found.)
   */
  async requireModel(name: string, roles: readonly string[] = []): Promise<void> {
    let catalog = await this.catalog(roles);
    if (!catalog.models.some((m) => m.name === name)) catalog = await this.catalog(roles, true);
    if (!catalog.models.some((m) => m.name === name)) {
      const names = catalog.models.map((m) => m.name).join(', ') || 'none';
      throw new DomainException(ErrorCode.ModelNotFound, `Model '${name}' is not available. Available: ${names}.`, {
        issues: [{ path: 'model', message: 'is not an available model' }],
      });
    }
  }

  async catalog(roles: readonly string[] = [], refresh = false): Promise<ModelCatalog> {
    const key = [...new Set(roles)].sort().join(',');
    const cached = this.cached.get(key);
    if (!refresh && cached && Date.now() - cached.at < CACHE_MS) return cached.catalog;
    const url = new URL('/v1/models', this.config.GPT_API_URL);
    if (key) url.searchParams.set('roles', key);
    let catalog: ModelCatalog | undefined;
    let failure: DomainException | undefined;
    // With a catalog to fall back on, one try; without, a few (a request waits for them).
    const usable = cached && Date.now() - cached.at < STALE_MS ? cached : undefined;
    const retries = usable ? 0 : RETRIES_MS.length;
    for (let attempt = 0; attempt <= retries && !catalog; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, RETRIES_MS[attempt - 1]));
      try {
        catalog = await fetchJson(url, modelCatalogSchema, { timeoutMs: 5000, service: 'gpt-api', noAnswer: catalogUnreachable });
      } catch (error) {
        if (!(error instanceof DomainException)) throw error;
        failure = error;
        if (!isRetriable(error.code)) break;
      }
    }
    if (!catalog) {
      if (usable) {
        this.logger.warn({ err: failure, ageMs: Date.now() - usable.at }, 'gpt-api could not be asked for the model catalog; using the last one');
        return usable.catalog;
      }
      throw failure!;
    }
    // A handful of role sets in practice; dropping the lot past 100 keeps a forged variety small.
    if (this.cached.size >= 100) this.cached.clear();
    this.cached.set(key, { catalog, at: Date.now() });
    return catalog;
  }
}

/** No answer from gpt-api: the catalog is out of reach for now (a request may wait and try again). */
function catalogUnreachable(failure: NoAnswer): DomainException {
  return failure.kind === 'unexplained'
    ? new DomainException(ErrorCode.UpstreamUnavailable, `The model catalog answered ${failure.status}.`, {
        retryAfterSeconds: failure.retryAfterSeconds ?? NO_ANSWER_RETRY_AFTER_SECONDS,
      })
    : new DomainException(ErrorCode.UpstreamUnavailable, 'The model catalog is unreachable.', {
        cause: failure.cause,
        retryAfterSeconds: NO_ANSWER_RETRY_AFTER_SECONDS,
      });
}
