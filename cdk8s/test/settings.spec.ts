import { ApiObject, Chart, Testing } from 'cdk8s';
import type { Construct } from 'constructs';
import { Settings, setting } from '../src/settings/registry';

/** The registry's own decisions, on a small declaration set (constructs.spec.ts covers the chart's). */
const declarations = {
  feature: { enabled: setting.bool(false, 'on'), mode: setting.oneOf(['a', 'b'] as const, 'a', 'mode') },
  extra: setting.object({}, 'extra', { type: 'object' }),
};

function object(scope: Construct): ApiObject {
  return new ApiObject(scope, 'o', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'o' } });
}

describe('Settings conditions in a plain synth', () => {
  it('evaluates a boolean setting and equals() against the values, overrides merged', () => {
    const s = Settings.plain(declarations, { feature: { enabled: true, mode: 'b' } });
    expect(s.choose(s.values.feature.enabled, 'on', 'off')).toBe('on');
    expect(s.choose(s.equals(s.values.feature.mode, 'a'), 'a', 'not a')).toBe('not a');
    expect(s.bool(s.values.feature.enabled)).toBe(true);
    expect(Settings.plain(declarations).bool(Settings.plain(declarations).values.feature.enabled)).toBe(false);
  });

  it('builds what when() guards only where its condition holds', () => {
    const built: string[] = [];
    const s = Settings.plain(declarations, { feature: { mode: 'b' } });
    const chart = new Chart(Testing.app(), 'c');
    s.when(s.values.feature.enabled, chart, 'off', () => built.push('enabled'));
    s.when(s.equals(s.values.feature.mode, 'b'), chart, 'on', () => built.push('mode b'));
    expect(built).toEqual(['mode b']);
  });
});

describe('Settings fields of an object', () => {
  it('adds them when the object is completed, leaving an empty optional one out', () => {
    const s = Settings.plain(declarations);
    const chart = new Chart(Testing.app(), 'c');
    const o = object(chart);
    s.set(o, '/data/always', 'x');
    s.setOptional(o, '/data/extra', s.values.extra);
    s.setOptional(o, '/data/list', ['kept']);
    expect(s.complete(o, o.toJson())).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'o' }, data: { always: 'x', list: ['kept'] } });
  });

  it('takes a field set at synthesis from what constructs decided after setting it', () => {
    const s = Settings.plain(declarations);
    const o = object(new Chart(Testing.app(), 'c'));
    const decided: { owner?: string } = {};
    s.setOptionalAtSynth(o, '/data/owner', () => decided.owner ?? null);
    expect(s.complete(o, o.toJson())).not.toHaveProperty('data');
    decided.owner = 'autoscaler';
    expect(s.complete(o, o.toJson())).toMatchObject({ data: { owner: 'autoscaler' } });
  });

  it('evaluates a condition inside a field in a plain synth, and refuses one in a chart synth', () => {
    const plain = Settings.plain(declarations, { feature: { enabled: true } });
    const o = object(new Chart(Testing.app(), 'c'));
    plain.set(o, '/data/flags', { on: plain.values.feature.enabled });
    expect(plain.complete(o, o.toJson())).toMatchObject({ data: { flags: { on: true } } });

    const helm = Settings.helm(declarations);
    const p = object(new Chart(Testing.app(), 'c'));
    helm.set(p, '/data/flags', { on: helm.values.feature.enabled });
    expect(() => helm.complete(p, p.toJson())).toThrow('/data/flags: a condition as a value ($.Values.feature.enabled)');
  });
});

describe('Settings guards in a chart synth', () => {
  it("records the `if` of nested when()s and the `range` of each() for the writer, outside the object's own fields", () => {
    const s = Settings.helm({ ...declarations, items: setting.object([{ name: 'a' }], 'items', { type: 'array' }) });
    const chart = new Chart(Testing.app(), 'c');
    let guarded: ApiObject | undefined;
    let ranged: ApiObject | undefined;
    s.when(s.values.feature.enabled, chart, 'outer', (outer) =>
      s.when(s.equals(s.values.feature.mode, 'b'), outer, 'inner', (inner) => {
        guarded = object(inner);
      }),
    );
    s.each(s.values.items, chart, 'each', (scope) => {
      ranged = object(scope);
    });
    expect(s.guardOf(guarded as ApiObject)).toEqual({ condition: 'and (eq $.Values.feature.mode "b") ($.Values.feature.enabled)', range: undefined });
    expect(s.guardOf(ranged as ApiObject)).toEqual({ condition: undefined, range: '$item := $.Values.items' });
    expect((guarded as ApiObject).toJson()).not.toHaveProperty('metadata.annotations');
  });
});
