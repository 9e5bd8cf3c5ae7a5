import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createOpenApiDocument } from '../../services/gateway/src/docs/openapi-document';

/**
 * The UI's typed client is generated from a snapshot of the gateway's OpenAPI document
 * (ui/src/api/openapi.json). This fails when the gateway's routes or answers change and
 * the snapshot was not refreshed: run `npm run build && npm run -w ui api:sync`.
 */
describe('ui/src/api/openapi.json', () => {
  it('is the OpenAPI document the gateway serves', async () => {
    const snapshot: unknown = JSON.parse(readFileSync(resolve(__dirname, '../../ui/src/api/openapi.json'), 'utf8'));
    // Through JSON, as the gateway sends it (undefined fields dropped).
    const served: unknown = JSON.parse(JSON.stringify(await createOpenApiDocument()));
    expect(served).toEqual(snapshot);
  });
});
