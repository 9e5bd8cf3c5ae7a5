import { stringify } from 'yaml';
import { Release } from '../constructs/context';
import { Settings } from '../settings/registry';
import { declarations } from '../settings/values';
import { ruleGroups, type RuleGroup } from './rules';
import { alertTargets } from './targets';

/** Where the chart writer puts the plain rules file, inside the chart. */
export const RULES_FILE = 'files/prometheus-rules.yaml';

/** The rule groups of an installation with the default settings (release `shoshizan`), as the local Prometheus scrapes it. */
export function defaultRuleGroups(): RuleGroup[] {
  return ruleGroups(alertTargets(new Release(Settings.plain(declarations))));
}

/**
 * A Prometheus rules file (`rule_files:`) with the same groups as the chart's PrometheusRule,
 * for the default settings: what the local mode's Prometheus loads and promtool tests.
 */
export function rulesFileYaml(groups: readonly RuleGroup[] = defaultRuleGroups()): string {
  return stringify({ groups }, { lineWidth: 0 });
}
