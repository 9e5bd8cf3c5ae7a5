import { z } from 'zod';
import { OLLAMA_MODEL, ollamaModelSpecSchema, ollamaModelStatusSchema } from './ollama-model';

/** A JSON Schema node as zod writes it and the API server reads it (OpenAPI v3, structural). */
type SchemaNode = { [key: string]: unknown };

/**
 * zod's JSON Schema turned into a structural schema the API server accepts: no `$schema`,
 * and no integer bounds that only say "a safe JavaScript integer" (±2^53-1; zod adds them
 * to every `.int()`), which would read as real limits in `kubectl explain`.
 */
export function toStructuralSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toStructuralSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(node as SchemaNode)) {
    if (key === '$schema') continue;
    if ((key === 'minimum' || key === 'maximum') && Math.abs(value as number) === Number.MAX_SAFE_INTEGER) continue;
    out[key] = toStructuralSchema(value);
  }
  return out;
}

function schemaOf(schema: z.ZodType): SchemaNode {
  return toStructuralSchema(z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0', unrepresentable: 'throw' })) as SchemaNode;
}

/**
 * The OllamaModel CustomResourceDefinition, generated from the zod schemas of
 * ./ollama-model.ts: the chart writes it (cdk8s) and the tests install it. The status is a
 * subresource, so only the operator (with RBAC on ollamamodels/status) writes it, and a
 * spec change bumps `metadata.generation`.
 */
export function ollamaModelCrd() {
  const { group, version, kind, listKind, plural, singular, shortNames } = OLLAMA_MODEL;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { kind, listKind, plural, singular, shortNames: [...shortNames], categories: ['shoshizan'] },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Model', type: 'string', jsonPath: '.spec.name' },
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: 'Replicas', type: 'string', jsonPath: '.status.replicas', description: 'Replicas holding the model, of all' },
            { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason', priority: 1 },
            { name: 'Digest', type: 'string', jsonPath: '.status.digest', priority: 1 },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: 'A model every Ollama replica of this namespace holds; Ready once each does.',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: schemaOf(ollamaModelSpecSchema),
                status: schemaOf(ollamaModelStatusSchema),
              },
            },
          },
        },
      ],
    },
  };
}
