// The client's types, generated from the gateway's OpenAPI document (ui/src/api/openapi.json).
// Shared by `npm run api:sync` (writes them) and the unit test that checks they are current.
import openapiTS, { astToString } from 'openapi-typescript';

const HEADER = '// Generated from openapi.json by `npm run -w ui api:sync`. Do not edit.\n/* eslint-disable */\n';

/** @param {object} document the OpenAPI document */
export async function openApiTypes(document) {
  const ast = await openapiTS(document, { alphabetize: true, exportType: false, rootTypes: false });
  return HEADER + astToString(ast);
}
