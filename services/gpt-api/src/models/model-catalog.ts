import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode, defaultModelOf, isModelAvailable, type ModelCatalog, type OllamaModel } from '@shoshizan/shared-interfaces';
import type { InstalledModel } from '../ollama/ollama.adapter';

/**
 * The catalog's decisions, as pure functions: which models a caller may use, which one a
 * request naming none gets, and the answer to a request naming one. ModelsService and its
 * implementations (models.service.ts, kubernetes-models.service.ts) only gather the inputs.
 */

/** A model a request may use, as ModelsService.resolve() answers it. */
export interface ResolvedModel {
  readonly name: string;
  /** How long Ollama keeps the model loaded after a request; absent: OLLAMA_KEEP_ALIVE. */
  readonly keepAlive?: string;
}

/** The models one caller may use, and the one a request naming none gets. */
export interface CallerCatalog {
  readonly defaultModel: string;
  readonly models: readonly ResolvedModel[];
}

/** Whether a caller holding `roles` may see and use the model: it names no roles, or one of them. */
export function mayUse(model: Pick<OllamaModel, 'spec'>, roles: readonly string[]): boolean {
  const allowed = model.spec.roles ?? [];
  return allowed.length === 0 || allowed.some((role) => roles.includes(role));
}

const byAge = (a: OllamaModel, b: OllamaModel): number =>
  (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name);

/**
 * The catalog of a caller holding `roles`, from the OllamaModels of the namespace: those
 * Available that the caller may use, by name (two resources naming one model: the oldest
 * wins). The default is the oldest marked `default` among them, else `fallbackDefault`
 * if listed, else the first; with none listed, `fallbackDefault` (which resolve() refuses).
 */
export function catalogFromModels(models: readonly OllamaModel[], roles: readonly string[], fallbackDefault: string): CallerCatalog {
  const usable = models.filter((m) => isModelAvailable(m) && mayUse(m, roles)).sort(byAge);
  const byName = new Map<string, ResolvedModel>();
  for (const m of usable) {
    if (!byName.has(m.spec.name)) byName.set(m.spec.name, { name: m.spec.name, ...(m.spec.keepAlive ? { keepAlive: m.spec.keepAlive } : {}) });
  }
  const listed = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  const defaultModel =
    defaultModelOf(usable)?.spec.name ??
    (byName.has(fallbackDefault) ? fallbackDefault : undefined) ??
    listed[0]?.name ??
    fallbackDefault;
  return { defaultModel, models: listed };
}

/**
 * The model a request gets: the one it names, else the default. One the caller may not
 * use gets the same answer as one that does not exist, so its name is not revealed.
 */
export function pickModel(catalog: CallerCatalog, requested: string | undefined): ResolvedModel {
  const name = requested ?? catalog.defaultModel;
  const model = catalog.models.find((m) => m.name === name);
  if (!model) {
    const names = catalog.models.map((m) => m.name).join(', ') || 'none';
    throw new DomainException(ErrorCode.ModelNotFound, `Model '${name}' is not available. Available: ${names}.`);
  }
  return model;
}

/** Ollama lists a model named without a tag as `name:latest`. */
function withTag(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1).includes(':') ? name : `${name}:latest`;
}

/** The catalog's entries, with the size and family Ollama reports for each (when it does). */
export function withSizes(models: readonly ResolvedModel[], installed: readonly InstalledModel[]): ModelCatalog['models'] {
  const known = new Map(installed.map((m) => [withTag(m.name), m]));
  return models.map(({ name }) => {
    const m = known.get(withTag(name));
    return {
      name,
      ...(m ? { sizeBytes: m.sizeBytes } : {}),
      ...(m?.family ? { family: m.family } : {}),
      ...(m?.parameterSize ? { parameterSize: m.parameterSize } : {}),
    };
  });
}

/** Roles as a query parameter carries them: `?roles=a,b`. */
export function rolesFromQuery(roles: string | undefined): string[] {
  return (roles ?? '').split(',').map((r) => r.trim()).filter(Boolean);
}
