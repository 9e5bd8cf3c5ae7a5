import type { Kafka, ProducerBatch } from 'kafkajs';
import { KafkaPublisher } from './kafka-publisher';

/** A producer whose sendBatch calls finish when the test says so. */
function fakeKafka() {
  const batches: { batch: ProducerBatch; done: () => void; fail: (e: Error) => void }[] = [];
  const kafka = {
    producer: () => ({
      sendBatch: (batch: ProducerBatch) => new Promise<void>((resolve, reject) => batches.push({ batch, done: resolve, fail: reject })),
    }),
  } as unknown as Kafka;
  const keys = (i: number) => batches[i]!.batch.topicMessages!.flatMap((t) => t.messages.map((m) => `${t.topic}:${String(m.key)}`));
  return { kafka, batches, keys };
}

const message = (key: string) => ({ key, value: Buffer.from(key) });
const flush = () => new Promise((resolve) => setImmediate(resolve));

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
    expect(keys(1)).toEqual(['p.shoshizan.chat.responses.v1:b1', 'p.shoshizan.chat.responses.v1:b2', 'p.shoshizan.chat.cancellations.v1:c1']);
    batches[1]!.done();
    await expect(Promise.all([second, third])).resolves.toBeDefined();
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
    await expect(second).resolves.toBeUndefined();
  });
});
