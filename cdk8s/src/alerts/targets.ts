import { consumerGroup } from '@shoshizan/shared-interfaces';
import type { Release } from '../constructs/context';
import type { AlertTargets } from './rules';

/**
 * The jobs and groups of one release, as the rules select them: a ServiceMonitor's job is
 * its Service's name, and the consumer groups carry the release's topic prefix. Strings hold
 * the settings registry's values, so the chart's PrometheusRule gets Helm expressions.
 */
export function alertTargets(release: Release): AlertTargets {
  const { s, v } = release;
  const text = (value: string) => s.embeddable(value);
  const prefix = text(v.kafka.topicPrefix);
  return {
    jobs: {
      gateway: text(release.name('gateway')),
      kafkaConsumer: text(release.name('kafka-consumer')),
      gptApi: text(release.name('gpt-api')),
      modelOperator: text(release.name('model-operator')),
    },
    requestGroups: [consumerGroup('chatWorkers', prefix), consumerGroup('chatRetryWorkers', prefix)],
    runbookBaseUrl: text(v.metrics.prometheusRule.runbookBaseUrl),
  };
}
