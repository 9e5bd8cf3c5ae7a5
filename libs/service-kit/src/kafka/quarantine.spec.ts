import type { KafkaMessage } from 'kafkajs';
import type { PinoLogger } from 'nestjs-pino';
import { Registry } from 'prom-client';
import { ErrorCode, HEADERS } from '@shoshizan/shared-interfaces';
import { DomainException } from '../errors/domain.exception';
import type { KafkaPublisher, OutgoingMessage } from './kafka-publisher';
import { Quarantine, type ConsumedRecord } from './quarantine';

// The decisions are in record-failure.spec.ts; this is the loop around them, with a stand-in
// publisher that records what would go to Kafka.
function setUp(sendFails = false) {
  const sent: { key: string; messages: readonly OutgoingMessage[] }[] = [];
  const publisher = {
    send: async (key: string, messages: readonly OutgoingMessage[]) => {
      if (sendFails) throw new DomainException(ErrorCode.QueueUnavailable, 'Kafka is down');
      sent.push({ key, messages });
      return [];
    },
  } as unknown as KafkaPublisher;
  const logged: string[] = [];
  const logger = {
    setContext: () => undefined,
    debug: () => undefined,
    error: (_fields: unknown, message: string) => logged.push(message),
  } as unknown as PinoLogger;
  const registry = new Registry();
  return { quarantine: new Quarantine(publisher, registry, logger), sent, logged, registry };
}

const record: ConsumedRecord = {
  topic: 'shoshizan.chat.responses.v1',
  partition: 2,
  message: { key: Buffer.from('k'), value: Buffer.from('{"x":1}'), offset: '41', headers: {}, timestamp: '0' } as unknown as KafkaMessage,
};

async function counted(registry: Registry): Promise<number> {
  const metric = await registry.getSingleMetric('kafka_records_quarantined_total')?.get();
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

describe('Quarantine.guard', () => {
  it('runs the work once when it succeeds', async () => {
    const { quarantine, sent } = setUp();
    let runs = 0;
    expect(await quarantine.guard(record, 'test', async () => void runs++)).toBe(true);
    expect(runs).toBe(1);
    expect(sent).toEqual([]);
  });

  it('tries a record that fails for its own sake three times, then sets it aside once with the reason', async () => {
    const { quarantine, sent, logged, registry } = setUp();
    let runs = 0;
    const kept = await quarantine.guard(record, 'gateway.responses@a', async () => {
      runs++;
      throw Object.assign(new Error('value "2147483648" is out of range for type integer'), { code: '22003' });
    });
    expect(kept).toBe(false);
    expect(runs).toBe(3);
    expect(sent).toHaveLength(1);
    const [message] = sent[0]!.messages;
    expect(sent[0]!.key).toBe('quarantine');
    expect(message!.key).toBe('shoshizan.chat.responses.v1/2/41');
    expect(message!.value.toString()).toBe('{"x":1}');
    expect(message!.headers).toMatchObject({
      [HEADERS.quarantineErrorCode]: 'internal',
      [HEADERS.quarantineConsumer]: 'gateway.responses@a',
      [HEADERS.quarantineSourceOffset]: '41',
      [HEADERS.quarantineTries]: '3',
      [HEADERS.quarantineReason]: 'Error: value "2147483648" is out of range for type integer',
    });
    expect(logged).toEqual(['Set a record aside in the quarantine topic']);
    expect(await counted(registry)).toBe(1);
  });

  it('succeeds on a later try without setting anything aside', async () => {
    const { quarantine, sent } = setUp();
    let runs = 0;
    const kept = await quarantine.guard(record, 'test', async () => {
      if (++runs < 2) throw new TypeError('flaky');
    });
    expect(kept).toBe(true);
    expect(sent).toEqual([]);
  });

  it('hands an outage straight back to the consumer loop, setting nothing aside', async () => {
    const { quarantine, sent } = setUp();
    const outage = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    await expect(quarantine.guard(record, 'test', () => Promise.reject(outage))).rejects.toBe(outage);
    expect(sent).toEqual([]);
  });

  it('rethrows what the caller passes through untouched', async () => {
    const { quarantine, sent } = setUp();
    class HandedBack extends Error {}
    const error = new HandedBack('shutdown');
    await expect(
      quarantine.guard(record, 'test', () => Promise.reject(error), { passThrough: (e) => e instanceof HandedBack }),
    ).rejects.toBe(error);
    expect(sent).toEqual([]);
  });

  it('uses the caller’s own place for a record it gives up on (requests: the dead-letter topic)', async () => {
    const { quarantine, sent } = setUp();
    const given: number[] = [];
    const kept = await quarantine.guard(record, 'test', () => Promise.reject(new Error('bad')), {
      maxTries: 2,
      setAside: async (_error, tries) => void given.push(tries),
    });
    expect(kept).toBe(false);
    expect(given).toEqual([2]);
    expect(sent).toEqual([]);
  });

  it('does not move on when the record cannot be set aside: it throws, so the offset stays', async () => {
    const { quarantine } = setUp(true);
    await expect(quarantine.guard(record, 'test', () => Promise.reject(new Error('bad')), { maxTries: 1 })).rejects.toThrow(
      'Kafka is down',
    );
  });
});
