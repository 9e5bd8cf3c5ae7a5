/**
 * Not run: type-checked by expression.spec.ts, which fails if any line below compiles
 * without the error its @ts-expect-error announces (TS2578, an unused directive). Each line
 * is a way a construct could decide in TypeScript what the chart must decide in Helm.
 */
import { cond, eq, ref, str, type Expr } from '../../src/settings/expression';
import { Settings, setting } from '../../src/settings/registry';

declare const replicas: Expr<number>;
declare const mode: Expr<string>;
declare const enabled: Expr<boolean>;

// @ts-expect-error comparing a setting with a literal: use eq()
export const compared = mode === 'external';
// @ts-expect-error arithmetic on a setting: use product()
export const doubled = replicas * 2;
// @ts-expect-error ordering a setting
export const many = replicas > 3;
// @ts-expect-error a setting where a plain string is expected
export const name: string = mode;
// @ts-expect-error a setting where a plain boolean is expected
export const on: boolean = enabled;
// @ts-expect-error a string setting where a number setting is expected
export const wrongType: Expr<number> = mode;
// @ts-expect-error a condition must be a boolean expression
export const notACondition = cond(mode, 'a', 'b');
// @ts-expect-error eq() compares values of one type
export const mixed = eq(mode, 3);

// What a construct writes instead.
export const decided: Expr<string> = cond(eq(mode, 'external'), str`${mode}-x`, ref<string>('$', 'Values', 'kafka', 'bootstrapServers'));

// What constructs read from the registry: a boolean setting is a condition, in both synths.
const settings = Settings.plain({ ui: { enabled: setting.bool(true, 'on'), name: setting.string('ui', 'name') } });
// @ts-expect-error a boolean setting compared in TypeScript: the chart could not follow
export const uiOn = settings.values.ui.enabled === true;
// @ts-expect-error a boolean setting where a plain boolean is expected
export const uiFlag: boolean = settings.values.ui.enabled;
// @ts-expect-error a string setting compared in TypeScript: use equals()
export const isUi = settings.values.ui.name === 'ui';
// @ts-expect-error a string setting where a plain string is expected: a field takes settings.text(...)
export const uiName: string = settings.values.ui.name;
// @ts-expect-error a string setting is no condition: use equals()
export const byName = settings.choose(settings.values.ui.name, 'a', 'b');
export const chosen: string = settings.choose(settings.values.ui.enabled, 'a', settings.values.ui.name);
// Not a type error, as TypeScript lets any object be tested for truth (always true here, and
// the chart could not follow the branch): eslint.config.mjs's strict-boolean-expressions for cdk8s refuses it.
// eslint-disable-next-line @typescript-eslint/strict-boolean-expressions -- the lint error that catches it (an unused directive would fail the lint)
export const truthTested = settings.values.ui.enabled ? 'a' : 'b';
