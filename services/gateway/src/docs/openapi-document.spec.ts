import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { CHAT_COMPLETION_ID } from '../openai/openai-translation';
import { RESPONSE_ID } from '../openai/responses-translation';
import { createOpenApiDocument } from './openapi-document';

const ROOT = resolve(__dirname, '../../../..');

/**
 * openapi-spec-validator from the project's venv (scripts/infra/api-tools.sh, which npm test
 * runs first). It, rather than an npm validator of the official JSON Schema, because in 3.1
 * it also validates every Schema Object against the OpenAPI 3.1 dialect and checks the
 * document's semantics (path parameters declared, references resolved); the npm validators'
 * copies of the 3.1 schema stop at "a schema is an object or a boolean".
 */
function validatorPath(): string {
  const result = spawnSync('bash', [join(ROOT, 'scripts/infra/api-tools.sh'), 'path', 'openapi-spec-validator'], {
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`openapi-spec-validator is missing: run \`bash scripts/infra/api-tools.sh install\` (${result.stderr.trim()})`);
  }
  return result.stdout.trim();
}

/** Runs openapi-spec-validator on a document; its exit code and what it printed. */
function validate(document: unknown): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    const result = spawnSync(validatorPath(), ['--schema', '3.1', '--validation-errors', 'all', file], {
      encoding: 'utf8',
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Json = Record<string, unknown>;

/** The OpenAI-compatible routes: their errors take OpenAI's shape. */
const OPENAI_ROUTES = /^\w+ \/v1\/(chat\/completions|completions|embeddings|models|responses)(\/|$)/;
interface Operation {
  readonly label: string;
  readonly path: string;
  readonly operation: Json & {
    responses: Record<string, Json & { content?: Record<string, { schema?: unknown }>; links?: unknown }>;
    parameters?: (Json & { in: string; name: string; schema?: Json })[];
    requestBody?: Json;
    security?: unknown[];
  };
}

function operationsOf(document: OpenAPIObject): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item as Json)
      .filter(([method]) => ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'].includes(method))
      .map(([method, operation]) => ({ label: `${method.toUpperCase()} ${path}`, path, operation: operation as Operation['operation'] })),
  );
}

describe('the gateway’s OpenAPI document', () => {
  let document: OpenAPIObject;
  let api: Operation[];
  beforeAll(async () => {
    // Through JSON, as the gateway serves it (undefined fields dropped).
    document = JSON.parse(JSON.stringify(await createOpenApiDocument())) as OpenAPIObject;
    // The API's own routes; health is Terminus's, and /metrics is not part of the API.
    api = operationsOf(document).filter((o) => o.path.startsWith('/v1/'));
  });

  it('is valid OpenAPI 3.1, as openapi-spec-validator judges it', () => {
    expect(document.openapi).toBe('3.1.0');
    const result = validate(document);
    expect(result.output).toContain('OK');
    expect(result.status).toBe(0);
  });

  it('is refused by the validator when it breaks the specification (the validator can fail)', () => {
    const broken = structuredClone(document) as unknown as { paths: Record<string, Record<string, Json>> };
    // A templated path whose operation no longer declares its parameter.
    broken.paths['/v1/chat/{requestId}']!.get!.parameters = [];
    const result = validate(broken);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain("Path parameter 'requestId'");
  });

  it('lists every status a route answers, with no catch-all default', () => {
    expect(api.length).toBeGreaterThan(20);
    for (const { label, operation } of api) {
      const statuses = Object.keys(operation.responses);
      expect({ label, default: statuses.includes('default') }).toEqual({ label, default: false });
      expect({ label, success: statuses.some((s) => s.startsWith('2')) }).toEqual({ label, success: true });
      // The guard answers 401 before any route runs.
      if (operation.security?.length) expect({ label, statuses }).toEqual({ label, statuses: expect.arrayContaining(['401']) });
      // A body can be malformed, too large or not JSON.
      if (operation.requestBody) {
        expect({ label, statuses }).toEqual({ label, statuses: expect.arrayContaining(['400', '413', '415']) });
      }
      // Any parameter can be malformed.
      if (operation.parameters?.length) expect({ label, statuses }).toEqual({ label, statuses: expect.arrayContaining(['400']) });
    }
  });

  it('gives every answer but 204 a body schema, and every error its shape', () => {
    for (const { label, operation } of api) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (status === '204') {
          expect({ label, status, content: response.content }).toEqual({ label, status, content: undefined });
          continue;
        }
        const contents = Object.entries(response.content ?? {});
        expect({ label, status, documented: contents.length > 0 }).toEqual({ label, status, documented: true });
        for (const [type, { schema }] of contents) expect({ label, status, type, schema: !!schema }).toEqual({ label, status, type, schema: true });
        if (Number(status) >= 400) {
          const shapes = contents.map(([type, { schema }]) => `${type} ${(schema as { $ref?: string }).$ref}`);
          const expected = OPENAI_ROUTES.test(label)
            ? 'application/json #/components/schemas/OpenAiError'
            : 'application/problem+json #/components/schemas/ProblemDetails';
          expect({ label, status, shapes }).toEqual({ label, status, shapes: [expected] });
        }
      }
    }
  });

  it('links answers only to operations that exist, with their parameters', () => {
    const operations = new Map(api.map((o) => [o.operation.operationId as string, o]));
    let links = 0;
    for (const { label, operation } of api) {
      for (const response of Object.values(operation.responses)) {
        for (const [name, link] of Object.entries((response.links ?? {}) as Record<string, { operationId: string; parameters: Json }>)) {
          links++;
          const target = operations.get(link.operationId);
          expect({ label, name, target: target?.label }).toEqual({ label, name, target: expect.any(String) });
          const declared = (target!.operation.parameters ?? []).map((p) => p.name);
          expect({ label, name, parameters: Object.keys(link.parameters) }).toEqual({
            label,
            name,
            parameters: Object.keys(link.parameters).filter((p) => declared.includes(p)),
          });
        }
      }
    }
    expect(links).toBeGreaterThan(10);
  });

  it('documents path ids as UUIDs (or ids holding one), and says which bodies may be left out', () => {
    for (const { label, operation } of api) {
      for (const parameter of (operation.parameters ?? []).filter((p) => p.in === 'path')) {
        // A dead letter is named by its place in Kafka; a chat completion, OpenAI's way, by a prefixed request id.
        const format = label.includes('/dead-letters/')
          ? { pattern: '^\\d+:\\d+$' }
          : label.includes('/v1/chat/completions/')
            ? { pattern: CHAT_COMPLETION_ID.source }
            : label.includes('/v1/responses/')
              ? { pattern: RESPONSE_ID.source }
              : { format: 'uuid' };
        expect({ label, name: parameter.name, schema: parameter.schema }).toEqual({
          label,
          name: parameter.name,
          schema: { type: 'string', ...format },
        });
      }
    }
    const optionalBodies = api.filter((o) => o.operation.requestBody?.required === false).map((o) => o.label);
    expect(optionalBodies.sort()).toEqual([
      'POST /v1/chat/{requestId}/cancel',
      'POST /v1/conversations',
      'POST /v1/conversations/{id}/regenerate',
    ]);
    for (const { label, operation } of api.filter((o) => o.operation.requestBody)) {
      expect({ label, content: Object.keys(operation.requestBody!.content as Json) }).toEqual({ label, content: ['application/json'] });
    }
  });
});
