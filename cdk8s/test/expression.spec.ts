import { join as joinPath } from 'node:path';
import ts from 'typescript';
import { and, cond, eq, fallback, goLiteral, not, product, ref, resolveTree, str, truthy, value, join, type Expr, type Scope } from '../src/settings/expression';

const scope: Scope = {
  $: {
    Values: { kafka: { mode: 'strimzi', bootstrapServers: '', tls: true }, ollama: { numParallel: 4, replicas: 3 }, models: ['a', 'b'] },
    Release: { Name: 'prod' },
  },
};
const mode = ref<string>('$', 'Values', 'kafka', 'mode');
const tls = ref<boolean>('$', 'Values', 'kafka', 'tls');
const servers = ref<string>('$', 'Values', 'kafka', 'bootstrapServers');

/** Each node kind: its value for `scope`, and its Go template. */
const cases: { name: string; expr: Expr<unknown>; value: unknown; template: string }[] = [
  { name: 'a literal string', expr: value('a "b"'), value: 'a "b"', template: '"a \\"b\\""' },
  { name: 'a literal map', expr: value({ n: 1, l: ['x'], z: null }), value: { n: 1, l: ['x'], z: null }, template: '(dict "n" 1 "l" (list "x") "z" nil)' },
  { name: 'a literal holding an expression', expr: value({ name: mode }), value: { name: 'strimzi' }, template: '(dict "name" $.Values.kafka.mode)' },
  { name: 'a reference', expr: mode, value: 'strimzi', template: '$.Values.kafka.mode' },
  { name: 'a reference to a missing value', expr: ref('$', 'Values', 'nothing', 'here'), value: undefined, template: '$.Values.nothing.here' },
  { name: 'a condition that holds', expr: cond(tls, '9093', '9092'), value: '9093', template: '(ternary "9093" "9092" $.Values.kafka.tls)' },
  { name: 'a condition that does not', expr: cond(not(tls), '9093', '9092'), value: '9092', template: '(ternary "9093" "9092" (not $.Values.kafka.tls))' },
  { name: 'an equality', expr: eq(mode, 'strimzi'), value: true, template: '(eq $.Values.kafka.mode "strimzi")' },
  { name: 'an inequality', expr: eq(mode, 'external'), value: false, template: '(eq $.Values.kafka.mode "external")' },
  { name: 'a conjunction', expr: and(tls, eq(mode, 'external')), value: false, template: '(and $.Values.kafka.tls (eq $.Values.kafka.mode "external"))' },
  { name: 'a default over an empty value', expr: fallback(servers, 'kafka:9092'), value: 'kafka:9092', template: '(default "kafka:9092" $.Values.kafka.bootstrapServers)' },
  { name: 'a default over a set value', expr: fallback(mode, 'bundled'), value: 'strimzi', template: '(default "bundled" $.Values.kafka.mode)' },
  {
    name: 'a product',
    expr: product(ref('$', 'Values', 'ollama', 'numParallel'), ref('$', 'Values', 'ollama', 'replicas')),
    value: 12,
    template: '(mul $.Values.ollama.numParallel $.Values.ollama.replicas)',
  },
  { name: 'a joined list', expr: join(ref('$', 'Values', 'models'), ', '), value: 'a, b', template: '(join ", " $.Values.models)' },
  {
    name: 'a string with settings in it',
    expr: str`${ref('$', 'Release', 'Name')}-kafka:${cond(tls, 9093, 9092)}`,
    value: 'prod-kafka:9093',
    template: '(print $.Release.Name "-kafka:" (ternary 9093 9092 $.Values.kafka.tls))',
  },
];

describe('settings expressions', () => {
  it.each(cases)('renders $name to its value', ({ expr, value: expected }) => {
    expect(expr.evaluate(scope)).toEqual(expected);
  });

  it.each(cases)('renders $name to a Go template', ({ expr, template }) => {
    expect(expr.template()).toBe(template);
  });

  it('evaluates only the branch a condition takes in a plain synth', () => {
    const missing = ref<string>('$item', 'name');
    expect(cond(tls, 'on', missing).evaluate(scope)).toBe('on');
    expect(() => cond(not(tls), 'on', missing).evaluate(scope)).toThrow('no $item in scope');
  });

  it('reads a range variable from the scope', () => {
    expect(ref<string>('$item', 'name').evaluate({ ...scope, $item: { name: 'gemma3' } })).toBe('gemma3');
  });

  it('refuses a path Go templates cannot read as fields', () => {
    expect(() => ref('$', 'Values', 'nvidia.com/gpu')).toThrow('"nvidia.com/gpu" is not a template field name');
  });

  it('throws when used as a string or a number, rather than freezing one rendering', () => {
    // The linter flags these too (no-base-to-string); they are the mistakes under test.
    // eslint-disable-next-line @typescript-eslint/no-base-to-string, @typescript-eslint/restrict-template-expressions
    expect(() => `${mode}-x`).toThrow('a setting used as a primitive ($.Values.kafka.mode)');
    // eslint-disable-next-line @typescript-eslint/no-base-to-string
    expect(() => String(mode)).toThrow(TypeError);
    expect(() => Number(product(2, 3))).toThrow(TypeError);
  });

  it('replaces every expression in a synthesized tree in one walk, leaving the rest as it was', () => {
    const tree = { kind: 'Service', spec: { ports: [{ port: cond(tls, 9093, 9092), name: 'kafka' }], gone: value(undefined) }, n: null };
    expect(resolveTree(tree, (e) => e.evaluate(scope))).toEqual({ kind: 'Service', spec: { ports: [{ port: 9093, name: 'kafka' }] }, n: null });
    expect(resolveTree(tree, (e) => `{{ ${e.template()} }}`)).toEqual({
      kind: 'Service',
      spec: { ports: [{ port: '{{ (ternary 9093 9092 $.Values.kafka.tls) }}', name: 'kafka' }], gone: '{{ nil }}' },
      n: null,
    });
  });

  it.each([
    ['', false],
    [0, false],
    [false, false],
    [null, false],
    [[], false],
    [{}, false],
    ['0', true],
    [1, true],
    [[0], true],
    [{ a: null }, true],
  ])("takes %j as Go's truth does: %s", (input, expected) => {
    expect(truthy(input)).toBe(expected);
  });

  it('writes literals as Go template operands', () => {
    expect(goLiteral({ a: [1, true, 'x'], skipped: undefined })).toBe('(dict "a" (list 1 true "x"))');
    expect(() => goLiteral(() => 1)).toThrow('no Go template literal for function');
  });
});

describe('branching on a setting in TypeScript', () => {
  it('does not compile: each way in types/branching-on-settings.ts is a type error', () => {
    const file = joinPath(__dirname, 'types', 'branching-on-settings.ts');
    // The options cdk8s/src is compiled with (tsconfig.jest.json transpiles without a type check).
    const config = ts.getParsedCommandLineOfConfigFile(joinPath(__dirname, '..', 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, ' '));
    } });
    if (!config) throw new Error('cdk8s/tsconfig.json could not be read');
    const program = ts.createProgram([file], { ...config.options, noEmit: true, composite: false, incremental: false, declaration: false });
    const messages = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file ? `${d.file.fileName.split('/').pop()}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : ''} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    // An unused @ts-expect-error is itself an error: a line that compiled would be listed here.
    expect(messages).toEqual([]);
  });
});
