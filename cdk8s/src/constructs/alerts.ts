import { Construct } from 'constructs';
import * as monitoring from '../../imports/monitoring.coreos.com';
import { ruleGroups, type Rule } from '../alerts/rules';
import { alertTargets } from '../alerts/targets';
import type { Release } from './context';

export interface AlertsProps {
  readonly release: Release;
}

/**
 * A Prometheus Operator PrometheusRule with Shoshizan's alert and recording rules
 * (alerts/rules.ts: one definition, also written as the local Prometheus's rules file), when
 * `metrics.prometheusRule.enabled`. Extra labels let a Prometheus's ruleSelector find it;
 * each alert links `<metrics.prometheusRule.runbookBaseUrl>/<AlertName>.md`.
 */
export class Alerts extends Construct {
  constructor(scope: Construct, id: string, { release }: AlertsProps) {
    super(scope, id);
    const { s, v } = release;
    s.when(v.metrics.prometheusRule.enabled, this, 'enabled', (inner) => {
      const rule = new monitoring.PrometheusRule(inner, 'prometheus-rule', {
        metadata: { name: release.name('alerts') },
        spec: {
          groups: ruleGroups(alertTargets(release)).map((group) => ({ name: group.name, rules: group.rules.map((r) => toCrdRule(r, release)) })),
        },
      });
      s.set(rule, '/metadata/labels', s.merge(release.labels('metrics'), v.metrics.prometheusRule.labels));
    });
  }
}

function toCrdRule(rule: Rule, { s }: Release): monitoring.PrometheusRuleSpecGroupsRules {
  return { ...rule, expr: s.union(rule.expr, (expr) => monitoring.PrometheusRuleSpecGroupsRulesExpr.fromString(expr)) };
}
