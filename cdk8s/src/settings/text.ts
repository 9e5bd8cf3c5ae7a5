import { Expr, isExpr, type Scope } from './expression';
import { FieldToken } from './field';

/**
 * A string with settings in it, as a chart synth builds one (`Settings.format`): literal text
 * and expressions, one after another. Nested ones are flattened and neighbouring text joined,
 * so `${name}` inside `http://${...}:3000` reads as one `(print ...)`, as the chart always
 * wrote it.
 */
export class Interpolation extends Expr<string> {
  readonly parts: readonly (string | Expr<unknown>)[];

  constructor(parts: readonly (string | Expr<unknown>)[]) {
    super();
    const flat: (string | Expr<unknown>)[] = [];
    for (const part of parts.flatMap(inner)) {
      const last = flat[flat.length - 1];
      if (typeof part === 'string' && typeof last === 'string') flat[flat.length - 1] = last + part;
      else if (part !== '') flat.push(part);
    }
    this.parts = flat;
  }

  /** Whether any part is an expression (else it is a plain string). */
  get computed(): boolean {
    return this.parts.some(isExpr);
  }

  evaluate(scope: Scope): string {
    return this.parts.map((part) => (typeof part === 'string' ? part : String(part.evaluate(scope) as string | number))).join('');
  }

  template(): string {
    const operands = this.parts.map((part) => (typeof part === 'string' ? JSON.stringify(part) : parenthesised(part.template())));
    // A lone whole number is printed, so that the field stays a string.
    if (operands.length === 1 && !(operands[0] as string).startsWith('(int64')) return operands[0] as string;
    return `(print ${operands.join(' ')})`;
  }
}

function inner(part: string | Expr<unknown>): readonly (string | Expr<unknown>)[] {
  const expr = part instanceof FieldToken ? part.expr : part;
  return expr instanceof Interpolation ? expr.parts : [part];
}

function parenthesised(template: string): string {
  return template.startsWith('(') ? template : `(${template})`;
}
