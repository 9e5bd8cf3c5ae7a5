import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { RULES_FILE, defaultRuleGroups, rulesFileYaml } from '../src/alerts/rules-file';
import { ALERTS, SLOS, isAlert, type AlertingRule, type RuleGroup } from '../src/alerts/rules';
import { Settings, type PlainOptions } from '../src/settings/registry';
import { declarations, type ShoshizanOverrides } from '../src/settings/values';
import { ShoshizanChart } from '../src/shoshizan-chart';
import { registeredMetrics } from './support/metrics';

/**
 * The alert rules (src/alerts/): promtool (Debian's prometheus package, as `npm test`
 * installs it) checks them and runs the rule tests of test/alerts/ against them; every alert
 * has a runbook; the chart's PrometheusRule holds the same rules.
 */
const ROOT = resolve(__dirname, '../..');
const TESTS_DIR = join(__dirname, 'alerts');
const RUNBOOKS_DIR = join(ROOT, 'docs/runbooks');
const ALERT_NAMES = Object.values(ALERTS).sort();

function promtool(): string {
  const result = spawnSync('bash', [join(ROOT, 'scripts/infra/prometheus.sh'), 'bin'], { encoding: 'utf8' });
  const bin = join(result.stdout.trim(), 'promtool');
  if (result.status !== 0 || !existsSync(bin)) {
    throw new Error(`promtool is missing (${bin}): run \`bash scripts/infra/prometheus.sh install\` from the repository root (npm test does)`);
  }
  return bin;
}

interface Run {
  readonly status: number | null;
  readonly output: string;
}

function run(bin: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((done) =>
    execFile(bin, args, { cwd, encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) =>
      done({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, output: `${stdout}${stderr}${error && typeof error.code !== 'number' ? error.message : ''}` }),
    ),
  );
}

const testFiles = readdirSync(TESTS_DIR).filter((f) => f.endsWith('.test.yaml')).sort();

interface RuleTestFile {
  rule_files: string[];
  tests: { name: string; alert_rule_test?: { alertname: string; exp_alerts: { exp_labels?: Record<string, string> }[] }[] }[];
}
const ruleTests = testFiles.map((f) => ({ file: f, ...(parse(readFileSync(join(TESTS_DIR, f), 'utf8')) as RuleTestFile) }));
const checks = ruleTests.flatMap((t) => t.tests.flatMap((test) => (test.alert_rule_test ?? []).map((check) => ({ file: t.file, test: test.name, ...check }))));

describe('the alert rules under promtool', () => {
  let work: string;
  let check: Run;
  const tested = new Map<string, Run>();

  // promtool runs once per file, all at once (the rule tests take seconds each).
  beforeAll(async () => {
    const bin = promtool();
    work = mkdtempSync(join(tmpdir(), 'shoshizan-alerts-'));
    writeFileSync(join(work, 'prometheus-rules.yaml'), rulesFileYaml());
    for (const f of testFiles) copyFileSync(join(TESTS_DIR, f), join(work, f));
    const runs = await Promise.all([run(bin, ['check', 'rules', 'prometheus-rules.yaml'], work), ...testFiles.map((f) => run(bin, ['test', 'rules', f], work))]);
    check = runs[0]!;
    testFiles.forEach((f, i) => tested.set(f, runs[i + 1]!));
  }, 120_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('pass promtool check rules', () => {
    expect(`${check.status}: ${check.output}`).toMatch(/^0: [\s\S]*SUCCESS: \d+ rules found/);
  });

  it.each(testFiles)('pass the rule tests of %s', (file) => {
    const { status, output } = tested.get(file)!;
    expect(`${status}: ${output}`).toMatch(/^0: [\s\S]*SUCCESS/);
  });

  it('are what charts/shoshizan/files/prometheus-rules.yaml holds (run `npm run -w @shoshizan/deploy chart`)', () => {
    const committed = readFileSync(join(ROOT, 'charts/shoshizan', RULES_FILE), 'utf8');
    expect(committed.replace(/^#.*\n/, '')).toBe(rulesFileYaml());
  });

  it('are tested against the rules file the spec writes', () => {
    for (const t of ruleTests) expect({ file: t.file, ruleFiles: t.rule_files }).toEqual({ file: t.file, ruleFiles: ['prometheus-rules.yaml'] });
  });
});

describe('the rule tests', () => {
  const alertRules = defaultRuleGroups().flatMap((g) => g.rules.filter(isAlert));

  it.each(ALERT_NAMES)('see %s fire and not fire', (alert) => {
    const mine = checks.filter((c) => c.alertname === alert);
    expect({ alert, firing: mine.some((c) => c.exp_alerts.length > 0) }).toEqual({ alert, firing: true });
    expect({ alert, quiet: mine.some((c) => c.exp_alerts.length === 0) }).toEqual({ alert, quiet: true });
  });

  it('see every alerting rule fire: each burn-rate window and each variant of an alert', () => {
    const fired = (rule: AlertingRule) =>
      checks.some((c) => c.alertname === rule.alert && c.exp_alerts.some((e) => Object.entries(rule.labels).every(([k, v]) => e.exp_labels?.[k] === v)));
    const unseen = alertRules.filter((r) => !fired(r)).map((r) => `${r.alert} ${JSON.stringify(r.labels)}`);
    expect(unseen).toEqual([]);
  });

  it('name only alerts that exist', () => {
    expect([...new Set(checks.map((c) => c.alertname))].sort()).toEqual(ALERT_NAMES);
  });
});

describe('the alerts', () => {
  const groups = defaultRuleGroups();
  const alertRules = groups.flatMap((g) => g.rules.filter(isAlert));

  it('are the ones of ALERTS, each with a severity, a summary, a description and its runbook', () => {
    expect([...new Set(alertRules.map((r) => r.alert))].sort()).toEqual(ALERT_NAMES);
    for (const rule of alertRules) {
      expect(['page', 'ticket']).toContain(rule.labels.severity);
      expect(rule.annotations.summary.length).toBeGreaterThan(10);
      expect(rule.annotations.description.length).toBeGreaterThan(20);
      expect(rule.annotations.runbook_url).toBe(`docs/runbooks/${rule.alert}.md`);
    }
  });

  it('each have a runbook in docs/runbooks, and every runbook an alert', () => {
    const runbooks = readdirSync(RUNBOOKS_DIR)
      .filter((f) => f.endsWith('.md') && f !== 'README.md')
      .map((f) => f.replace(/\.md$/, ''))
      .sort();
    expect(runbooks).toEqual(ALERT_NAMES);
  });

  it('are listed in docs/runbooks/README.md', () => {
    const index = readFileSync(join(RUNBOOKS_DIR, 'README.md'), 'utf8');
    const linked = [...index.matchAll(/\]\(\.\/(\w+)\.md\)/g)].map((m) => m[1]).sort();
    expect(linked).toEqual(ALERT_NAMES);
  });

  it('have runbooks that say what the alert means, its impact, how to diagnose and how to mitigate', () => {
    for (const alert of ALERT_NAMES) {
      const text = readFileSync(join(RUNBOOKS_DIR, `${alert}.md`), 'utf8');
      const headings = [...text.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
      expect({ alert, title: text.split('\n')[0] }).toEqual({ alert, title: `# ${alert}` });
      expect({ alert, headings }).toEqual({ alert, headings: ['Meaning', 'Impact', 'Diagnosis', 'Mitigation'] });
    }
  });

  it('query only metrics the services register, with the type the query needs', () => {
    const metrics = registeredMetrics();
    const exprs = groups.flatMap((g) => g.rules.map((r) => r.expr));
    const names = new Set<string>();
    for (const expr of exprs) {
      for (const m of expr.matchAll(/(?<![:\w])([a-z_]+)\{/g)) names.add(m[1] as string);
      for (const m of expr.matchAll(/__name__=~"([^"]+)"/g)) for (const name of (m[1] as string).split('|')) names.add(name);
    }
    names.delete('up'); // Prometheus's own, for every target.
    expect(names.size).toBeGreaterThan(10);
    for (const name of names) {
      const histogramPart = /_(bucket|sum|count)$/.exec(name);
      const base = histogramPart ? name.slice(0, histogramPart.index) : name;
      const kind = metrics.get(base) ?? metrics.get(name);
      expect({ name, kind }).toEqual({ name, kind: histogramPart ? 'Histogram' : expect.stringMatching(/Counter|Gauge/) });
    }
  });

  it('take the time to first token threshold from a bucket of the gateway histogram', () => {
    const source = readFileSync(join(ROOT, 'services/gateway/src/chat/chat.metrics.ts'), 'utf8');
    const buckets = /name: 'gateway_time_to_first_token_seconds'[\s\S]*?buckets: \[([^\]]*)\]/.exec(source)?.[1]?.split(',').map(Number);
    expect(buckets).toContain(SLOS.timeToFirstToken.thresholdSeconds);
  });
});

type PrometheusRuleObject = { kind: string; metadata: { name: string; labels: Record<string, string> }; spec: { groups: RuleGroup[] } };

function synth(overrides: ShoshizanOverrides = {}, options: PlainOptions = {}): PrometheusRuleObject[] {
  const chart = new ShoshizanChart(Testing.app(), 'shoshizan', { settings: Settings.plain(declarations, overrides, options) });
  return (Testing.synth(chart) as PrometheusRuleObject[]).filter((o) => o.kind === 'PrometheusRule');
}

describe("the chart's PrometheusRule", () => {
  it('holds the groups of the rules file, labelled for a ruleSelector', () => {
    const [rule, ...others] = synth({ metrics: { prometheusRule: { labels: { release: 'kube-prometheus-stack' } } } });
    expect(others).toEqual([]);
    expect(rule?.metadata.name).toBe('shoshizan-alerts');
    expect(rule?.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack', 'app.kubernetes.io/instance': 'shoshizan' });
    expect(rule?.spec.groups).toEqual(JSON.parse(JSON.stringify(defaultRuleGroups())));
  });

  it("follows the release's names, topic prefix and runbook URL", () => {
    const [rule] = synth({ kafka: { topicPrefix: 'blue.' }, metrics: { prometheusRule: { runbookBaseUrl: 'https://runbooks.example.com/shoshizan' } } }, { releaseName: 'blue' });
    const text = JSON.stringify(rule?.spec);
    expect(text).toContain('job=\\"blue-gateway\\"');
    expect(text).toContain('job=\\"blue-gpt-api\\"');
    expect(text).toContain('group=~\\"blue.shoshizan.chat-workers|blue.shoshizan.chat-workers.retry\\"');
    expect(text).not.toContain('shoshizan-gateway');
    expect(text).toContain('"runbook_url":"https://runbooks.example.com/shoshizan/ShoshizanRequestsQueuedNoTokens.md"');
  });

  it('is left out when metrics.prometheusRule.enabled is false (a cluster without the Prometheus Operator)', () => {
    expect(synth({ metrics: { prometheusRule: { enabled: false } } })).toEqual([]);
  });
});
