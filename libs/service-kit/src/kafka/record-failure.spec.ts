import { ErrorCode } from '@shoshizan/shared-interfaces';
import { DomainException } from '../errors/domain.exception';
import { afterRecordFailure, isTransientError } from './record-failure';

function pgError(code: string, message = 'pg'): Error {
  return Object.assign(new Error(message), { code });
}

describe('isTransientError', () => {
  it.each([
    ['Kafka refusing a produce', new DomainException(ErrorCode.QueueUnavailable, 'down')],
    ['PostgreSQL refusing connections', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a reset connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['admin shutdown (57P01)', pgError('57P01')],
    ['cannot connect now (57P03)', pgError('57P03')],
    ['a connection failure (08006)', pgError('08006')],
    ['too many connections (53300)', pgError('53300')],
    ['a serialization failure (40001)', pgError('40001')],
    ['a deadlock (40P01)', pgError('40P01')],
    ['the pool timing out', new Error('timeout exceeded when trying to connect')],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['a retriable kafkajs error', Object.assign(new Error('leader not available'), { name: 'KafkaJSProtocolError', retriable: true })],
  ])('%s is transient', (_what, error) => {
    expect(isTransientError(error)).toBe(true);
  });

  it.each([
    ['NUL in json (22P05)', pgError('22P05', 'unsupported Unicode escape sequence')],
    ['bad UTF-8 (22021)', pgError('22021')],
    ['a unique violation (23505)', pgError('23505')],
    ['an undefined column (42703)', pgError('42703')],
    ['a programming error', new TypeError("Cannot read properties of undefined (reading 'seq')")],
    ['a domain error other than the queue', new DomainException(ErrorCode.ValidationFailed, 'bad')],
    ['a kafkajs error that is not retriable', Object.assign(new Error('message too large'), { name: 'KafkaJSProtocolError', retriable: false })],
    ['a string', 'boom'],
    ['null', null],
  ])('%s is not', (_what, error) => {
    expect(isTransientError(error)).toBe(false);
  });
});

describe('afterRecordFailure', () => {
  const poison = pgError('22P05');
  const outage = pgError('57P01');

  it('hands an outage back to the consumer loop however often it happened', () => {
    expect(afterRecordFailure(outage, 1, 3)).toBe('rethrow');
    expect(afterRecordFailure(outage, 100, 3)).toBe('rethrow');
  });

  it('tries a failing record again, then sets it aside on the last try', () => {
    expect(afterRecordFailure(poison, 1, 3)).toBe('retry');
    expect(afterRecordFailure(poison, 2, 3)).toBe('retry');
    expect(afterRecordFailure(poison, 3, 3)).toBe('set_aside');
  });

  it('sets aside at once when one try is all it gets', () => {
    expect(afterRecordFailure(poison, 1, 1)).toBe('set_aside');
  });
});
