import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topicName } from '@shoshizan/shared-interfaces';
import { ALERTS, ruleGroups } from '../../cdk8s/src/alerts/rules';
import { rulesFileYaml } from '../../cdk8s/src/alerts/rules-file';
import { alertTargets } from '../../cdk8s/src/alerts/targets';
import { Release } from '../../cdk8s/src/constructs/context';
import { Settings } from '../../cdk8s/src/settings/registry';
import { declarations } from '../../cdk8s/src/settings/values';
import { OwnPrometheus, stackTargets } from './support/prometheus';
import { Stack, collect, textOf } from './support/stack';

jest.setTimeout(300_000);

/*
 * The alert rules (cdk8s/src/alerts) on a real Prometheus scraping the real services: every
 * rule evaluates without an error against the metrics the services expose, the SLO ratios
 * hold values once chats are answered, and a request that lands in the dead-letter topic
 * fires ShoshizanDeadLettersArriving with the labels its runbook speaks of. The rule logic
 * itself, window by window, is promtool's to test (cdk8s/test/alerts.spec.ts).
 */
const stack = new Stack();
let prometheus: OwnPrometheus;
let work: string;

const groups = () => ruleGroups(alertTargets(new Release(Settings.plain(declarations, { kafka: { topicPrefix: stack.prefix } }))));

beforeAll(async () => {
  await stack.start();
  work = mkdtempSync(join(tmpdir(), 'shoshizan-alerts-e2e-'));
  // The rules of an installation whose topic prefix is this stack's, as the chart would write them.
  const rulesFile = join(work, 'prometheus-rules.yaml');
  writeFileSync(rulesFile, rulesFileYaml(groups()));
  prometheus = new OwnPrometheus(stackTargets(stack), { scrapeInterval: '1s', ruleFiles: [rulesFile] });
  await prometheus.start(`${stack.runId}-prometheus`);
  await prometheus.waitForTargets();
}, 600_000);

afterAll(async () => {
  await prometheus?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  expect(await stack.stop()).toEqual({ gateway: 0, 'kafka-consumer': 0, 'kafka-producer': 0, 'gpt-api': 0 });
}, 120_000);

interface RuleState {
  name: string;
  health: string;
  lastError?: string;
  lastEvaluation: string;
}
interface AlertState {
  labels: Record<string, string>;
  state: string;
}

async function api<T>(path: string): Promise<T> {
  const body = (await (await fetch(`${prometheus.url}${path}`)).json()) as { status: string; data: T };
  if (body.status !== 'success') throw new Error(`GET ${path}: ${JSON.stringify(body)}`);
  return body.data;
}

const rules = async () => (await api<{ groups: { rules: RuleState[] }[] }>('/api/v1/rules')).groups.flatMap((g) => g.rules);
const alerts = async () => (await api<{ alerts: AlertState[] }>('/api/v1/alerts')).alerts;

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`${what} after ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 500));
    value = await read();
  }
  return value;
}

async function answeredChat(): Promise<void> {
  const events = await collect(await stack.chat({ messages: [{ role: 'user', content: 'Say OK.' }], options: { maxTokens: 8 } }));
  expect(events.at(-1)?.type).toBe('done');
  expect(textOf(events).length).toBeGreaterThan(0);
}

describe('the alert rules on a real Prometheus', () => {
  it('evaluate, every one, without an error against the metrics the services expose', async () => {
    const expected = groups().flatMap((g) => g.rules).length;
    const evaluated = await until(
      'not every rule has been evaluated',
      rules,
      (all) => all.length === expected && all.every((r) => !r.lastEvaluation.startsWith('0001-')),
    );
    expect(evaluated.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`)).toEqual([]);
  });

  it('record each SLO ratio as a value once chats are answered: no 5xx, no error, first tokens timed', async () => {
    // A counter's series appears with its first event, which rate() cannot see: two chats, a scrape apart.
    await answeredChat();
    await new Promise((r) => setTimeout(r, 2_000));
    await answeredChat();
    const ratio = (sli: string) => prometheus.query(`namespace_job:${sli}:ratio_rate5m{namespace="local"}`);
    // NaN (0/0) until a scrape has seen the counters rise.
    const one = (samples: { value: number }[]) => samples.length === 1 && !Number.isNaN(samples[0]?.value);
    const gateway = await until('no gateway error ratio', () => ratio('shoshizan_gateway_errors'), one);
    expect(gateway).toEqual([{ metric: { __name__: 'namespace_job:shoshizan_gateway_errors:ratio_rate5m', namespace: 'local', job: 'shoshizan-gateway' }, value: 0 }]);
    const requests = await until('no request error ratio', () => ratio('shoshizan_request_errors'), one);
    expect(requests).toEqual([{ metric: { __name__: 'namespace_job:shoshizan_request_errors:ratio_rate5m', namespace: 'local', job: 'shoshizan-kafka-consumer' }, value: 0 }]);
    const [slow] = await until('no time to first token ratio', () => ratio('shoshizan_slow_first_tokens'), one);
    expect(slow?.metric.job).toBe('shoshizan-gateway');
    expect(slow?.value).toBeGreaterThanOrEqual(0);
    expect(slow?.value).toBeLessThanOrEqual(1);
    expect((await alerts()).filter((a) => a.labels.alertname?.endsWith('BudgetBurn'))).toEqual([]);
  });

  it('fire ShoshizanDeadLettersArriving when a request goes to the dead-letter topic, with its topic and code', async () => {
    expect((await alerts()).filter((a) => a.labels.alertname === ALERTS.deadLettersArriving)).toEqual([]);
    const producer = stack.kafka.producer();
    await producer.connect();
    await producer.send({ topic: topicName('requests', stack.prefix), messages: [{ key: 'poison', value: '{"version":1,"kind":"chat.request"' }] });
    await producer.disconnect();
    const firing = await until(
      `${ALERTS.deadLettersArriving} did not fire`,
      alerts,
      (all) => all.some((a) => a.labels.alertname === ALERTS.deadLettersArriving && a.state === 'firing'),
    );
    expect(firing.filter((a) => a.labels.alertname === ALERTS.deadLettersArriving)).toEqual([
      {
        labels: {
          alertname: ALERTS.deadLettersArriving,
          severity: 'ticket',
          namespace: 'local',
          job: 'shoshizan-kafka-consumer',
          topic: topicName('requests', stack.prefix),
          code: 'poison_message',
        },
        state: 'firing',
        annotations: expect.objectContaining({ runbook_url: `docs/runbooks/${ALERTS.deadLettersArriving}.md` }),
        activeAt: expect.any(String),
        value: expect.any(String),
      },
    ]);
    // Nothing else is wrong with the stack: no other alert fires.
    expect(firing.filter((a) => a.labels.alertname !== ALERTS.deadLettersArriving && a.state === 'firing')).toEqual([]);
  });
});
