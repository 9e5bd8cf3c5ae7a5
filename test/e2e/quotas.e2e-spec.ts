import { randomUUID } from 'node:crypto';
import { HEADERS, generationChunkSchema, type GenerationChunk } from '@shoshizan/shared-interfaces';
import { Stack, metricSamples } from './support/stack';
import { scrape, startService, stopService, type RunningService } from './support/system';

/**
 * Rate limits and token quotas live in PostgreSQL, so they hold across gpt-api replicas:
 * two gpt-api processes on one database share them, and a redelivered request is counted
 * once.
 */
jest.setTimeout(240_000);

const stack = new Stack();
let second: RunningService;

beforeAll(async () => {
  await stack.start();
  second = await startService('gpt-api', stack.envOf('gpt-api'), `${stack.runId}-gpt-api-2`);
}, 600_000);

afterAll(async () => {
  const secondExit = await stopService(second);
  expect({ ...(await stack.stop()), 'gpt-api-2': secondExit }).toEqual({
    gateway: 0,
    'kafka-consumer': 0,
    'kafka-producer': 0,
    'gpt-api': 0,
    'gpt-api-2': 0,
  });
}, 120_000);

/** POST /v1/generate on one gpt-api process; the NDJSON chunks, or the problem. */
async function generate(
  url: string,
  body: { requestId: string; userId: string; roles?: string[] },
): Promise<{ status: number; retryAfter: string | null; chunks: GenerationChunk[]; problem?: { code: string } }> {
  const response = await fetch(`${url}/v1/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, messages: [{ role: 'user', content: 'Say OK.' }], options: { maxTokens: 4 } }),
  });
  const text = await response.text();
  if (!response.ok) {
    return { status: response.status, retryAfter: response.headers.get('retry-after'), chunks: [], problem: JSON.parse(text) };
  }
  const chunks = text
    .split('\n')
    .filter(Boolean)
    .map((line) => generationChunkSchema.parse(JSON.parse(line)));
  return { status: response.status, retryAfter: null, chunks };
}

async function tokensUsed(userId: string): Promise<number> {
  const { rows } = await stack.db.query<{ n: string }>(
    'SELECT coalesce(sum(prompt_tokens + completion_tokens), 0) AS n FROM gpt_api.usage_ledger WHERE user_id = $1',
    [userId],
  );
  return Number(rows[0]!.n);
}

describe('limits across gpt-api replicas', () => {
  it('a token quota used up on one replica refuses the next request on the other; a redelivery counts once', async () => {
    const first = stack.service('gpt-api').url;
    await stack.db.query(`INSERT INTO gpt_api.limits (scope, subject, tokens_per_day) VALUES ('user', 'quota-user', 20)`);

    const r1 = randomUUID();
    const answered = await generate(first, { requestId: r1, userId: 'quota-user' });
    expect(answered.status).toBe(200);
    expect(answered.chunks.at(-1)?.type).toBe('done');
    const used = await tokensUsed('quota-user');
    expect(used).toBeGreaterThanOrEqual(20);

    const refused = await generate(second.url, { requestId: randomUUID(), userId: 'quota-user' });
    expect(refused.status).toBe(429);
    expect(refused.problem?.code).toBe('quota_exceeded');
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);

    // The same request again (a redelivery) is let through and not counted twice.
    const again = await generate(second.url, { requestId: r1, userId: 'quota-user' });
    expect(again.status).toBe(200);
    expect(await tokensUsed('quota-user')).toBe(used);
    const { rows } = await stack.db.query('SELECT 1 FROM gpt_api.usage_ledger WHERE request_id = $1', [r1]);
    expect(rows).toHaveLength(1);

    const metrics = await scrape(second);
    expect(
      metricSamples(metrics, 'gpt_api_admission_rejections_total').find((s) => s.labels.reason === 'quota_exceeded')
        ?.value,
    ).toBe(1);
  });

  it('a per-role rate limit holds across both replicas', async () => {
    await stack.db.query(`INSERT INTO gpt_api.limits (scope, subject, requests_per_minute) VALUES ('role', 'trial', 2)`);
    const user = { userId: 'rate-user', roles: ['trial'] };
    expect((await generate(stack.service('gpt-api').url, { ...user, requestId: randomUUID() })).status).toBe(200);
    expect((await generate(second.url, { ...user, requestId: randomUUID() })).status).toBe(200);
    const third = await generate(stack.service('gpt-api').url, { ...user, requestId: randomUUID() });
    expect(third.status).toBe(429);
    expect(third.problem?.code).toBe('rate_limited');
    expect(Number(third.retryAfter)).toBeGreaterThan(0);
    // Another user with the same role has a budget of their own.
    const other = await generate(second.url, { userId: 'rate-user-2', roles: ['trial'], requestId: randomUUID() });
    expect(other.status).toBe(200);
  });

  it('a queued request of a user now over quota ends with an error event and is not dead-lettered', async () => {
    // The gateway refuses such a user up front (admission.e2e-spec.ts); this one was queued
    // before the quota ran out, so gpt-api's own check refuses it.
    const requestId = await stack.writeRequest({ userId: 'quota-user', options: { maxTokens: 4 } });
    const events = await stack.finalEventsOf(requestId);
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'quota_exceeded', retriable: false });
    const dead = (await stack.readTopic('deadLetter')).filter(
      (m) => m.headers?.[HEADERS.requestId]?.toString() === requestId,
    );
    expect(dead).toHaveLength(0);
  });
});
