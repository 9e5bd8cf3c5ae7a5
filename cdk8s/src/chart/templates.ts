import { isExpr } from '../settings/expression';
import { markerOf, type FieldKind } from '../settings/field';
import { Settings, stringExpression, type Declarations, type Guard } from '../settings/registry';

/**
 * Writes API objects synthesized in a chart synth (`Settings.helm`) as Helm template text.
 * Every sentinel of the settings registry becomes its Go template expression:
 * - a string holding settings: `{{ <expr> | toJson }}` (a quoted YAML scalar);
 * - a whole number: `{{ int64 .Values.x }}`;
 * - an object or optional field: a `{{- with <expr> }}` block with `toYaml`, so an empty one
 *   is left out, as the plain synth leaves it out;
 * - a condition as a boolean field (`Settings.bool`): `{{ <condition> }}`, unquoted;
 * - an object made under `Settings.when`: wrapped in `{{- if <condition> }}`;
 * - an object made under `Settings.each`: wrapped in `{{- range $item := <list> }}` (inside
 *   the `if`), so that it is written once per item.
 * Anything else is written as YAML with every string quoted, so nothing is reinterpreted.
 */
export function toTemplate<D extends Declarations>(settings: Settings<D>, objects: readonly { json: Record<string, unknown>; guard: Guard }[]): string {
  const writer = new TemplateWriter(settings);
  return objects.map((o) => writer.document(o.json, o.guard)).join('');
}

const SIMPLE_KEY = /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/;

class TemplateWriter<D extends Declarations> {
  constructor(private readonly settings: Settings<D>) {}

  document(object: Record<string, unknown>, { condition, range }: Guard): string {
    let body = `---\n${this.map(object, 0).join('\n')}\n`;
    if (range) body = `{{- range ${range} }}\n${body}{{- end }}\n`;
    return condition ? `{{- if ${condition} }}\n${body}{{- end }}\n` : body;
  }

  private map(object: Record<string, unknown>, indent: number): string[] {
    const pad = ' '.repeat(indent);
    const lines: string[] = [];
    for (const [key, value] of Object.entries(object)) {
      if (value === undefined) continue;
      const k = this.key(key);
      const optional = this.optionalExpr(value);
      if (optional !== undefined) {
        lines.push(`${pad}{{- with ${optional} }}`, `${pad}${k}:`, `${pad}  {{- toYaml . | nindent ${indent + 2} }}`, `${pad}{{- end }}`);
      } else if (isComposite(value) && !isEmptyComposite(value) && !markerOf(value)) {
        lines.push(`${pad}${k}:`, ...(Array.isArray(value) ? this.list(value, indent) : this.map(value as Record<string, unknown>, indent + 2)));
      } else {
        lines.push(`${pad}${k}: ${this.scalar(value)}`);
      }
    }
    return lines;
  }

  private list(items: readonly unknown[], indent: number): string[] {
    const pad = ' '.repeat(indent);
    const lines: string[] = [];
    for (const item of items) {
      if (this.optionalExpr(item) !== undefined) throw new Error('an object setting as a list item: set the whole list instead');
      if (isComposite(item) && !isEmptyComposite(item) && !markerOf(item)) {
        const inner = Array.isArray(item) ? this.list(item, indent + 2) : this.map(item as Record<string, unknown>, indent + 2);
        const first = inner[0] ?? '';
        // "- key: v" on one line, unless the first line is a template block.
        if (first.trimStart().startsWith('{{')) lines.push(`${pad}-`, ...inner);
        else lines.push(`${pad}- ${first.slice(indent + 2)}`, ...inner.slice(1));
      } else {
        lines.push(`${pad}- ${this.scalar(item)}`);
      }
    }
    return lines;
  }

  /** The expression of an object (optional) sentinel or marker, if `value` is one. */
  private optionalExpr(value: unknown): string | undefined {
    const marker = markerOf(value);
    if (marker) return marker.kind === 'object' ? marker.expr : undefined;
    if (typeof value !== 'string') return undefined;
    const found = this.settings.lookup(value);
    return found?.kind === 'object' ? found.expr : undefined;
  }

  private key(key: string): string {
    if (new RegExp(Settings.STRING_SENTINEL.source).test(key)) throw new Error(`a setting in a key: ${key}`);
    return SIMPLE_KEY.test(key) ? key : JSON.stringify(key);
  }

  private scalar(value: unknown): string {
    const marker = markerOf(value);
    if (marker) return markerText(marker.kind, marker.expr);
    if (isExpr(value)) throw new Error(`a condition used as a value (${value.template()}): use Settings.bool or Settings.choose`);
    if (value === null) return 'null';
    if (Array.isArray(value)) return '[]';
    if (typeof value === 'object') {
      return '{}';
    }
    if (typeof value === 'number') {
      const found = this.settings.lookup(String(value));
      return found ? `{{ ${found.expr} }}` : String(value);
    }
    if (typeof value === 'boolean') return String(value);
    const found = typeof value === 'string' ? this.settings.lookup(value) : undefined;
    if (found?.kind === 'bool') return `{{ ${found.expr} }}`;
    const text = typeof value === "string" ? value : JSON.stringify(value);
    const expr = stringExpression(text, (t) => this.settings.lookup(t));
    // A literal with braces (Grafana's legends) would be read as a template action.
    if (expr === JSON.stringify(text) && !/\{\{|\}\}/.test(text)) return expr;
    return `{{ ${expr} | toJson }}`;
  }
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
