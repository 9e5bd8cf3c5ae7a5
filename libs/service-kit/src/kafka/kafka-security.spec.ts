import { ConfigValidationError } from '../config/load-config';
import { kafkaSecurity } from './kafka-security';

describe('kafkaSecurity', () => {
  it('is plain without SASL, TLS as configured', () => {
    expect(kafkaSecurity('svc', { KAFKA_SSL: false })).toEqual({ ssl: false });
    expect(kafkaSecurity('svc', { KAFKA_SSL: true })).toEqual({ ssl: true });
  });

  it('passes SCRAM credentials to kafkajs', () => {
    expect(
      kafkaSecurity('svc', { KAFKA_SSL: true, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }),
    ).toEqual({ ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } });
  });

  it('names the missing credential', () => {
    expect(() => kafkaSecurity('svc', { KAFKA_SSL: false, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' })).toThrow(ConfigValidationError);
    expect(() => kafkaSecurity('svc', { KAFKA_SSL: false, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' })).toThrow(/KAFKA_SASL_PASSWORD: is required/);
  });
});
