import { isExpr } from '../settings/expression';
import { markerOf, type FieldKind } from '../settings/field';
import type { Guard } from '../settings/registry';

/**
 * Writes API objects synthesized in a chart synth (`Settings.helm`) as Helm template text.
 * Where a field holds a template marker (settings/field.ts: what cdk8s resolved a setting's
 * token to), its expression is written, by the marker's kind (`markerText`):
 * - a string: `{{ <expr> | toJson }}` (a quoted YAML scalar);
 * - a whole number: `{{ (int64 .Values.x) }}`;
 * - a boolean field (`Settings.bool`): `{{ <condition> }}`, unquoted;
 * - a map or list: a `{{- with <expr> }}` block with `toYaml`, so an empty one is left out,
 *   as the plain synth leaves it out.
 * An object made under `Settings.when` is wrapped in `{{- if <condition> }}`, one made under
 * `Settings.each` in `{{- range $item := <list> }}` (inside the `if`), so that it is written
 * once per item. Anything else is written as YAML with every string quoted, so nothing is
 * reinterpreted.
 */
export function toTemplate(objects: readonly { json: Record<string, unknown>; guard: Guard }[]): string {
  return objects.map((o) => document(o.json, o.guard)).join('');
}

const SIMPLE_KEY = /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/;

function document(object: Record<string, unknown>, { condition, range }: Guard): string {
  let body = `---\n${map(object, 0).join('\n')}\n`;
  if (range) body = `{{- range ${range} }}\n${body}{{- end }}\n`;
  return condition ? `{{- if ${condition} }}\n${body}{{- end }}\n` : body;
}

function map(object: Record<string, unknown>, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined) continue;
    const k = SIMPLE_KEY.test(key) ? key : JSON.stringify(key);
    const marker = markerOf(value);
    if (marker?.kind === 'object') {
      lines.push(`${pad}{{- with ${marker.expr} }}`, `${pad}${k}:`, `${pad}  {{- toYaml . | nindent ${indent + 2} }}`, `${pad}{{- end }}`);
    } else if (!marker && isComposite(value) && !isEmptyComposite(value)) {
      lines.push(`${pad}${k}:`, ...(Array.isArray(value) ? list(value, indent) : map(value as Record<string, unknown>, indent + 2)));
    } else {
      lines.push(`${pad}${k}: ${scalar(value)}`);
    }
  }
  return lines;
}

function list(items: readonly unknown[], indent: number): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  for (const item of items) {
    const marker = markerOf(item);
    if (marker?.kind === 'object') throw new Error(`a map or list setting as a list item (${marker.expr}): set the whole list instead`);
    if (!marker && isComposite(item) && !isEmptyComposite(item)) {
      const inner = Array.isArray(item) ? list(item, indent + 2) : map(item as Record<string, unknown>, indent + 2);
      const first = inner[0] ?? '';
      // "- key: v" on one line, unless the first line is a template block.
      if (first.trimStart().startsWith('{{')) lines.push(`${pad}-`, ...inner);
      else lines.push(`${pad}- ${first.slice(indent + 2)}`, ...inner.slice(1));
    } else {
      lines.push(`${pad}- ${scalar(item)}`);
    }
  }
  return lines;
}

function scalar(value: unknown): string {
  const marker = markerOf(value);
  if (marker) return markerText(marker.kind, marker.expr);
  if (isExpr(value)) throw new Error(`a condition used as a value (${value.template()}): use Settings.bool or Settings.choose`);
  if (value === null) return 'null';
  if (Array.isArray(value)) return '[]';
  if (typeof value === 'object') return '{}';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const quoted = JSON.stringify(text);
  // A literal with braces (Grafana's legends) would be read as a template action.
  return /\{\{|\}\}/.test(text) ? `{{ ${quoted} | toJson }}` : quoted;
}

/** How a field an expression fills is written: the one place a marker becomes template text. */
function markerText(kind: FieldKind, expr: string): string {
  switch (kind) {
    case 'string':
      // Quoted by toJson, so YAML reads the value back as the string it is.
      return `{{ ${expr.startsWith('(') ? expr : `(${expr})`} | toJson }}`;
    case 'int':
    case 'bool':
      return `{{ ${expr} }}`;
    case 'object':
      throw new Error(`a map or list expression as a scalar (${expr}): set it as a whole field`);
  }
}

function isComposite(value: unknown): value is object {
  // By name: under jest, objects made in another realm have another realm's Object.
  return typeof value === 'object' && value !== null && (Array.isArray(value) || value.constructor.name === 'Object');
}

function isEmptyComposite(value: object): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}
