import { partitionForKey } from './kafka-publisher';

describe('partitionForKey', () => {
  // Expected partitions computed by Kafka's own Java client (kafka-clients 4.1.1:
  // Utils.toPositive(Utils.murmur2(key)) % 6), so a Java producer and this one agree.
  it.each([
    ['0b5ad8b4-6e53-4a8a-9d86-2f1f5a1b3c4d', 1],
    ['6f1c2a9e-1b7d-4c5e-8f3a-2d4b6c8e0f12', 5],
    ['poison', 3],
    ['a', 4],
    ['conversation-42', 5],
  ])('puts %s where the Java client does', (key, partition) => {
    expect(partitionForKey('any-topic', key, 6)).toBe(partition);
  });
});
