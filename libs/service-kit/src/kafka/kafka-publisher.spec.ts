import type { Kafka, ProducerBatch, RecordMetadata } from 'kafkajs';
import { KafkaPublisher, partitionForKey } from './kafka-publisher';

/** A producer whose sendBatch calls finish when the test says so, each partition's batch at `baseOffset` 100. */
function fakeKafka() {
  const batches: { batch: ProducerBatch; done: () => void; fail: (e: Error) => void }[] = [];
  const kafka = {
    producer: () => ({
      sendBatch: (batch: ProducerBatch) =>
        new Promise<RecordMetadata[]>((resolve, reject) =>
          batches.push({
            batch,
            done: () => {
              const partitions = new Set(batch.topicMessages!.flatMap((t) => t.messages.map((m) => `${t.topic}|${m.partition}`)));
              resolve([...partitions].map((p) => {
                const [topicName = '', partition = '0'] = p.split('|');
                return { topicName, partition: Number(partition), errorCode: 0, baseOffset: '100', logAppendTime: '1700000000000' };
              }));
            },
            fail: reject,
          }),
        ),
    }),
  } as unknown as Kafka;
  const keys = (i: number) => batches[i]!.batch.topicMessages!.flatMap((t) => t.messages.map((m) => `${t.topic}:${String(m.key)}`));
  return { kafka, batches, keys };
}

const message = (key: string) => ({ key, value: Buffer.from(key) });
const flush = () => new Promise((resolve) => setImmediate(resolve));
const RESPONSES = 'p.shoshizan.chat.responses.v1';

describe('KafkaPublisher.sendTogether', () => {
  it('sends at once when nothing is in flight, and what arrives meanwhile in one next produce, in order', async () => {
    const { kafka, batches, keys } = fakeKafka();
    const publisher = new KafkaPublisher(kafka, { topicPrefix: 'p.' } as never);
    const first = publisher.sendTogether('responses', [message('a1')]);
    await flush();
    expect(batches).toHaveLength(1);
    const second = publisher.sendTogether('responses', [message('b1'), message('b2')]);
    const third = publisher.sendTogether('cancellations', [message('c1')]);
    await flush();
    expect(batches).toHaveLength(1); // one produce in flight at a time
    batches[0]!.done();
    await first;
    await flush();
    expect(batches).toHaveLength(2);
    expect(keys(1)).toEqual([`${RESPONSES}:b1`, `${RESPONSES}:b2`, 'p.shoshizan.chat.cancellations.v1:c1']);
    batches[1]!.done();
    await expect(Promise.all([second, third])).resolves.toHaveLength(2);
  });

  it('puts each message on its key\'s partition and tells each caller its own offsets', async () => {
    const { kafka, batches } = fakeKafka();
    const publisher = new KafkaPublisher(kafka, { topicPrefix: 'p.' } as never);
    // Two keys on one partition, one on another (the responses topic's declared count).
    const partitions = 6;
    const key = 'k0';
    let same = 'k1';
    while (partitionForKey(RESPONSES, same, partitions) !== partitionForKey(RESPONSES, key, partitions)) same += 'x';
    let other = 'k2';
    while (partitionForKey(RESPONSES, other, partitions) === partitionForKey(RESPONSES, key, partitions)) other += 'y';
    const blocker = publisher.sendTogether('responses', [message('first')]);
    await flush();
    const a = publisher.sendTogether('responses', [message(key), message(other)]);
    const b = publisher.sendTogether('responses', [message(same)]);
    batches[0]!.done();
    await blocker;
    await flush();
    batches[1]!.done();
    const [[ak, ao], [bs]] = await Promise.all([a, b]);
    expect(ak).toMatchObject({ partition: partitionForKey(RESPONSES, key, partitions), baseOffset: '100', logAppendTime: '1700000000000' });
    expect(ao).toMatchObject({ partition: partitionForKey(RESPONSES, other, partitions), baseOffset: '100' });
    expect(bs).toMatchObject({ partition: ak!.partition, baseOffset: '101' });
  });

  it('fails every caller of a failed produce with QueueUnavailable, and goes on with the next', async () => {
    const { kafka, batches } = fakeKafka();
    const publisher = new KafkaPublisher(kafka, { topicPrefix: '' } as never);
    const first = publisher.sendTogether('responses', [message('a')]);
    await flush();
    const second = publisher.sendTogether('responses', [message('b')]);
    batches[0]!.fail(new Error('broker gone'));
    await expect(first).rejects.toMatchObject({ code: 'queue_unavailable' });
    await flush();
    batches[1]!.done();
    await expect(second).resolves.toHaveLength(1);
  });
});

describe('KafkaPublisher.sendTogether with lingerMs', () => {
  it('lets messages wait for company up to their linger, and one that may not wait sends them all at once', async () => {
    const { kafka, batches, keys } = fakeKafka();
    const publisher = new KafkaPublisher(kafka, { topicPrefix: 'p.' } as never);
    const a = publisher.sendTogether('responses', [message('a')], { lingerMs: 50 });
    const b = publisher.sendTogether('responses', [message('b')], { lingerMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(batches).toHaveLength(0); // still lingering
    const c = publisher.sendTogether('responses', [message('c')]);
    await flush();
    expect(batches).toHaveLength(1);
    expect(keys(0)).toEqual([`${RESPONSES}:a`, `${RESPONSES}:b`, `${RESPONSES}:c`]);
    batches[0]!.done();
    await expect(Promise.all([a, b, c])).resolves.toHaveLength(3);
  });

  it('sends lingering messages by themselves once their linger is over', async () => {
    const { kafka, batches } = fakeKafka();
    const publisher = new KafkaPublisher(kafka, { topicPrefix: 'p.' } as never);
    const a = publisher.sendTogether('responses', [message('a')], { lingerMs: 5 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(batches).toHaveLength(1);
    batches[0]!.done();
    await expect(a).resolves.toHaveLength(1);
  });
});
