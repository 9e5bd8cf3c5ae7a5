import { consumerGroup } from '@shoshizan/shared-interfaces';
import type { Release } from '../constructs/context';
import type { AlertTargets } from './rules';

/**
 * The jobs and groups of one release, as the rules select them: a ServiceMonitor's job is
 * its Service's name, and the consumer groups carry the release's topic prefix. Strings hold
 * the settings registry's values, so the chart's PrometheusRule gets Helm expressions.
 */
export function alertTargets(release: Release): AlertTargets {
  const { v } = release;
  return {
    jobs: {
      gateway: release.name('gateway'),
      kafkaConsumer: release.name('kafka-consumer'),
      gptApi: release.name('gpt-api'),
      modelOperator: release.name('model-operator'),
    },
    requestGroups: [consumerGroup('chatWorkers', v.kafka.topicPrefix), consumerGroup('chatRetryWorkers', v.kafka.topicPrefix)],
    runbookBaseUrl: v.metrics.prometheusRule.runbookBaseUrl,
  };
}
