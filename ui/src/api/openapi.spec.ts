// @vitest-environment node
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { openApiTypes } from '../../scripts/openapi-types.mjs';

/**
 * The client's types are generated from the snapshot of the gateway's OpenAPI document
 * (which test/unit/ui-openapi.spec.ts holds to the gateway's code). Stale types fail here:
 * run `npm run -w ui api:sync`.
 */
describe('src/api/openapi.d.ts', () => {
  it('is what openapi-typescript makes of openapi.json', async () => {
    const document = JSON.parse(await readFile(new URL('./openapi.json', import.meta.url), 'utf8')) as object;
    const generated = await openApiTypes(document);
    expect(generated).toBe(await readFile(new URL('./openapi.d.ts', import.meta.url), 'utf8'));
  });
});
