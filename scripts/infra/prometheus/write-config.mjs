// Writes local mode's Prometheus configuration (see config.ts beside it) to standard output:
// the four services on their metrics ports from the environment (scripts/env.sh), every
// series labelled as the chart's ServiceMonitors label it, in the namespace `local`.
//   node write-config.mjs [--interval 15s] [--rules FILE]...
import { parseArgs } from 'node:util';
import { localTargets, prometheusConfig } from './config.ts';

const { values } = parseArgs({
  options: {
    interval: { type: 'string', default: '15s' },
    rules: { type: 'string', multiple: true, default: [] },
  },
});
process.stdout.write(prometheusConfig({ targets: localTargets(process.env), scrapeInterval: values.interval, ruleFiles: values.rules }));
