// Converts Kubernetes API definitions into the strict, standalone JSON schemas that
// kubeconform reads from disk (draft 4, one file per kind and version, no remote $ref).
//
//   node jsonschema.mjs kubernetes SWAGGER_JSON OUT_DIR
//     The swagger.json of a Kubernetes release: OUT_DIR/<kind>[-<group>]-<version>.json,
//     kubeconform's "{{ .ResourceKind }}{{ .KindSuffix }}.json" names.
//   node jsonschema.mjs crd OUT_DIR CRD_YAML...
//     CustomResourceDefinitions: OUT_DIR/<group>/<kind>_<version>.json, one per served
//     version, for "{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json".
// Each OUT_DIR also gets _index.json: file => { group, version, kind }, so a test can check
// that every schema compiles (kubeconform takes a schema it cannot compile for a missing one).
//
// Strict means what the API server does with `kubectl apply --validate=strict`: an object
// with declared properties rejects any other key, unless the CRD says
// x-kubernetes-preserve-unknown-fields. Optional fields also accept null, since the API
// server treats a null optional field as absent (and prunes it from custom resources).
// Descriptions are dropped: they are most of the size and no validation reads them.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const SUB_SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'];
const SUB_SCHEMAS = ['items', 'not'];

/** Adds null to what a schema accepts. A schema without a type already accepts null. */
function nullable(schema) {
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  if (Array.isArray(schema.type)) return schema.type.includes('null') ? schema : { ...schema, type: [...schema.type, 'null'] };
  for (const list of ['oneOf', 'anyOf']) {
    if (Array.isArray(schema[list]) && !('type' in schema)) return { ...schema, [list]: [...schema[list], { type: 'null' }] };
  }
  return schema;
}

/**
 * One schema node, recursively. Kubernetes' own extensions (x-kubernetes-*, nullable) are
 * turned into plain JSON schema and then left out.
 */
function convert(node) {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== 'object') return node;
  const preserveUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
  const required = new Set(Array.isArray(node.required) ? node.required : []);
  let out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description' || key === 'nullable' || key.startsWith('x-kubernetes-')) continue;
    if (key === 'properties') {
      out.properties = {};
      for (const [name, property] of Object.entries(value)) {
        const converted = convert(property);
        out.properties[name] = required.has(name) ? converted : nullable(converted);
      }
    } else if (SUB_SCHEMAS.includes(key) || (key === 'additionalProperties' && typeof value === 'object')) {
      out[key] = convert(value);
    } else if (SUB_SCHEMA_LISTS.includes(key)) {
      out[key] = value.map(convert);
    } else {
      out[key] = value;
    }
  }

  // IntOrString is `type: string, format: int-or-string` in the swagger and
  // x-kubernetes-int-or-string in a CRD (usually with an anyOf of its own).
  if (out.format === 'int-or-string' || (node['x-kubernetes-int-or-string'] === true && !out.anyOf && !out.oneOf)) {
    const { type: _type, format: _format, ...rest } = out;
    out = { ...rest, oneOf: [{ type: 'string' }, { type: 'integer' }] };
  }
  // An embedded object (a Pod template inside a custom resource, say) always has these.
  if (node['x-kubernetes-embedded-resource'] === true && out.properties) {
    out.properties = { apiVersion: { type: ['string', 'null'] }, kind: { type: ['string', 'null'] }, metadata: { type: ['object', 'null'] }, ...out.properties };
  }
  if (out.properties && !('additionalProperties' in out) && !preserveUnknown) out.additionalProperties = false;
  if (node.nullable === true) out = nullable(out);
  return out;
}

/** Quantity is a string in the swagger, but the API server takes a JSON number as well. */
function kubernetesDefinition(name, definition) {
  if (name === 'io.k8s.apimachinery.pkg.api.resource.Quantity') return { oneOf: [{ type: 'string' }, { type: 'number' }] };
  return convert(definition);
}

/** The names of the definitions a schema refers to, transitively. */
function reachable(rootName, definitions) {
  const seen = new Set();
  const visit = (node) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        const name = value.replace(/^#\/definitions\//, '');
        if (!(name in definitions)) throw new Error(`${rootName}: $ref to a missing definition ${value}`);
        if (!seen.has(name)) {
          seen.add(name);
          visit(definitions[name]);
        }
      } else {
        visit(value);
      }
    }
  };
  visit(definitions[rootName]);
  return seen;
}

/** kubeconform's file name for a kind: deployment-apps-v1, pod-v1, ingress-networking-v1. */
function kubernetesFileName({ group, version, kind }) {
  const groupPrefix = group === '' ? '' : `-${group.split('.')[0].toLowerCase()}`;
  return `${kind.toLowerCase()}${groupPrefix}-${version.toLowerCase()}.json`;
}

function kubernetes(swaggerPath, outDir) {
  const swagger = JSON.parse(readFileSync(swaggerPath, 'utf8'));
  const definitions = {};
  for (const [name, definition] of Object.entries(swagger.definitions)) {
    // Nested objects may be null wherever the field is optional (see convert); the root is not.
    definitions[name] = nullable(kubernetesDefinition(name, definition));
  }
  mkdirSync(outDir, { recursive: true });
  const written = new Map();
  const index = {};
  for (const [name, definition] of Object.entries(swagger.definitions)) {
    for (const gvk of definition['x-kubernetes-group-version-kind'] ?? []) {
      const file = kubernetesFileName(gvk);
      // Two API groups whose names start alike would share a file: refuse rather than overwrite.
      if (written.has(file)) throw new Error(`${file} would hold both ${written.get(file)} and ${name}`);
      written.set(file, name);
      index[file] = gvk;
      const used = reachable(name, definitions);
      const schema = { ...kubernetesDefinition(name, definition) };
      if (used.size > 0) schema.definitions = Object.fromEntries([...used].sort().map((n) => [n, definitions[n]]));
      writeFileSync(join(outDir, file), JSON.stringify(schema));
    }
  }
  if (written.size === 0) throw new Error(`${swaggerPath} has no definition with x-kubernetes-group-version-kind`);
  writeFileSync(join(outDir, '_index.json'), JSON.stringify(index, null, 1));
  console.log(`${written.size} schemas from ${swaggerPath}`);
}

function crd(outDir, files) {
  const index = {};
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
      const object = doc.toJS();
      if (object?.kind !== 'CustomResourceDefinition') continue;
      if (object.apiVersion !== 'apiextensions.k8s.io/v1') throw new Error(`${file}: ${object.apiVersion} CRDs are not supported`);
      const { group, names, versions } = object.spec;
      for (const version of versions) {
        const root = version.schema?.openAPIV3Schema;
        if (!version.served || !root) continue;
        const schema = convert(root);
        // The API server accepts these on every custom resource, whatever the schema declares.
        schema.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...schema.properties };
        const dir = join(outDir, group);
        mkdirSync(dir, { recursive: true });
        const file = `${group}/${names.kind.toLowerCase()}_${version.name}.json`;
        writeFileSync(join(outDir, file), JSON.stringify(schema));
        index[file] = { group, version: version.name, kind: names.kind };
      }
    }
  }
  const count = Object.keys(index).length;
  if (count === 0) throw new Error('no CustomResourceDefinition with a schema in the given files');
  writeFileSync(join(outDir, '_index.json'), JSON.stringify(index, null, 1));
  console.log(`${count} CRD schemas`);
}

const [command, ...args] = process.argv.slice(2);
if (command === 'kubernetes' && args.length === 2) kubernetes(args[0], args[1]);
else if (command === 'crd' && args.length >= 2) crd(args[0], args.slice(1));
else {
  console.error('usage: jsonschema.mjs kubernetes SWAGGER_JSON OUT_DIR | crd OUT_DIR CRD_YAML...');
  process.exit(2);
}
