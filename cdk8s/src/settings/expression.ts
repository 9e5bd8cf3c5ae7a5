/**
 * Values computed from settings, as a small expression tree with two renderings: the value
 * it has for a given values file (a plain synth: `evaluate`) and the Go template expression
 * Helm computes it with (the chart: `template`). A construct that builds its manifest fields
 * from these nodes yields both outputs from one source, and cannot take a decision in
 * TypeScript that the chart would not take: an `Expr` is an opaque object, so comparing or
 * computing with it (`===`, `<`, `*`) does not compile, and using it as a string or number
 * (a template literal, `+`, `String()`) throws. Decisions go through `cond`, `eq`, `fallback`
 * and the other builders below, which know both renderings.
 *
 * Where a field of a synthesized object holds an `Expr`, `resolveTree` replaces it by its
 * rendering, in one walk over the object: see settings/registry.ts for the plain and chart
 * synths that drive it.
 */

/** What a `Ref` reads from in a plain evaluation: `$` (Values, Release, Chart) and range variables. */
export type Scope = Readonly<Record<string, unknown>>;

declare const exprType: unique symbol;

/** A value of type `T` computed from settings. Not a `T`: render it with `evaluate` or `template`. */
export abstract class Expr<out T> {
  /** Phantom: ties the node to the type of its value, so an Expr<string> is no Expr<number>. */
  declare private readonly [exprType]: T;

  /** Its value for the settings in `scope`. */
  abstract evaluate(scope: Scope): T;

  /** A Go template operand computing it (parenthesised whenever it is more than one token). */
  abstract template(): string;

  /** Neither a string nor a number: a template literal or `+` would freeze one rendering. */
  [Symbol.toPrimitive](): never {
    throw new TypeError(`a setting used as a primitive (${this.template()}): build strings with str\`\` (Settings.format in a construct), decide with cond()`);
  }
}

/** A literal value (strings, numbers, booleans, null, and lists and maps of these, which may hold expressions). */
class Value<T> extends Expr<T> {
  constructor(readonly value: T) {
    super();
  }
  evaluate(scope: Scope): T {
    return resolveTree(this.value, (inner) => inner.evaluate(scope)) as T;
  }
  template(): string {
    return goLiteral(this.value);
  }
}

/** A path read from a scope variable: `$.Values.gateway.replicas`, `$.Release.Name`, `$item.name`. */
class Ref<T> extends Expr<T> {
  constructor(
    readonly variable: string,
    readonly path: readonly string[],
  ) {
    super();
    for (const key of path) if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) throw new Error(`ref ${variable}.${path.join('.')}: "${key}" is not a template field name`);
  }
  evaluate(scope: Scope): T {
    if (!(this.variable in scope)) throw new Error(`ref ${this.template()}: no ${this.variable} in scope`);
    let node: unknown = scope[this.variable];
    for (const key of this.path) node = isMap(node) ? node[key] : undefined;
    return structuredClone(node) as T;
  }
  template(): string {
    return [this.variable, ...this.path].join('.');
  }
}

/** `then` when `condition` holds, else `otherwise` (Sprig's `ternary`, which evaluates both). */
class Cond<T> extends Expr<T> {
  constructor(
    readonly condition: Expr<boolean>,
    readonly then: Expr<T>,
    readonly otherwise: Expr<T>,
  ) {
    super();
  }
  evaluate(scope: Scope): T {
    return truthy(this.condition.evaluate(scope)) ? this.then.evaluate(scope) : this.otherwise.evaluate(scope);
  }
  template(): string {
    return `(ternary ${this.then.template()} ${this.otherwise.template()} ${this.condition.template()})`;
  }
}

/** `value`, or `otherwise` when `value` is empty in Go's sense ('', 0, false, nil, an empty list or map). */
class Fallback<T> extends Expr<T> {
  constructor(
    readonly value: Expr<T>,
    readonly otherwise: Expr<T>,
  ) {
    super();
  }
  evaluate(scope: Scope): T {
    const value = this.value.evaluate(scope);
    return truthy(value) ? value : this.otherwise.evaluate(scope);
  }
  template(): string {
    return `(default ${this.otherwise.template()} ${this.value.template()})`;
  }
}

/**
 * A template function applied to operands, with the same function in TypeScript: the few
 * operators the chart needs beyond the nodes above (`eq`, `and`, `mul`, `print`, `join`).
 */
class Call<T> extends Expr<T> {
  constructor(
    readonly fn: string,
    readonly args: readonly Expr<unknown>[],
    readonly apply: (...values: unknown[]) => T,
  ) {
    super();
  }
  evaluate(scope: Scope): T {
    return this.apply(...this.args.map((arg) => arg.evaluate(scope)));
  }
  template(): string {
    return `(${[this.fn, ...this.args.map((arg) => arg.template())].join(' ')})`;
  }
}

/**
 * A value Helm computes itself (`$.Release.Service`, a named template), with the value a
 * plain synth stands in for it.
 */
class Builtin<T> extends Expr<T> {
  constructor(
    readonly helm: string,
    readonly plain: T,
  ) {
    super();
  }
  evaluate(): T {
    return this.plain;
  }
  template(): string {
    return this.helm.includes(' ') && !this.helm.startsWith('(') ? `(${this.helm})` : this.helm;
  }
}

class ChartOnly<T> extends Expr<T> {
  constructor(readonly text: string) {
    super();
  }
  evaluate(): T {
    throw new Error(`${this.text}: computed by the chart only, it has no value in a plain synth`);
  }
  template(): string {
    return this.text;
  }
}

/** A literal, or an expression passed through: the builders take either. */
export type Operand<T> = T | Expr<T>;

export function isExpr(value: unknown): value is Expr<unknown> {
  return value instanceof Expr;
}

function lift<T>(operand: Operand<T>): Expr<T> {
  return isExpr(operand) ? operand : new Value(operand);
}

/** A literal as an expression. */
export function value<T>(literal: T): Expr<T> {
  return new Value(literal);
}

/** A path under a scope variable, read as `T` (the caller declares what the path holds). */
export function ref<T>(variable: string, ...path: string[]): Expr<T> {
  return new Ref<T>(variable, path);
}

/** What Helm computes as `helm` (a template pipeline), and a plain synth takes as `plain`. */
export function builtin<T>(helm: string, plain: T): Expr<T> {
  return new Builtin(helm, plain);
}

/**
 * An expression only a chart computes, given as its template (a Go template operand, or an
 * action's pipeline for a boolean field): what a chart synth's registry builds where a plain
 * synth has the value at hand.
 */
export function chartOnly<T>(template: string): Expr<T> {
  return new ChartOnly<T>(template);
}

/** `then` when `condition` holds, else `otherwise`. */
export function cond<T>(condition: Expr<boolean>, then: Operand<T>, otherwise: Operand<T>): Expr<T> {
  return new Cond(condition, lift(then), lift(otherwise));
}

/** `value`, or `otherwise` when `value` is empty. */
export function fallback<T>(value: Operand<T>, otherwise: Operand<T>): Expr<T> {
  return new Fallback(lift(value), lift(otherwise));
}

/** Whether two values are equal (strings, numbers, booleans). */
export function eq<T extends string | number | boolean>(a: Operand<T>, b: Operand<T>): Expr<boolean> {
  return new Call('eq', [lift(a), lift(b)], (x, y) => x === y);
}

/** Whether every condition holds. */
export function and(...conditions: Expr<boolean>[]): Expr<boolean> {
  if (conditions.length < 2) throw new Error('and() takes two conditions or more');
  return new Call('and', conditions, (...values) => values.every(truthy));
}

/** Whether `condition` does not hold. */
export function not(condition: Expr<boolean>): Expr<boolean> {
  return new Call('not', [condition], (x) => !truthy(x));
}

/** `a` × `b`, whole numbers. */
export function product(a: Operand<number>, b: Operand<number>): Expr<number> {
  return new Call('mul', [lift(a), lift(b)], (x, y) => (x as number) * (y as number));
}

/** A list of strings joined with `separator`. */
export function join(list: Operand<readonly string[]>, separator: string): Expr<string> {
  return new Call('join', [new Value(separator), lift(list)], (sep, items) => (items as string[]).join(sep as string));
}

/**
 * A string with settings in it, as a tagged template: str`${name}-headless`. Numbers print
 * in decimal, as Go's `print` writes them.
 */
export function str(strings: TemplateStringsArray, ...parts: Operand<string | number>[]): Expr<string> {
  const operands: Expr<unknown>[] = [];
  strings.forEach((text, i) => {
    if (text !== '') operands.push(new Value(text));
    if (i < parts.length) operands.push(lift(parts[i]));
  });
  return new Call('print', operands, (...values) => values.map((v) => String(v as string | number)).join(''));
}

/**
 * An expression as the pipeline of a template action takes it (`{{- if eq $.Values.a "b" }}`):
 * a call without the parentheses it has as an operand.
 */
export function pipeline(expr: Expr<unknown>): string {
  const template = expr.template();
  return expr instanceof Call ? template.slice(1, -1) : template;
}

/**
 * The explicit rendering step: a copy of `tree` (an object synthesized from constructs) with
 * every `Expr` in it replaced by `render(expr)`. Nothing else is changed; a rendering that
 * is `undefined` leaves the field out.
 */
export function resolveTree(tree: unknown, render: (expr: Expr<unknown>) => unknown): unknown {
  if (isExpr(tree)) return render(tree);
  if (Array.isArray(tree)) return tree.map((item) => resolveTree(item, render));
  if (!isMap(tree)) return tree;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(tree)) {
    const resolved = resolveTree(item, render);
    if (resolved !== undefined) out[key] = resolved;
  }
  return out;
}

/** Go's truth (what `if`, `ternary`, `and` and `default` test): empty values are false. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isMap(value)) return Object.keys(value).length > 0;
  return true;
}

/** A literal as a Go template operand: strings quoted, lists and maps built with `list` and `dict`. */
export function goLiteral(literal: unknown): string {
  if (isExpr(literal)) return literal.template();
  if (typeof literal === 'string') return JSON.stringify(literal);
  if (typeof literal === 'number' || typeof literal === 'boolean') return String(literal);
  if (literal === null || literal === undefined) return 'nil';
  if (Array.isArray(literal)) return `(list ${literal.map(goLiteral).join(' ')})`;
  if (isMap(literal)) {
    const entries = Object.entries(literal).filter(([, item]) => item !== undefined);
    return `(dict ${entries.map(([key, item]) => `${JSON.stringify(key)} ${goLiteral(item)}`).join(' ')})`;
  }
  throw new Error(`no Go template literal for ${typeof literal}`);
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isExpr(value);
}
