import { z } from 'zod';
import { modelNameSchema } from '../common';

/**
 * The OllamaModel resource (`models.shoshizan.io/v1alpha1`): one model that every Ollama
 * replica of its namespace must hold. The model operator (services/model-operator) pulls it
 * into each replica and reports per-replica progress in `status`; gpt-api lists it once it
 * is Ready; an Ollama pod is ready only once it holds every OllamaModel of its namespace.
 *
 * These zod schemas are the one definition: the TypeScript types are inferred from them and
 * the CRD's OpenAPI schema is generated from them (`ollamaModelCrd()`, ./crd.ts). A rule
 * the API server must enforce and zod cannot express as JSON Schema (one of two sources)
 * is written twice beside each other: as a zod refinement and as a CEL rule in `.meta()`,
 * with the same message.
 */
export const OLLAMA_MODEL = {
  group: 'models.shoshizan.io',
  version: 'v1alpha1',
  kind: 'OllamaModel',
  listKind: 'OllamaModelList',
  plural: 'ollamamodels',
  singular: 'ollamamodel',
  shortNames: ['om'],
} as const;
export const OLLAMA_MODEL_API_VERSION = `${OLLAMA_MODEL.group}/${OLLAMA_MODEL.version}`;

/** The readiness gate of an Ollama pod: True once the pod holds every OllamaModel of its namespace. */
export const MODELS_READY_CONDITION = `${OLLAMA_MODEL.group}/models-ready`;
/** The finalizer the operator puts on each OllamaModel, so a deleted model leaves every replica first. */
export const OLLAMA_MODEL_FINALIZER = `${OLLAMA_MODEL.group}/remove-from-replicas`;

/**
 * An Ollama registry reference: `library/llama3.2:1b` (Ollama's own registry), or
 * `host[:port]/namespace/name:tag` on a private one.
 */
export const registryReferenceSchema = z
  .string()
  .min(1)
  .max(300)
  .regex(
    /^([A-Za-z0-9.-]+(:[0-9]+)?\/)?[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*:[A-Za-z0-9._-]+$/,
    'must be a registry reference such as library/llama3.2:1b or host:5000/team/model:tag',
  );

/**
 * A registry to pull from. No credentials: Ollama's pull API (v0.17) takes none for a
 * private registry (it signs requests to its own with its key); a registry needing a login
 * is reached through a pull-through proxy that holds it.
 */
export const registrySourceSchema = z.object({
  reference: registryReferenceSchema.meta({
    description: 'What to pull: `library/llama3.2:1b`, or `host:port/namespace/name:tag` on a private registry.',
  }),
  insecure: z.boolean().optional().meta({ description: 'Plain http and unverified TLS to the registry (a private registry on a trusted network).' }),
});

/** Modelfile parameters Ollama understands; each optional. */
export const modelParametersSchema = z.object({
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).max(1000).optional(),
  num_ctx: z.number().int().min(1).max(1_048_576).optional(),
  num_predict: z.number().int().min(-2).max(1_048_576).optional(),
  repeat_penalty: z.number().min(0).max(10).optional(),
  seed: z.number().int().min(0).max(2_147_483_647).optional(),
  stop: z.array(z.string().min(1).max(100)).max(16).optional(),
});

export const ggufSourceSchema = z.object({
  url: z
    .string()
    .max(2000)
    .regex(/^https?:\/\/\S+$/, 'must be an http or https URL')
    .meta({ description: 'Where the GGUF file is served; fetched by the operator and sent to each replica.' }),
  sha256: z
    .string()
    .regex(/^[a-f0-9]{64}$/, 'must be the file\'s sha256 as 64 lowercase hex digits')
    .meta({ description: 'The file\'s sha256: Ollama refuses a file that does not match.' }),
  parameters: modelParametersSchema.optional(),
  template: z.string().max(20_000).optional().meta({ description: 'The prompt template (Go template), else the one the GGUF file carries.' }),
  system: z.string().max(20_000).optional().meta({ description: 'The system prompt.' }),
});

const ONE_SOURCE = 'exactly one of source.registry or source.gguf must be set';

export const modelSourceSchema = z
  .object({ registry: registrySourceSchema.optional(), gguf: ggufSourceSchema.optional() })
  .refine((s) => (s.registry === undefined) !== (s.gguf === undefined), ONE_SOURCE)
  .meta({ 'x-kubernetes-validations': [{ rule: 'has(self.registry) != has(self.gguf)', message: ONE_SOURCE }] });

export const ollamaModelSpecSchema = z.object({
  name: modelNameSchema.meta({ description: 'The model\'s name in Ollama, as gpt-api lists it and requests name it, e.g. llama3.2:1b.' }),
  source: modelSourceSchema,
  roles: z
    .array(z.string().min(1).max(64))
    .max(32)
    .optional()
    .meta({ description: 'Roles that may use the model; empty or absent: everyone.' }),
  default: z.boolean().optional().meta({ description: 'The model a request that names none gets (one per namespace; the oldest wins).' }),
  keepAlive: z
    .string()
    .regex(/^-?[0-9]+[smh]?$/, 'must be a duration such as 10m')
    .optional()
    .meta({ description: 'How long Ollama keeps the model loaded after a request, e.g. 10m; -1: for ever.' }),
});
export type OllamaModelSpec = z.infer<typeof ollamaModelSpecSchema>;
export type RegistrySource = z.infer<typeof registrySourceSchema>;
export type GgufSource = z.infer<typeof ggufSourceSchema>;

export const conditionStatusSchema = z.enum(['True', 'False', 'Unknown']);
export const conditionSchema = z.object({
  type: z.string().min(1).max(316),
  status: conditionStatusSchema,
  reason: z.string().min(1).max(1024),
  message: z.string().max(32_768),
  lastTransitionTime: z.string(),
  observedGeneration: z.number().int().min(0).optional(),
});
export type Condition = z.infer<typeof conditionSchema>;

/** Where one replica stands with this model. */
export const replicaPhaseSchema = z.enum(['Pending', 'Pulling', 'Ready', 'Failed', 'Removing']);
export type ReplicaPhase = z.infer<typeof replicaPhaseSchema>;

export const replicaStatusSchema = z.object({
  pod: z.string().min(1).meta({ description: 'The Ollama pod (or, with no pod behind the endpoint, its address).' }),
  address: z.string().optional(),
  phase: replicaPhaseSchema,
  completedBytes: z.number().int().min(0).optional(),
  totalBytes: z.number().int().min(0).optional(),
  digest: z.string().optional().meta({ description: 'The digest of the model this replica holds.' }),
  lastError: z.string().max(2000).optional(),
  updatedAt: z.string().optional(),
});
export type ReplicaStatus = z.infer<typeof replicaStatusSchema>;

export const ollamaModelStatusSchema = z.object({
  observedGeneration: z.number().int().min(0).optional(),
  digest: z.string().optional().meta({ description: 'The digest every replica must hold (from the registry; for a GGUF source, the one the replicas agree on).' }),
  readyReplicas: z.number().int().min(0).optional(),
  replicaCount: z.number().int().min(0).optional(),
  /** `ready/total`, for the REPLICAS printer column. */
  replicas: z.string().optional().meta({ description: 'ready/total, e.g. 2/3.' }),
  replicaStatuses: z.array(replicaStatusSchema).optional(),
  conditions: z.array(conditionSchema).optional(),
});
export type OllamaModelStatus = z.infer<typeof ollamaModelStatusSchema>;

/** The object as the API server stores it (what the operator and gpt-api read). */
export interface OllamaModel {
  apiVersion: typeof OLLAMA_MODEL_API_VERSION;
  kind: typeof OLLAMA_MODEL.kind;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    finalizers?: string[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: OllamaModelSpec;
  status?: OllamaModelStatus;
}

/**
 * The condition types of an OllamaModel's status. Ready: every replica holds the model's
 * digest. Progressing: a replica is pulling it. Degraded: a replica failed to. Available:
 * the model has been Ready for this generation and a replica still serves it; it stays True
 * while a new replica pulls, so gpt-api keeps listing the model through a scale-up.
 */
export const ModelCondition = { Ready: 'Ready', Progressing: 'Progressing', Degraded: 'Degraded', Available: 'Available' } as const;

function conditionTrue(model: Pick<OllamaModel, 'metadata' | 'status'>, type: string): boolean {
  if (model.metadata.deletionTimestamp) return false;
  const condition = model.status?.conditions?.find((c) => c.type === type);
  return condition?.status === 'True' && (condition.observedGeneration ?? model.status?.observedGeneration) === model.metadata.generation;
}

/** True when requests may use the model: it has been Ready for its current spec and a replica serves it. */
export function isModelAvailable(model: Pick<OllamaModel, 'metadata' | 'status'>): boolean {
  return conditionTrue(model, ModelCondition.Available);
}

/** A namespace's default model: the oldest of those marked default (then by name), if any. */
export function defaultModelOf<M extends Pick<OllamaModel, 'metadata' | 'spec'>>(models: readonly M[]): M | undefined {
  return [...models]
    .filter((m) => m.spec.default)
    .sort(
      (a, b) =>
        (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name),
    )[0];
}
