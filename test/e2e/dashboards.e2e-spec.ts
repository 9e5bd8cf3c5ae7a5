import { randomUUID } from 'node:crypto';
import { topicName, type ResponseEvent } from '@shoshizan/shared-interfaces';
import { dashboardPanels, type PanelSpec } from '../../cdk8s/src/dashboards';
import { LOCAL_NAMESPACE } from '../../scripts/infra/prometheus/config';
import { isKnownUnit, readsModelOperatorMetrics } from './support/grafana-queries';
import { OwnPrometheus, stackTargets } from './support/prometheus';
import { Stack, collect, startStackWithOwnOllama } from './support/stack';
import type { OwnOllama } from './support/system';

/**
 * Every panel of the Grafana dashboards (cdk8s/src/dashboards) shows data. A short load
 * runs through the real stack (answers, a cancel, Ollama going away mid-answer so that the
 * request is retried, fails and is dead-lettered, a poison record, admission rejections at the gateway
 * and at gpt-api), a Prometheus of the test's own scrapes the services every second with
 * local mode's config (the labels of the chart's ServiceMonitors), and then each panel's
 * queries are evaluated as Grafana would over the load's window: each must return a series
 * with a value, carrying every label its legend names. Panels of metrics only a cluster has
 * (`source: 'cluster'`, KEDA's) are left to the cluster spec, and those of the model
 * operator's to model-operator.e2e-spec.ts (the operator needs a Kubernetes API).
 */
jest.setTimeout(300_000);

const panels = dashboardPanels();
const local = panels.filter((p) => p.source === 'services' && !readsModelOperatorMetrics(p));
const ofOperator = panels.filter((p) => p.source === 'services' && readsModelOperatorMetrics(p));
const clusterOnly = panels.filter((p) => p.source === 'cluster');

let ollama: OwnOllama;
let stack: Stack;
let prometheus: OwnPrometheus;
let loadStartedAt = 0;

beforeAll(async () => {
  // An Ollama of the test's own, stopped for a moment during the load (the outage).
  ({ stack, ollama } = await startStackWithOwnOllama(2));
  prometheus = new OwnPrometheus(stackTargets(stack), { scrapeInterval: '1s' });
  await prometheus.start(`${stack.runId}-prometheus`);
  await prometheus.waitForTargets();
  process.stdout.write(
    `[dashboards] ${local.length} panels proven here; ${ofOperator.length} of the model operator's metrics in model-operator.e2e-spec.ts; ` +
      `${clusterOnly.length} left to the cluster spec (${clusterOnly.map((p) => p.title).join('; ')})\n`,
  );
}, 600_000);

afterAll(async () => {
  await prometheus?.stop();
  const exitCodes = await stack?.stop();
  await ollama?.stop();
  expect(exitCodes).toEqual({ gateway: 0, 'kafka-consumer': 0, 'kafka-producer': 0, 'gpt-api': 0 });
}, 120_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const typesOf = (events: readonly ResponseEvent[]) => events.map((e) => e.type);

function chatAs(token: string, body: Record<string, unknown>): Promise<Response> {
  return stack.chat({ messages: [{ role: 'user', content: 'Say OK.' }], options: { maxTokens: 8 }, ...body }, token);
}

/** Short answers, several at once. */
async function answers(n: number): Promise<void> {
  const responses = await Promise.all(Array.from({ length: n }, () => chatAs(stack.token(), {})));
  for (const response of responses) {
    expect(response.status).toBe(200);
    expect(typesOf(await collect(response)).at(-1)).toBe('done');
  }
}

/** A long answer cancelled at its first token. */
async function cancel(): Promise<void> {
  const token = stack.token();
  const response = await chatAs(token, { messages: [{ role: 'user', content: 'Write a long story about a lighthouse.' }], options: { maxTokens: 2000, stop: [] } });
  const requestId = response.headers.get('x-chat-request-id')!;
  let sent: Promise<Response> | undefined;
  const events = await collect(response, (event) => {
    if (event.type === 'token' && !sent) {
      sent = fetch(`${stack.gateway}/v1/chat/${requestId}/cancel`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'dashboards e2e' }),
      });
    }
  });
  expect((await sent!).status).toBe(202);
  expect(events.at(-1)?.type).toBe('cancelled');
}

/**
 * Ollama goes away in the middle of an answer: the generation fails, the request is retried
 * (Ollama still gone), then ends in an error and is dead-lettered. Ollama comes back.
 */
async function outage(): Promise<void> {
  let stopped: Promise<void> | undefined;
  const response = await chatAs(stack.token(), { messages: [{ role: 'user', content: 'Write a long story about a lighthouse.' }], options: { maxTokens: 2000, stop: [] } });
  const events = await collect(response, (event) => {
    if (event.type === 'token' && !stopped) stopped = ollama.stop();
  });
  await stopped;
  expect(typesOf(events).filter((t) => t === 'retrying')).toHaveLength(2);
  expect(events.at(-1)?.type).toBe('error');
  await ollama.start(`${stack.runId}-ollama`);
  // Back when an answer is: gpt-api's catalog follows within its TTL.
  for (let i = 0; ; i++) {
    const last = (await collect(await chatAs(stack.token(), {}))).at(-1);
    if (last?.type === 'done') return;
    if (i >= 20) throw new Error(`no answer after Ollama came back: ${JSON.stringify(last)}`);
    await sleep(500);
  }
}

/** A record no worker can read: dead-lettered and counted as set aside. */
async function poison(): Promise<void> {
  const producer = stack.kafka.producer();
  await producer.connect();
  await producer.send({ topic: topicName('requests', stack.prefix), messages: [{ key: `poison-${randomUUID()}`, value: '{"version":1,"kind":"chat.request"}' }] });
  await producer.disconnect();
}

/**
 * Refusals: at the gateway a user over their daily tokens and a burst over a role's rate;
 * at gpt-api a request already queued (written to the topic, past the gateway) for a role
 * over its rate, which the worker retries (rate_limited is retriable) and dead-letters.
 */
async function rejections(round: number): Promise<void> {
  const spent = await chatAs(stack.token({}, { subject: 'spent-user' }), {});
  expect(spent.status).toBe(429);
  const burst = stack.token({ roles: ['burst'] }, { subject: `burst-user-${round}` });
  const statuses: number[] = [];
  for (let i = 0; i < 2; i++) {
    const response = await chatAs(burst, {});
    statuses.push(response.status);
    if (response.status === 200) await collect(response);
    else await response.body?.cancel();
  }
  expect(statuses).toEqual([200, 429]);
  const queued = await stack.writeRequests([
    { userId: `trial-user-${round}`, roles: ['trial'], options: { maxTokens: 4 } },
    { userId: `trial-user-${round}`, roles: ['trial'], options: { maxTokens: 4 } },
  ]);
  const final = await stack.allFinal(queued, 60_000);
  expect(queued.map((id) => final.get(id)?.at(-1)?.type).sort()).toEqual(['done', 'error']);
}

describe('the dashboards on a real Prometheus', () => {
  it('runs a load through the stack: answers, a cancel, retries, errors, dead letters and refusals', async () => {
    await stack.db.query(`INSERT INTO gpt_api.limits (scope, subject, tokens_per_day) VALUES ('user', 'spent-user', 0)`);
    await stack.db.query(`INSERT INTO gpt_api.limits (scope, subject, requests_per_minute) VALUES ('role', 'burst', 1), ('role', 'trial', 1)`);
    loadStartedAt = Date.now();
    // Twice, some seconds apart: a counter's first value is where its series starts, so a
    // rate over the window sees an event only once the series already existed.
    for (const round of [1, 2]) {
      await Promise.all([answers(4), cancel(), poison()]);
      await rejections(round);
      await outage();
      await sleep(2_000);
    }
    process.stdout.write(`[dashboards] the load took ${Math.round((Date.now() - loadStartedAt) / 1000)} s\n`);
    // Every worker answer the load made has been scraped (two intervals, to be sure).
    await sleep(2_500);
    expect(await prometheus.sum(`sum(kafka_consumer_dead_letters_total{namespace="${LOCAL_NAMESPACE}"})`)).toBeGreaterThanOrEqual(6);
  });

  it.each(local.map((p) => [`${p.dashboard} / ${p.title}`, p] as const))('%s shows data with its legend', async (_name, panel: PanelSpec) => {
    expect(loadStartedAt).toBeGreaterThan(0);
    expect({ unit: panel.unit, known: isKnownUnit(panel.unit) }).toEqual({ unit: panel.unit, known: true });
    expect(panel.queries.length).toBeGreaterThan(0);
    const context = { variables: { namespace: LOCAL_NAMESPACE }, rangeSeconds: (Date.now() - loadStartedAt) / 1000 + 5 };
    expect(await prometheus.panelProblems(panel, context)).toEqual([]);
  });
});
