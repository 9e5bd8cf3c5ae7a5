import { ReadinessReport, dependenciesInReadyAnswer, type ReadinessCheck } from './readiness';

const check = (name: string, outcome: 'up' | 'down' | 'hangs'): ReadinessCheck => ({
  name,
  check: () => (outcome === 'up' ? Promise.resolve() : outcome === 'down' ? Promise.reject(new Error(`${name} is gone`)) : new Promise(() => undefined)),
});

describe('ReadinessReport', () => {
  it('reports every check in the order of the list, with why a dependency is down', async () => {
    const report = new ReadinessReport([check('postgres', 'up'), check('kafka', 'down'), check('gpt-api', 'up')]);
    await expect(report.run()).resolves.toEqual([
      { name: 'postgres', state: 'up' },
      { name: 'kafka', state: 'down', message: 'kafka is gone' },
      { name: 'gpt-api', state: 'up' },
    ]);
  });

  it('takes a check that does not answer in time for down, without waiting on it', async () => {
    const report = new ReadinessReport([check('hung', 'hangs'), check('fine', 'up')]);
    await expect(report.run(20)).resolves.toEqual([
      { name: 'hung', state: 'down', message: 'hung did not answer within 20 ms' },
      { name: 'fine', state: 'up' },
    ]);
  });
});

describe('dependenciesInReadyAnswer', () => {
  it("reads each dependency's state from another service's /health/ready answer", () => {
    const answer = { status: 'error', info: {}, error: {}, details: { postgres: { status: 'up' }, ollama: { status: 'down', message: 'fetch failed' } } };
    expect(dependenciesInReadyAnswer(answer)).toEqual([
      { name: 'postgres', state: 'up' },
      { name: 'ollama', state: 'down', message: 'fetch failed' },
    ]);
  });

  it.each([
    ['nothing', undefined],
    ["a proxy's page", '<html>Bad Gateway</html>'],
    ['an answer without details', { status: 'ok' }],
  ])('finds none in %s', (_label, body) => {
    expect(dependenciesInReadyAnswer(body)).toEqual([]);
  });
});
