import { Expr, type Scope } from './expression';

/**
 * Expressions of the settings (./expression.ts) placed in the fields of cdk8s objects, and
 * what a chart synth leaves there for the chart writer (../chart/templates.ts).
 *
 * cdk8s resolves at synthesis every value that has a `resolve()` method (its
 * ImplicitTokenResolver, which every App has): a `FieldToken` is such a value. Settings
 * makes one for a field (`Settings.text`), typed as the field's type the way cdk8s's own
 * `Lazy.any` is, so it goes through cdk8s-plus props unchanged; it resolves to its value in a
 * plain synth and to a `TemplateMarker` in a chart synth. Used as a primitive (a template
 * literal, `+`) it throws, as every Expr does, so no construct can bake one rendering in.
 */

/** How the chart writes a field: a quoted string, a whole number, a boolean, or a whole map or list (`with`/`toYaml`). */
export type FieldKind = 'string' | 'int' | 'bool' | 'object';

/** What a chart synth writes into a field in place of its value: the template the chart computes it with. */
export interface TemplateMarker {
  readonly kind: FieldKind;
  /** A Go template operand (./expression.ts's `template()`). */
  readonly expr: string;
}

/** The one key of the plain object a marker travels in (cdk8s's sanitizer refuses class instances). */
const MARKER_KEY = 'shoshizan.template';

/** A field's expression, resolved by cdk8s at synthesis through `resolve()`. */
export class FieldToken<T> extends Expr<T> {
  constructor(
    readonly kind: FieldKind,
    readonly expr: Expr<T>,
    private readonly render: (kind: FieldKind, expr: Expr<T>) => unknown,
  ) {
    super();
  }
  evaluate(scope: Scope): T {
    return this.expr.evaluate(scope);
  }
  template(): string {
    return this.expr.template();
  }
  /** cdk8s's implicit-token hook: the value (plain synth) or the marker (chart synth). */
  resolve(): unknown {
    return this.render(this.kind, this.expr);
  }
}

/** A marker as a plain JSON value, which cdk8s's resolution, sanitizer and typed conversions pass through. */
export function templateMarker(kind: FieldKind, expr: string): Record<string, TemplateMarker> {
  return { [MARKER_KEY]: { kind, expr } };
}

/** The marker a field of synthesized JSON holds, if it holds one. */
export function markerOf(value: unknown): TemplateMarker | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== MARKER_KEY) return undefined;
  return (value as Record<string, TemplateMarker>)[MARKER_KEY];
}
