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
    const text = toTemplate(settings, [{ json, guard: {} }]);
    expect(text).toContain('    app: {{ ($.Values.app.name) | toJson }}\n');
    expect(text).toContain('  greeting: {{ (print "hello " $.Values.app.name) | toJson }}\n');
  });

  it('goes through a typed cdk8s-plus construct unchanged', () => {
    const settings = Settings.helm(declarations);
    const map = new kplus.ConfigMap(new Chart(Testing.app(), 'c'), 'm', { data: { NAME: settings.text(name) } });
    expect(map.apiObject.toJson()).toMatchObject({ data: { NAME: templateMarker('string', '$.Values.app.name') } });
  });

  it('throws where a construct would use it as a plain string', () => {
    const field = Settings.plain(declarations).text(name);
    expect(() => `${field}-x`).toThrow('a setting used as a primitive ($.Values.app.name)');
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
