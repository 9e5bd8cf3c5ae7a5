// npm run -w ui api:sync: refreshes ui/src/api/openapi.json from the gateway's code (built
// with `npm run build`) and the client's types generated from it.
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { openApiTypes } from './openapi-types.mjs';

const require = createRequire(import.meta.url);
const { createOpenApiDocument } = require('../../services/gateway/dist/docs/openapi-document.js');

const document = await createOpenApiDocument();
const here = new URL('../src/api/', import.meta.url);
await writeFile(new URL('openapi.json', here), `${JSON.stringify(document, null, 2)}\n`);
await writeFile(new URL('openapi.d.ts', here), await openApiTypes(document));
console.log('ui/src/api/openapi.json and openapi.d.ts are up to date with the gateway.');
