import { HEADERS } from '@shoshizan/shared-interfaces';
import { Stack, collect } from './support/stack';
import { scrape, startService, stopService, type RunningService } from './support/system';

/**
 * Admission at the gateway: over a user's rate or quota, 429 with Retry-After before
 * anything is enqueued, holding across two gateway processes.
 */
jest.setTimeout(240_000);

const stack = new Stack();
let second: RunningService;

beforeAll(async () => {
  await stack.start();
  second = await startService('gateway', stack.envOf('gateway'), `${stack.runId}-gateway-2`);
}, 600_000);

afterAll(async () => {
  const secondExit = await stopService(second);
  expect({ ...(await stack.stop()), 'gateway-2': secondExit }).toEqual({
    gateway: 0,
    'kafka-consumer': 0,
    'kafka-producer': 0,
    'gpt-api': 0,
    'gateway-2': 0,
  });
}, 120_000);

function chatAt(gateway: string, token: string): Promise<Response> {
  return fetch(`${gateway}/v1/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'Say OK.' }], options: { maxTokens: 1 } }),
  });
}

describe('admission at the gateway', () => {
  it('a burst over the per-minute rate gets 429 with Retry-After, counted across both gateways', async () => {
    await stack.db.query(`INSERT INTO gpt_api.limits (scope, subject, requests_per_minute) VALUES ('role', 'burst', 3)`);
    const token = stack.token({ roles: ['burst'] }, { subject: 'burst-user' });
    const gateways = [stack.gateway, second.url];
    const responses = await Promise.all(Array.from({ length: 6 }, (_, i) => chatAt(gateways[i % 2]!, token)));
    const accepted = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status === 429);
    expect(accepted).toHaveLength(3);
    expect(refused).toHaveLength(3);
    for (const response of refused) {
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await response.json()) as { code: string }).code).toBe('rate_limited');
    }
    for (const response of accepted) expect((await collect(response)).at(-1)?.type).toBe('done');
    // Only the accepted ones reached Kafka.
    const mine = (await stack.readTopic('requests')).filter((m) =>
      JSON.parse(m.value!.toString()).userId === 'burst-user',
    );
    expect(mine).toHaveLength(3);
    expect(mine.every((m) => m.headers?.[HEADERS.requestId])).toBe(true);
  });

  it('a user whose daily token quota is used up gets 429 before anything is enqueued', async () => {
    await stack.db.query(`INSERT INTO gpt_api.limits (scope, subject, tokens_per_day) VALUES ('user', 'spent-user', 0)`);
    const before = await stack.requestsTopicSize();
    const response = await chatAt(second.url, stack.token({}, { subject: 'spent-user' }));
    expect(response.status).toBe(429);
    expect(((await response.json()) as { code: string }).code).toBe('quota_exceeded');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await stack.requestsTopicSize()).toBe(before);
    const metrics = await scrape(second);
    expect(metrics).toMatch(/gateway_admission_rejections_total\{reason="quota_exceeded",service="gateway"\} 1/);
  });
});
