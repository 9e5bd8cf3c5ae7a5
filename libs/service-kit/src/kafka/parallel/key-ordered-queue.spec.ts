import { KeyOrderedQueue } from './key-ordered-queue';

const item = (key: string, n: number) => ({ key, n });
const names = (items: { key: string; n: number }[]) => items.map((i) => `${i.key}${i.n}`);

describe('KeyOrderedQueue', () => {
  it('runs different keys at once, up to the limit', () => {
    const queue = new KeyOrderedQueue<{ key: string; n: number }>(2);
    expect(names(queue.add(item('a', 1)))).toEqual(['a1']);
    expect(names(queue.add(item('b', 1)))).toEqual(['b1']);
    expect(names(queue.add(item('c', 1)))).toEqual([]);
    expect(queue.running).toBe(2);
    expect(queue.size).toBe(3);
  });

  it('runs one key one item after another, in the order added', () => {
    const queue = new KeyOrderedQueue<{ key: string; n: number }>(4);
    const a1 = item('a', 1);
    const a2 = item('a', 2);
    expect(names(queue.add(a1))).toEqual(['a1']);
    expect(names(queue.add(a2))).toEqual([]);
    expect(names(queue.add(item('b', 1)))).toEqual(['b1']); // a slow a1 does not hold b
    expect(names(queue.done(a1))).toEqual(['a2']);
    expect(names(queue.done(a2))).toEqual([]);
  });

  it('gives a freed slot to the oldest item whose key is free', () => {
    const queue = new KeyOrderedQueue<{ key: string; n: number }>(1);
    const a1 = item('a', 1);
    queue.add(a1);
    queue.add(item('a', 2));
    queue.add(item('b', 1));
    // a2 is older but a's next item may start only once a1 is done; it is, so a2 goes first.
    expect(names(queue.done(a1))).toEqual(['a2']);
  });

  it('skips a busy key for a free one when a slot opens', () => {
    const queue = new KeyOrderedQueue<{ key: string; n: number }>(2);
    const a1 = item('a', 1);
    const b1 = item('b', 1);
    queue.add(a1);
    queue.add(b1);
    queue.add(item('a', 2));
    queue.add(item('c', 1));
    expect(names(queue.done(b1))).toEqual(['c1']);
  });

  it('drops waiting items on request and starts nothing once closed', () => {
    const queue = new KeyOrderedQueue<{ key: string; n: number }>(1);
    const a1 = item('a', 1);
    queue.add(a1);
    queue.add(item('b', 1));
    queue.add(item('c', 1));
    expect(names(queue.removeWaiting((i) => i.key === 'b'))).toEqual(['b1']);
    queue.close();
    expect(queue.done(a1)).toEqual([]);
    expect(queue.size).toBe(1);
  });

  it('refuses a limit below one', () => {
    expect(() => new KeyOrderedQueue(0)).toThrow(/in-flight limit/);
  });
});
