import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { ApiObject } from 'cdk8s';
import { builtin, chartOnly, eq, isExpr, pipeline, ref, resolveTree, truthy, type Expr, type Operand, type Scope } from './expression';
import { FieldToken, templateMarker, type FieldKind } from './field';
import { Interpolation } from './text';

/**
 * The typed settings registry: the one place the settings a production user changes are
 * declared, and the only way constructs read them.
 *
 * A construct reads `settings.values.gateway.replicas` and gets a number. In a plain synth
 * (`Settings.plain(...)`) that is the concrete value (defaults merged with overrides the way
 * Helm merges a values file). In a chart synth (`Settings.helm()`) every string, whole-number
 * and map or list setting, the release's name and namespace, and what the methods below make
 * of them, is a field token (./field.ts): an expression of the settings, typed as the value
 * it stands for, that cdk8s resolves at synthesis into a template marker, which the chart
 * writer (../chart/templates.ts) writes as `{{ ... }}`. One set of constructs thus yields
 * both the plain manifests and the Helm chart, and values.yaml and values.schema.json are
 * written from the same declarations.
 *
 * A boolean setting is a `Condition` in both synths (an expression, ./expression.ts, read
 * from the values): a construct cannot compare it, only hand it to `when`, `choose` or
 * `bool`, and the conditions `equals` makes are the same kind of object. A string or whole-number
 * setting is an `Expr<string>` or `Expr<number>` in both synths: comparing it, or computing
 * with it, does not compile either; `equals`, `format`, `fallback`, `product` and `choose`
 * take it, and `text` and `int` make it a field's value.
 *
 * Rules for constructs, so both synths stay equal (the invariant test checks it):
 * - never compute with a setting (no arithmetic, no `===`, no `if`, no template literal):
 *   use `when`, `choose`, `equals`, `format`, `join`, `fallback`, `product` and `checksum`,
 *   which know both modes (a token used as a string throws);
 * - object and list settings are whole fields, omitted when empty (`setOptional`).
 */

export type JsonSchema = Record<string, unknown>;
type LeafKind = 'string' | 'int' | 'bool' | 'object';

/** One declared setting: a leaf of values.yaml. */
export interface Leaf<T> {
  readonly __leaf: true;
  readonly kind: LeafKind;
  readonly default: T;
  readonly description: string;
  readonly schema: JsonSchema;
}

/** Declaration helpers; each takes the default first and says what the setting does. */
export const setting = {
  string(fallback: string, description: string, schema: JsonSchema = {}): Leaf<string> {
    return { __leaf: true, kind: 'string', default: fallback, description, schema: { type: 'string', ...schema } };
  },
  oneOf<const T extends readonly string[]>(choices: T, fallback: T[number], description: string): Leaf<T[number]> {
    return { __leaf: true, kind: 'string', default: fallback, description, schema: { type: 'string', enum: [...choices] } };
  },
  int(fallback: number, description: string, schema: JsonSchema = {}): Leaf<number> {
    return { __leaf: true, kind: 'int', default: fallback, description, schema: { type: 'integer', ...schema } };
  },
  bool(fallback: boolean, description: string): Leaf<boolean> {
    return { __leaf: true, kind: 'bool', default: fallback, description, schema: { type: 'boolean' } };
  },
  /** A map or list used whole (resources, nodeSelector, tolerations, annotations). */
  object<T>(fallback: T, description: string, schema: JsonSchema): Leaf<T> {
    return { __leaf: true, kind: 'object', default: fallback, description, schema };
  },
};

export interface Declarations {
  readonly [key: string]: Leaf<unknown> | Declarations;
}

/** The values tree a set of declarations describes (a values file, the overrides of a plain synth). */
export type ValuesOf<D> = { -readonly [K in keyof D]: D[K] extends Leaf<infer T> ? T : ValuesOf<D[K]> };

/**
 * What constructs read (`Settings.values`): the values, with each boolean setting as a
 * `Condition`, each string and whole-number setting as an expression (`Settings.text` and
 * `Settings.int` make it a field).
 */
export type SettingsOf<D> = {
  readonly [K in keyof D]: D[K] extends Leaf<infer T> ? ([T] extends [boolean] ? Condition : [T] extends [string] ? Expr<T> : [T] extends [number] ? Expr<number> : T) : SettingsOf<D[K]>;
};
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> | null }
    : T;

/**
 * A condition both synths understand: a plain synth evaluates it against the values, the
 * chart writes it as a template expression. Opaque: decide with `when` and `choose`.
 */
export type Condition = Expr<boolean>;

/** What a chart wraps an object in: `{{- if <condition> }}` (from `when`), `{{- range <range> }}` (from `each`). */
export interface Guard {
  readonly condition?: string;
  readonly range?: string;
}
/** The variable that holds the current item inside an `each` (`{{ range $item := ... }}`). */
const ITEM = '$item';

/** What `optional` gives for a field a plain synth leaves out. */
const OMIT = Symbol('omit');


export function isLeaf(value: unknown): value is Leaf<unknown> {
  return typeof value === 'object' && value !== null && (value as { __leaf?: unknown }).__leaf === true;
}

export interface PlainOptions {
  /** The release name the plain manifests are named after. @default 'shoshizan' */
  readonly releaseName?: string;
  /**
   * The namespace the plain manifests are applied to: only written where an object must
   * name it (a RoleBinding's ServiceAccount subject). @default 'shoshizan'
   */
  readonly namespace?: string;
}

/** One item of a list setting, as `Settings.each` hands it to the objects it builds. */
export interface ListItem<T> {
  /** The whole item (an object setting: a whole field, e.g. a resource's spec). */
  readonly value: T;
  /** One string field of the item. */
  string(key: keyof T & string): string;
}

export class Settings<D extends Declarations> {
  /** The values constructs read. */
  readonly values: SettingsOf<D>;
  private readonly conditions = new WeakMap<ApiObject, string>();
  private readonly ranges = new WeakMap<ApiObject, string>();
  private readonly deferred = new Map<ApiObject, { path: string; produce: () => unknown }[]>();
  private readonly plainRelease: string;
  private readonly plainNamespace: string;
  /** What a plain synth evaluates conditions against: the values as `$.Values`. */
  private readonly plainScope: Scope;
  private inEach = false;

  private constructor(
    readonly mode: 'plain' | 'helm',
    readonly declarations: D,
    overrides: unknown,
    options: PlainOptions = {},
  ) {
    this.plainRelease = options.releaseName ?? 'shoshizan';
    this.plainNamespace = options.namespace ?? 'shoshizan';
    const concrete = mergeValues(defaultsOf(declarations), overrides);
    this.plainScope = { $: { Values: concrete } };
    const setting = (kind: 'string' | 'int', keys: readonly string[]) => this.field(kind, ref('$', 'Values', ...keys));
    this.values = (mode === 'plain' ? withExpressions(declarations, concrete, [], setting) : this.chartTree(declarations, [])) as SettingsOf<D>;
  }

  /** Concrete values: the defaults, with `overrides` merged in as Helm merges a values file. */
  static plain<D extends Declarations>(declarations: D, overrides: DeepPartial<ValuesOf<D>> = {} as DeepPartial<ValuesOf<D>>, options: PlainOptions = {}): Settings<D> {
    return new Settings('plain', declarations, overrides, options);
  }

  /** Helm expressions in place of values, for the chart writer. */
  static helm<D extends Declarations>(declarations: D): Settings<D> {
    return new Settings('helm', declarations, {});
  }

  // ---- context values (not settings, but differ between the synths) ------------------------

  /** The release name: `.Release.Name` in the chart. */
  get releaseName(): string {
    return this.mode === 'plain' ? this.plainRelease : this.text(ref('$', 'Release', 'Name'));
  }

  /** The release's namespace: `.Release.Namespace` in the chart. */
  get namespace(): string {
    return this.mode === 'plain' ? this.plainNamespace : this.text(ref('$', 'Release', 'Namespace'));
  }

  /** A string computed by Helm in the chart (`helm`, a template pipeline), by `plain` here. */
  expression(plain: string, helm: string): string {
    return this.text(builtin(helm, plain));
  }

  // ---- expressions as the fields of objects ---------------------------------------------------

  /**
   * A string expression where a cdk8s field takes a string: a token cdk8s resolves at
   * synthesis (./field.ts), to the value here, to the expression in a chart.
   */
  text(expr: Operand<string>): string {
    const read: unknown = expr;
    if (!isExpr(read)) return expr as string;
    if (this.mode === 'plain') return read.evaluate(this.plainScope) as string;
    if (read instanceof FieldToken && read.kind === 'string') return read as unknown as string;
    return this.field('string', read) as unknown as string;
  }

  /** A whole-number expression where a cdk8s field takes a number: as `text`, for numbers. */
  int(expr: Operand<number>): number {
    const read: unknown = expr;
    if (!isExpr(read)) return expr as number;
    if (this.mode === 'plain') return read.evaluate(this.plainScope) as number;
    if (read instanceof FieldToken && read.kind === 'int') return read as unknown as number;
    return this.field('int', read) as unknown as number;
  }

  /** An operand's value in a plain synth. */
  private plainValue<T>(operand: Operand<T>): T {
    return isExpr(operand) ? operand.evaluate(this.plainScope) : operand;
  }

  /**
   * A string with settings in it, as a tagged template: s.format`${name}-headless`. The
   * plain string in a plain synth; in a chart, one `(print ...)` of its text and settings
   * (whole numbers in decimal).
   */
  format(strings: TemplateStringsArray, ...parts: readonly Operand<string | number>[]): string {
    if (this.mode === 'plain') return strings.reduce((out, text, i) => out + String(this.plainValue(parts[i - 1] as Operand<string | number>)) + text);
    const pieces: (string | Expr<unknown>)[] = [];
    strings.forEach((text, i) => {
      pieces.push(text);
      if (i < parts.length) pieces.push(this.operand(parts[i] as Operand<string | number>));
    });
    const interpolation = new Interpolation(pieces);
    return interpolation.computed ? this.text(interpolation) : (interpolation.parts[0] as string | undefined) ?? '';
  }

  /** A part of `format`: an expression (a setting) as it is, a literal as text. */
  private operand(part: Operand<string | number>): string | Expr<unknown> {
    return isExpr(part) ? part : String(part);
  }

  /**
   * Whether `value` is an expression of the settings (a field token: a map or list setting in
   * a chart synth), rather than a literal: code that builds a list item by item uses such a
   * list whole.
   */
  isComputed(value: unknown): boolean {
    return value instanceof FieldToken;
  }

  /**
   * `value` with each field token in it rendered now: for a JSON patch, which cdk8s applies
   * after it resolved the object's tokens. (A token renders the same at any time.)
   */
  renderedNow<T>(value: T): T {
    return resolveTree(value, (expr) => (expr instanceof FieldToken ? expr.resolve() : expr)) as T;
  }

  /**
   * A cdk8s union value (a Quantity, an IntOrString) made from a string that may hold
   * settings: `make(value)` for a plain string; else a token that resolves, as cdk8s resolves
   * a union, to `{ value }`, which the object's typed conversion reads.
   */
  union<U>(value: Operand<string>, make: (value: string) => U): U {
    const read: unknown = value;
    if (!isExpr(read)) return make(value as string);
    if (this.mode === 'plain') return make(read.evaluate(this.plainScope) as string);
    const expr = read instanceof FieldToken ? (read.expr as Expr<unknown>) : read;
    return new FieldToken('string', expr, (kind, e) => ({ value: this.renderField(kind, e) })) as unknown as U;
  }

  /** A whole number a chart computes with `template` (a Go template operand), as an int64 (values files give floats). */
  private chartInt(template: string): number {
    return this.field('int', chartOnly(`(int64 ${template})`)) as unknown as number;
  }

  /** A map or list a chart computes with `template` (a Go template operand), written whole (`with`, `toYaml`). */
  private chartObject<T>(template: string): T {
    return this.field('object', chartOnly(template)) as unknown as T;
  }

  /** A string a chart computes with `template` (a Go template operand). */
  private chartText(template: string): string {
    return this.text(chartOnly(template));
  }

  private field<T>(kind: FieldKind, expr: Expr<T>): FieldToken<T> {
    return new FieldToken(kind, expr, (k, e) => this.renderField(k, e));
  }

  /** A field's expression as written into synthesized JSON: its value (plain), its template marker (chart). */
  private renderField(kind: FieldKind, expr: Expr<unknown>): unknown {
    if (this.mode === 'plain') return expr.evaluate(this.plainScope);
    return templateMarker(kind, expr.template());
  }

  // ---- conditions ---------------------------------------------------------------------------

  /** A condition as a boolean field of an object (`automountServiceAccountToken`): true/false in the chart. */
  bool(condition: Condition): boolean {
    if (this.mode === 'plain') return this.holds(condition);
    return this.field('bool', chartOnly(this.test(condition))) as unknown as boolean;
  }

  /** Whether a string setting is `literal`. */
  equals(value: Expr<string>, literal: string): Condition {
    return eq(value, literal);
  }

  /**
   * Builds what `build` adds to `scope` only when `condition` holds. A plain synth runs it or
   * not; a chart synth always runs it and records the condition for every API object it made
   * (`guardOf`), which the chart writer turns into `{{- if ... }}` around the object.
   */
  when(condition: Condition, scope: Construct, id: string, build: (scope: Construct) => void): void {
    if (this.mode === 'plain') {
      if (this.holds(condition)) build(new Construct(scope, id));
      return;
    }
    const inner = new Construct(scope, id);
    build(inner);
    const test = this.test(condition);
    for (const child of inner.node.findAll()) {
      if (!(child instanceof ApiObject)) continue;
      const previous = this.conditions.get(child);
      const combined = previous ? `and (${previous}) (${test})` : test;
      this.conditions.set(child, combined);
    }
  }

  /**
   * Builds what `build` adds once per item of a list setting. A plain synth runs it for each
   * item (in a scope `<id><index>`); a chart synth runs it once, with the item's fields as
   * expressions of `$item`, and records the range for every API object it made (`guardOf`),
   * which the chart writer turns into `{{- range $item := <list> }}` around the object. Not nested.
   */
  each<T extends object>(list: readonly T[], scope: Construct, id: string, build: (scope: Construct, item: ListItem<T>) => void): void {
    if (this.mode === 'plain') {
      list.forEach((item, i) => build(new Construct(scope, `${id}${i}`), { value: item, string: (key) => String(item[key]) }));
      return;
    }
    if (this.inEach) throw new Error('each() inside each(): not supported');
    const inner = new Construct(scope, id);
    this.inEach = true;
    try {
      build(inner, {
        value: this.chartObject<T>(ITEM),
        string: (key) => this.text(ref(ITEM, key)),
      });
    } finally {
      this.inEach = false;
    }
    const range = `${ITEM} := ${this.exprOf(list)}`;
    for (const child of inner.node.findAll()) {
      if (child instanceof ApiObject) this.ranges.set(child, range);
    }
  }

  // ---- derived values -----------------------------------------------------------------------

  /** `a` when the condition holds, else `b` (strings, whole numbers or objects). */
  choose(condition: Condition, a: Operand<string>, b: Operand<string>): string;
  choose(condition: Condition, a: Operand<number>, b: Operand<number>): number;
  choose<T>(condition: Condition, a: T, b: T): T;
  choose<T>(condition: Condition, a: T, b: T): T {
    if (this.mode === 'plain') return this.plainValue(this.holds(condition) ? a : b);
    const expr = `(ternary ${this.goValue(a)} ${this.goValue(b)} (${this.test(condition)}))`;
    const read: unknown = a;
    if (typeof a === 'number' || (read instanceof FieldToken && read.kind === 'int')) return this.chartInt(expr) as T;
    if (typeof a === 'string' || isExpr(read)) return this.chartText(expr) as T;
    return this.chartObject<T>(expr);
  }

  /** `a` × `b`, for whole numbers derived from whole-number settings. */
  product(a: Operand<number>, b: Operand<number>): number {
    if (this.mode === 'plain') return this.plainValue(a) * this.plainValue(b);
    return this.chartInt(`(mul ${this.goValue(a)} ${this.goValue(b)})`);
  }

  /** A map with the entries of an object setting added; `fixed` wins on a clash. */
  merge<T extends Record<string, string>>(fixed: T, extra: Record<string, string>): T {
    if (this.mode === 'plain') return { ...extra, ...fixed };
    return this.chartObject<T>(`(merge ${this.goValue(fixed)} (deepCopy ${this.exprOf(extra)}))`);
  }

  /** An object setting with `overlay` merged over it (maps deeply; `overlay` wins). */
  overlay<T>(base: T, overlay: Record<string, unknown>): T {
    if (this.mode === 'plain') return mergeValues(structuredClone(base), overlay) as T;
    return this.chartObject<T>(`(mergeOverwrite (deepCopy ${this.goValue(base)}) ${this.goValue(overlay)})`);
  }

  /** Lists (literal ones, or ones from `choose`) one after another. */
  concat<T>(...lists: readonly (readonly T[])[]): T[] {
    if (this.mode === 'plain') return lists.flat<readonly (readonly T[])[]>();
    const parts = lists.map((list) => this.goValue(list));
    return this.chartObject<T[]>(`(concat ${parts.join(' ')})`);
  }

  /** `value`, or `otherwise` when it is empty. */
  fallback(value: Operand<string>, otherwise: Operand<string>): string {
    if (this.mode === 'plain') return this.plainValue(value) !== '' ? this.plainValue(value) : this.plainValue(otherwise);
    return this.chartText(`(default ${this.goValue(otherwise)} ${this.exprOf(value)})`);
  }

  /** A list setting joined into one string. */
  join(list: readonly string[], separator: string): string {
    if (this.mode === 'plain') return list.join(separator);
    return this.chartText(`(join ${goString(separator)} ${this.exprOf(list)})`);
  }

  /**
   * A string made into a Kubernetes object name: lower case, every run of other characters
   * than a-z and 0-9 one `-`, none at either end (`gemma3:270m` -> `gemma3-270m`).
   */
  dnsLabel(value: Operand<string>): string {
    if (this.mode === 'plain') return this.plainValue(value).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
    return this.chartText(`(regexReplaceAll "[^a-z0-9]+" (lower ${this.exprOf(value)}) "-" | trimAll "-")`);
  }

  /** One field of each item of a list setting (of objects), joined (helper `shoshizan.join-field`). */
  joinField<T extends object>(list: readonly T[], key: keyof T & string, separator: string): string {
    if (this.mode === 'plain') return list.map((item) => String(item[key])).join(separator);
    return this.chartText(`(include "shoshizan.join-field" (dict "list" ${this.exprOf(list)} "key" ${goString(key)} "sep" ${goString(separator)}))`);
  }

  /**
   * A field of the first item of a list setting whose boolean `flag` is true, else of the
   * first item, else '' (helper `shoshizan.first-where`).
   */
  firstWhere<T extends object>(list: readonly T[], flag: keyof T & string, field: keyof T & string): string {
    if (this.mode === 'plain') {
      const found = list.find((item) => item[flag] === true) ?? list[0];
      return found === undefined ? '' : String(found[field]);
    }
    const args = `"list" ${this.exprOf(list)} "flag" ${goString(flag)} "field" ${goString(field)}`;
    return this.chartText(`(include "shoshizan.first-where" (dict ${args}))`);
  }

  /**
   * A SHA-256 over string data (a ConfigMap's), the same in both synths: Helm's
   * `toJson | sha256sum` of the dict, and here the same JSON (sorted keys, Go's escaping).
   */
  checksum(data: Readonly<Record<string, string>>): string {
    const keys = Object.keys(data).sort();
    if (this.mode === 'plain') {
      const json = `{${keys.map((k) => `${goJson(k)}:${goJson(data[k] ?? '')}`).join(',')}}`;
      return createHash('sha256').update(json).digest('hex');
    }
    const pairs = keys.map((k) => `${goString(k)} ${this.goValue(data[k] ?? '')}`).join(' ');
    return this.chartText(`(dict ${pairs} | toJson | sha256sum)`);
  }

  /**
   * Sets a field of an API object from an object (or optional) setting: omitted when empty
   * (null, '', {} or []), in both synths. `path` is a JSON pointer.
   */
  setOptional(object: ApiObject, path: string, value: unknown): void {
    this.defer(object, path, () => this.optional(value));
  }

  /**
   * `setOptional` with the value taken when the object is synthesized: for a field that
   * constructs made later may still decide (the replicas an autoscaler takes over).
   */
  setOptionalAtSynth(object: ApiObject, path: string, produce: () => unknown): void {
    this.defer(object, path, () => this.optional(produce()));
  }

  /** Sets a field of an API object to a value (a setting or a literal), always. */
  set(object: ApiObject, path: string, value: unknown): void {
    this.defer(object, path, () => value);
  }

  /** An optional field's value as written: `OMIT` when a plain synth leaves it out. */
  private optional(value: unknown): unknown {
    if (this.mode === 'plain') {
      const plain = this.plainValue(value);
      return isEmpty(plain) ? OMIT : plain;
    }
    return templateMarker('object', this.goValue(value));
  }

  // ---- for the chart writer -----------------------------------------------------------------

  private defer(object: ApiObject, path: string, produce: () => unknown): void {
    const fields = this.deferred.get(object) ?? [];
    this.deferred.set(object, fields);
    fields.push({ path, produce });
  }

  /**
   * An object's JSON with the fields set through `set` and `setOptional` added: the step that
   * writes settings into a synthesized object (ShoshizanChart's toJson and `manifests` take
   * it for every object). It comes after cdk8s's typed conversion of core objects, which
   * would mangle a plain map where it expects quantities, and drop a setting's token where it
   * expects a list or a map.
   */
  complete(object: ApiObject, json: unknown): unknown {
    for (const field of this.deferred.get(object) ?? []) {
      const value = field.produce();
      if (value !== OMIT) jsonPatchAdd(json, field.path, this.rendered(value, field.path));
    }
    return json;
  }

  /**
   * A field's value with each condition in it rendered: evaluated in a plain synth; a chart
   * writes conditions only through `bool`, `choose` and `setOptional`.
   */
  private rendered(value: unknown, path: string): unknown {
    return resolveTree(value, (condition) => {
      if (condition instanceof FieldToken) return condition.resolve();
      if (this.mode === 'plain') return condition.evaluate(this.plainScope);
      throw new Error(`${path}: a condition as a value (${condition.template()}): use Settings.bool or Settings.choose`);
    });
  }

  /** The `if` and `range` the chart writer wraps an object in (none in a plain synth). */
  guardOf(object: ApiObject): Guard {
    return { condition: this.conditions.get(object), range: this.ranges.get(object) };
  }

  // ---- internals ----------------------------------------------------------------------------

  /** Whether a condition holds for the values of a plain synth. */
  private holds(condition: Condition): boolean {
    return truthy(checked(condition).evaluate(this.plainScope));
  }

  /** A condition as a chart's `if` tests it. */
  private test(condition: Condition): string {
    return pipeline(checked(condition));
  }

  /** The values of a chart synth as constructs read them: every setting an expression of `$.Values`. */
  private chartTree(declarations: Declarations, keys: readonly string[]): unknown {
    const tree: Record<string, unknown> = {};
    for (const [key, declared] of Object.entries(declarations)) {
      if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) throw new Error(`setting $.Values.${[...keys, key].join('.')}: use camelCase names`);
      const path = `$.Values.${[...keys, key].join('.')}`;
      if (!isLeaf(declared)) {
        tree[key] = this.chartTree(declared, [...keys, key]);
        continue;
      }
      switch (declared.kind) {
        case 'string':
          tree[key] = this.field('string', ref<string>('$', 'Values', ...keys, key));
          break;
        case 'int':
          tree[key] = this.chartInt(path);
          break;
        case 'object':
          tree[key] = this.chartObject(path);
          break;
        case 'bool':
          tree[key] = ref<boolean>('$', 'Values', ...keys, key);
          break;
      }
    }
    return tree;
  }

  /** The Go template expression of a setting read from `values`. */
  private exprOf(value: unknown): string {
    if (this.mode === 'plain') return this.goValue(value);
    if (isExpr(value)) return value.template();
    throw new Error(`not a setting read from settings.values: ${JSON.stringify(value)}`);
  }

  /** A Go template operand for a literal or a value containing settings. */
  private goValue(value: unknown): string {
    if (isExpr(value)) return value.template();
    if (typeof value === 'string') return goString(value);
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (value === null || value === undefined) return 'nil';
    if (Array.isArray(value)) return `(list ${value.map((item) => this.goValue(item)).join(' ')})`;
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    return `(dict ${entries.map(([key, item]) => `${goString(key)} ${this.goValue(item)}`).join(' ')})`;
  }
}

/**
 * The named templates `joinField` and `firstWhere` call, written into the chart's
 * _helpers.tpl; each does in Go templates what its method does in a plain synth.
 */
export const SETTINGS_HELPERS = `{{/* Settings.joinField: one field of each item of .list, joined with .sep. */}}
{{- define "shoshizan.join-field" -}}
{{- $values := list -}}
{{- range .list }}{{ $values = append $values (get . $.key) }}{{ end -}}
{{- join $.sep $values -}}
{{- end }}

{{/* Settings.firstWhere: .field of the first item of .list whose .flag is true, else of the first item. */}}
{{- define "shoshizan.first-where" -}}
{{- $found := "" -}}
{{- range .list }}{{ if and (eq $found "") (get . $.flag) }}{{ $found = get . $.field }}{{ end }}{{ end -}}
{{- if and (eq $found "") .list }}{{ $found = get (first .list) .field }}{{ end -}}
{{- $found -}}
{{- end }}
`;

/** A Go string literal. */
export function goString(value: string): string {
  return JSON.stringify(value);
}

/** JSON as Go's encoding/json writes a string (it escapes <, > and & for HTML). */
function goJson(value: string): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** A condition, refused when a cast let another value through (types cannot see past one). */
function checked(condition: Condition): Condition {
  // A field token (a string setting, say) is an expression too, but of a field's value.
  const read: unknown = condition;
  if (read instanceof FieldToken) throw new Error(`not a condition: ${read.template()}: use a boolean setting or equals()`);
  if (!isExpr(read)) throw new Error(`not a condition: ${String(read)}: use a boolean setting or equals()`);
  return condition;
}

/**
 * The values of a plain synth as constructs read them: each boolean setting a reference into
 * `$.Values`, each string and whole-number setting what `setting` makes of its path.
 */
function withExpressions(declarations: Declarations, values: unknown, keys: readonly string[], setting: (kind: 'string' | 'int', keys: readonly string[]) => unknown): unknown {
  if (!isPlainObject(values)) return values;
  const out: Record<string, unknown> = { ...values };
  for (const [key, declared] of Object.entries(declarations)) {
    if (!isLeaf(declared)) out[key] = withExpressions(declared, values[key], [...keys, key], setting);
    else if (declared.kind === 'bool') out[key] = ref<boolean>('$', 'Values', ...keys, key);
    else if (declared.kind === 'string' || declared.kind === 'int') out[key] = setting(declared.kind, [...keys, key]);
  }
  return out;
}

export function defaultsOf(declarations: Declarations): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, declared] of Object.entries(declarations)) {
    out[key] = isLeaf(declared) ? structuredClone(declared.default) : defaultsOf(declared);
  }
  return out;
}

/** Merges a values file into defaults as Helm does: maps deeply, lists replaced, null deletes. */
export function mergeValues(base: unknown, overrides: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(overrides)) return overrides === undefined ? base : overrides;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === null) delete out[key];
    else out[key] = mergeValues(base[key], value);
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON Patch `add` (RFC 6902) on plain JSON, creating missing maps on the way. */
export function jsonPatchAdd(document: unknown, path: string, value: unknown): void {
  const keys = path.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node = document as Record<string, unknown> | unknown[];
  for (const key of keys.slice(0, -1)) {
    const next = Array.isArray(node) ? node[Number(key)] : node[key];
    if (next === undefined || next === null) {
      if (Array.isArray(node)) throw new Error(`no item ${key} in ${path}`);
      node[key] = {};
    }
    node = (Array.isArray(node) ? node[Number(key)] : node[key]) as Record<string, unknown> | unknown[];
  }
  const last = keys[keys.length - 1] as string;
  if (Array.isArray(node)) node.splice(last === '-' ? node.length : Number(last), 0, value);
  else node[last] = value;
}
