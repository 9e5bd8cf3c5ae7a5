import { ConfigValidationError } from '@shoshizan/service-kit';
import { loadKafkaProducerConfig } from './kafka-producer.config';

const valid = { KAFKA_BROKERS: '127.0.0.1:19092' };

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadKafkaProducerConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems.map((p) => `${p.variable}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('kafka-producer config', () => {
  it('fills defaults for local mode', () => {
    const config = loadKafkaProducerConfig(valid);
    expect(config).toMatchObject({
      PORT: 3001,
      METRICS_PORT: 9461,
      KAFKA_BROKERS: ['127.0.0.1:19092'],
      KAFKA_TOPIC_PREFIX: '',
      KAFKA_ENSURE_TOPICS: true,
    });
  });

  it('splits a broker list', () => {
    expect(loadKafkaProducerConfig({ KAFKA_BROKERS: 'a:9092, b:9093' }).KAFKA_BROKERS).toEqual(['a:9092', 'b:9093']);
  });

  it('names a missing KAFKA_BROKERS', () => {
    expect(problemsOf({})).toEqual(['KAFKA_BROKERS: is required']);
  });

  it.each([
    ['KAFKA_BROKERS', 'no-port', /each broker must be host:port/],
    ['KAFKA_TOPIC_PREFIX', 'has space', /may hold only/],
    ['KAFKA_ENSURE_TOPICS', 'maybe', /must be true or false/],
    ['KAFKA_PRODUCE_TIMEOUT_MS', '-1', /KAFKA_PRODUCE_TIMEOUT_MS/],
  ])('rejects a bad %s and names it', (variable, value, message) => {
    const problems = problemsOf({ ...valid, [variable]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${variable}: `));
    expect(problems[0]).toMatch(message);
  });
});
