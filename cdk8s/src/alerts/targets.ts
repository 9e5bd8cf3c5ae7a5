import { consumerGroup } from '@shoshizan/shared-interfaces';
import type { Release } from '../constructs/context';
import type { AlertTargets } from './rules';

/**
 * The jobs and groups of one release, as the rules select them: a ServiceMonitor's job is
 * its Service's name, and the consumer groups carry the release's topic prefix. The rules'
 * strings are built with the registry's `format`, so the chart's PrometheusRule gets Helm
 * expressions.
 */
export function alertTargets(release: Release): AlertTargets {
  const { s, v } = release;
  // consumerGroup(key, prefix) with the prefix a setting: the prefix, then the group's name.
  const group = (key: Parameters<typeof consumerGroup>[0]) => s.format`${v.kafka.topicPrefix}${consumerGroup(key)}`;
  return {
    jobs: {
      gateway: release.name('gateway'),
      kafkaConsumer: release.name('kafka-consumer'),
      gptApi: release.name('gpt-api'),
      modelOperator: release.name('model-operator'),
    },
    requestGroups: [group('chatWorkers'), group('chatRetryWorkers')],
    runbookBaseUrl: s.text(v.metrics.prometheusRule.runbookBaseUrl),
    format: (strings, ...parts) => s.format(strings, ...parts),
  };
}
