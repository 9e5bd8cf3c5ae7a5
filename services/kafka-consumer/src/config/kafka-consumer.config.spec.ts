import { ConfigValidationError } from '@shoshizan/service-kit';
import { loadKafkaConsumerConfig } from './kafka-consumer.config';

const valid = { KAFKA_BROKERS: '127.0.0.1:19092', DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' };

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadKafkaConsumerConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems.map((p) => `${p.variable}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('kafka-consumer config', () => {
  it('fills defaults for local mode', () => {
    expect(loadKafkaConsumerConfig(valid)).toMatchObject({
      PORT: 3002,
      METRICS_PORT: 9462,
      GPT_API_URL: 'http://127.0.0.1:3003',
      WORKER_MAX_IN_FLIGHT: 2,
      KAFKA_SESSION_TIMEOUT_MS: 30_000,
    });
  });

  it('reads the retry delays, one a retry topic at most', () => {
    expect(loadKafkaConsumerConfig(valid).RETRY_DELAYS_MS).toEqual([5_000, 30_000, 120_000]);
    expect(loadKafkaConsumerConfig({ ...valid, RETRY_DELAYS_MS: '250, 500' }).RETRY_DELAYS_MS).toEqual([250, 500]);
    expect(loadKafkaConsumerConfig({ ...valid, RETRY_DELAYS_MS: 'none' }).RETRY_DELAYS_MS).toEqual([]);
    expect(problemsOf({ ...valid, RETRY_DELAYS_MS: '1,2,3,4' })).toEqual([expect.stringMatching(/^RETRY_DELAYS_MS: /)]);
    expect(problemsOf({ ...valid, RETRY_DELAYS_MS: '5s' })).toEqual([
      'RETRY_DELAYS_MS: entry 1: must be whole milliseconds',
    ]);
  });

  it('names every missing variable', () => {
    expect(problemsOf({})).toEqual(['KAFKA_BROKERS: is required', 'DATABASE_URL: is required']);
  });

  it.each([
    ['GPT_API_URL', 'not a url'],
    ['WORKER_MAX_IN_FLIGHT', '0'],
    ['GENERATION_IDLE_TIMEOUT_MS', 'soon'],
    ['PORT', '-3'],
    ['DATABASE_URL', 'mysql://x'],
  ])('rejects a bad %s and names it', (variable, value) => {
    const problems = problemsOf({ ...valid, [variable]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${variable}: `));
  });
});
