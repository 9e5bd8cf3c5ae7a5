import { ruleGroups, type AlertTargets, type Format } from '../src/alerts/rules';

/**
 * The rules build every string that holds a target with the targets' format (a chart's makes
 * Helm expressions of them): a format that marks what it was given shows a target that got
 * into a rule another way, unmarked.
 */
const marking: Format = (strings, ...parts) => strings.reduce((out, text, i) => `${out}<${String(parts[i - 1])}>${text}`);

const targets: AlertTargets = {
  jobs: { gateway: 'JOB-GW', kafkaConsumer: 'JOB-KC', gptApi: 'JOB-GPT', modelOperator: 'JOB-MO' },
  requestGroups: ['GROUP-A', 'GROUP-B'],
  runbookBaseUrl: 'RUNBOOKS',
};

describe('the alert rules and their targets', () => {
  it('build each string that holds a target with the format of the targets', () => {
    const text = JSON.stringify(ruleGroups({ ...targets, format: marking }));
    const unmarked = text.match(/(?<!<)(JOB-[A-Z]+|GROUP-[A-Z]|RUNBOOKS)/g) ?? [];
    expect(unmarked).toEqual([]);
    expect(text).toContain('<JOB-GW>');
    expect(text).toContain('<<GROUP-A>|<GROUP-B>>');
  });

  it('write plain text without a format', () => {
    const text = JSON.stringify(ruleGroups(targets));
    expect(text).toContain('job=\\"JOB-KC\\",group=~\\"GROUP-A|GROUP-B\\"');
    expect(text).not.toContain('<JOB');
  });
});
