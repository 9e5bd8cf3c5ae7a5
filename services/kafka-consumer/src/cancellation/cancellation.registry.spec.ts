import { CancellationRegistry, RequestStopped } from './cancellation.registry';

describe('CancellationRegistry', () => {
  it('aborts a running request with the reason', () => {
    const registry = new CancellationRegistry();
    const controller = registry.register('r1');
    expect(registry.cancel('r1', 'user pressed stop')).toBe(true);
    expect(controller.signal.aborted).toBe(true);
    expect(controller.signal.reason).toBeInstanceOf(RequestStopped);
    expect((controller.signal.reason as RequestStopped).stop).toEqual({ kind: 'cancelled', reason: 'user pressed stop' });
  });

  it('remembers a cancellation that arrives before its request', () => {
    const registry = new CancellationRegistry();
    expect(registry.cancel('r2', 'too slow')).toBe(false);
    const controller = registry.register('r2');
    expect(controller.signal.aborted).toBe(true);
    // ... but only once: a redelivery of the same id later is a fresh start.
    registry.unregister('r2');
    expect(registry.register('r2').signal.aborted).toBe(false);
  });

  it('forgets early cancellations after a while', () => {
    const registry = new CancellationRegistry(1000);
    registry.cancel('old', 'x', 0, 0);
    registry.cancel('new', 'y', 5000, 5000); // sweeps 'old'
    registry.cancel('stale', 'z', 0, 5000); // made long ago (read back at start-up): not kept
    expect(registry.register('old').signal.aborted).toBe(false);
    expect(registry.register('stale').signal.aborted).toBe(false);
    expect(registry.register('new').signal.aborted).toBe(true);
  });

  it('keeps at most so many early cancellations, dropping the oldest', () => {
    const registry = new CancellationRegistry(60_000, 2);
    for (const id of ['a', 'b', 'c']) registry.cancel(id, 'x', 1000, 1000);
    expect(['a', 'b', 'c'].map((id) => registry.register(id).signal.aborted)).toEqual([false, true, true]);
  });
});
