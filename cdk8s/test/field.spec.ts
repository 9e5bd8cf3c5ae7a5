import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { toTemplate } from '../src/chart/templates';
import { ref, str } from '../src/settings/expression';
import { markerOf, templateMarker } from '../src/settings/field';
import { Settings, setting } from '../src/settings/registry';

/** Expressions as fields of cdk8s objects: resolved by cdk8s at synthesis, one way per synth. */
const declarations = { app: { name: setting.string('chat', 'name') } };
const name = ref<string>('$', 'Values', 'app', 'name');

function configMap(s: Settings<typeof declarations>): ApiObject {
  return new ApiObject(new Chart(Testing.app(), 'c'), 'o', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'o', labels: { app: s.text(name) } },
    data: { greeting: s.text(str`hello ${name}`) },
  });
}

describe('an expression in a field of a cdk8s object', () => {
  it('is its value in a plain synth, the overrides merged', () => {
    const json = configMap(Settings.plain(declarations, { app: { name: 'ui' } })).toJson();
    expect(json).toMatchObject({ metadata: { labels: { app: 'ui' } }, data: { greeting: 'hello ui' } });
  });

  it('is a template marker in a chart synth, which the chart writer writes as a quoted template', () => {
    const settings = Settings.helm(declarations);
    const json = configMap(settings).toJson() as Record<string, unknown>;
    expect(json).toMatchObject({
      metadata: { labels: { app: templateMarker('string', '$.Values.app.name') } },
      data: { greeting: templateMarker('string', '(print "hello " $.Values.app.name)') },
    });
    const text = toTemplate([{ json, guard: {} }]);
    expect(text).toContain('    app: {{ ($.Values.app.name) | toJson }}\n');
    expect(text).toContain('  greeting: {{ (print "hello " $.Values.app.name) | toJson }}\n');
  });

  it('goes through a typed cdk8s-plus construct unchanged', () => {
    const settings = Settings.helm(declarations);
    const map = new kplus.ConfigMap(new Chart(Testing.app(), 'c'), 'm', { data: { NAME: settings.text(name) } });
    expect(ApiObject.of(map).toJson()).toMatchObject({ data: { NAME: templateMarker('string', '$.Values.app.name') } });
  });

  it('throws where a construct would use it as a plain string: a token of a chart, a setting in either synth', () => {
    const field = Settings.helm(declarations).text(name);
    expect(() => `${field}-x`).toThrow('a setting used as a primitive ($.Values.app.name)');
    const setting = Settings.plain(declarations).values.app.name;
    // The linter flags this too (a setting is no string); it is the mistake under test.
    // eslint-disable-next-line @typescript-eslint/restrict-template-expressions, @typescript-eslint/no-base-to-string
    expect(() => `${setting}-x`).toThrow('a setting used as a primitive ($.Values.app.name)');
    expect(Settings.plain(declarations).text(name)).toBe('chat');
  });
});

describe('markerOf', () => {
  it('recognises only a marker, not a map that holds one among other keys', () => {
    expect(markerOf(templateMarker('int', '$.Values.n'))).toEqual({ kind: 'int', expr: '$.Values.n' });
    expect(markerOf({ ...templateMarker('int', '$.Values.n'), other: 1 })).toBeUndefined();
    expect(markerOf('$.Values.n')).toBeUndefined();
    expect(markerOf([templateMarker('int', '$.Values.n')])).toBeUndefined();
  });
});

describe('Settings.format', () => {
  it('is the plain string in a plain synth', () => {
    const s = Settings.plain(declarations, { app: { name: 'ui' } });
    expect(s.format`http://${s.format`${s.releaseName}-${s.values.app.name}`}:${3000}`).toBe('http://shoshizan-ui:3000');
  });

  it('is one print of its text and settings in a chart, nested ones flattened, neighbouring text joined', () => {
    const s = Settings.helm(declarations);
    const url = s.format`http://${s.format`${s.releaseName}-${s.values.app.name}`}:${3000}`;
    const map = new kplus.ConfigMap(new Chart(Testing.app(), 'c'), 'm', { data: { URL: url } });
    expect(ApiObject.of(map).toJson()).toMatchObject({
      data: { URL: templateMarker('string', '(print "http://" ($.Release.Name) "-" ($.Values.app.name) ":3000")') },
    });
    expect(s.format`plain ${'text'} ${1}`).toBe('plain text 1');
  });
});

describe('a setting in a cdk8s union value and a JSON patch', () => {
  const volumeClaim = (s: Settings<typeof declarations>) =>
    new kplus.k8s.KubePersistentVolumeClaim(new Chart(Testing.app(), 'c'), 'pvc', {
      spec: { resources: { requests: { storage: s.union(s.values.app.name, (size) => kplus.k8s.Quantity.fromString(size)) } } },
    });

  it('makes a union value that resolves to the setting (a Quantity from a string setting)', () => {
    expect(volumeClaim(Settings.helm(declarations)).toJson()).toMatchObject({ spec: { resources: { requests: { storage: templateMarker('string', '$.Values.app.name') } } } });
    expect(volumeClaim(Settings.plain(declarations, { app: { name: '5Gi' } })).toJson()).toMatchObject({ spec: { resources: { requests: { storage: '5Gi' } } } });
  });

  it('renders the tokens of a value before a JSON patch takes it', () => {
    const s = Settings.helm(declarations);
    expect(s.renderedNow({ labels: { app: s.values.app.name }, n: 1 })).toEqual({ labels: { app: templateMarker('string', '$.Values.app.name') }, n: 1 });
  });

  it('refuses a string setting where a condition is expected', () => {
    const s = Settings.helm(declarations);
    expect(() => s.choose(s.values.app.name as unknown as Parameters<typeof s.choose>[0], 'a', 'b')).toThrow('not a condition: $.Values.app.name');
  });
});

describe('a whole-number setting in a chart synth', () => {
  const ints = { n: setting.int(2, 'n'), m: setting.int(3, 'm'), on: setting.bool(false, 'on') };

  it('is a field token written as an int64, printed where a string holds it', () => {
    const s = Settings.helm(ints);
    const o = new ApiObject(new Chart(Testing.app(), 'c'), 'o', {
      apiVersion: 'v1',
      kind: 'Thing',
      spec: { n: s.values.n, product: s.product(s.values.n, s.values.m), chosen: s.choose(s.values.on, s.values.n, 1), text: s.format`${s.values.n}` },
    });
    const json = o.toJson() as Record<string, unknown>;
    expect(json).toMatchObject({
      spec: {
        n: templateMarker('int', '(int64 $.Values.n)'),
        product: templateMarker('int', '(int64 (mul (int64 $.Values.n) (int64 $.Values.m)))'),
        chosen: templateMarker('int', '(int64 (ternary (int64 $.Values.n) 1 ($.Values.on)))'),
        text: templateMarker('string', '(print (int64 $.Values.n))'),
      },
    });
    expect(toTemplate([{ json, guard: {} }])).toContain('  n: {{ (int64 $.Values.n) }}\n');
  });

  it('is the number in a plain synth', () => {
    const s = Settings.plain(ints, { n: 4 });
    expect([s.int(s.values.n), s.product(s.values.n, s.values.m), s.format`${s.values.n}`, s.choose(s.values.on, 1, s.values.m)]).toEqual([4, 12, '4', 3]);
  });
});

describe('a map or list setting in a chart synth', () => {
  const maps = { extra: setting.object<Record<string, string>>({}, 'extra', { type: 'object' }), items: setting.object<string[]>([], 'items', { type: 'array' }) };

  it('is a field token written whole, and left out when empty, by a with block', () => {
    const s = Settings.helm(maps);
    const o = new ApiObject(new Chart(Testing.app(), 'c'), 'o', { apiVersion: 'v1', kind: 'ConfigMap' });
    s.set(o, '/metadata/annotations', s.merge({ fixed: 'yes' }, s.values.extra));
    s.setOptional(o, '/data', s.concat(['a'], s.values.items));
    const json = s.complete(o, o.toJson()) as Record<string, unknown>;
    expect(json).toMatchObject({
      metadata: { annotations: templateMarker('object', '(merge (dict "fixed" "yes") (deepCopy $.Values.extra))') },
      data: templateMarker('object', '(concat (list "a") $.Values.items)'),
    });
    expect(toTemplate([{ json, guard: {} }])).toContain('{{- with (concat (list "a") $.Values.items) }}\ndata:\n  {{- toYaml . | nindent 2 }}\n{{- end }}');
    expect([s.isComputed(s.values.items), s.isComputed(['a'])]).toEqual([true, false]);
  });

  it('is the value in a plain synth', () => {
    const s = Settings.plain(maps, { extra: { more: 'x' } });
    expect(s.merge({ fixed: 'yes' }, s.values.extra)).toEqual({ more: 'x', fixed: 'yes' });
    expect(s.isComputed(s.values.items)).toBe(false);
  });
});
