import { messageTime } from './partition-reader';

describe('messageTime', () => {
  it('reads a Kafka timestamp (ms since the epoch) as ISO', () => {
    expect(messageTime({ timestamp: '1764525600000' })).toBe('2025-11-30T18:00:00.000Z');
  });

  it.each([['9223372036854775807'], ['-9223372036854775808'], ['not a number'], ['']])(
    'reads %p, which Date cannot hold, as the epoch instead of throwing',
    (timestamp) => {
      expect(messageTime({ timestamp })).toBe('1970-01-01T00:00:00.000Z');
    },
  );
});
