import { readStall } from './consumer-progress';

describe('readStall', () => {
  it('is not stalled at the first reading, waiting or not', () => {
    expect(readStall(undefined, { committed: 5n, end: 9n }, 1000).stalledSeconds).toBe(0);
  });

  it('counts from when the committed offset last moved while records wait', () => {
    let r = readStall(undefined, { committed: 5n, end: 5n }, 0);
    r = readStall(r.state, { committed: 5n, end: 8n }, 15_000);
    expect(r.stalledSeconds).toBe(15);
    r = readStall(r.state, { committed: 5n, end: 9n }, 75_000);
    expect(r.stalledSeconds).toBe(75);
  });

  it('is back to 0 as soon as the offset moves', () => {
    let r = readStall(undefined, { committed: 5n, end: 8n }, 0);
    r = readStall(r.state, { committed: 5n, end: 8n }, 60_000);
    expect(r.stalledSeconds).toBe(60);
    r = readStall(r.state, { committed: 6n, end: 8n }, 61_000);
    expect(r.stalledSeconds).toBe(0);
    r = readStall(r.state, { committed: 6n, end: 8n }, 71_000);
    expect(r.stalledSeconds).toBe(10);
  });

  it('never calls an idle partition stalled, however long nothing came', () => {
    let r = readStall(undefined, { committed: 5n, end: 5n }, 0);
    r = readStall(r.state, { committed: 5n, end: 5n }, 3_600_000);
    expect(r.stalledSeconds).toBe(0);
    // A record arrives after an hour of quiet: it waits at most since the last reading.
    r = readStall(r.state, { committed: 5n, end: 6n }, 3_615_000);
    expect(r.stalledSeconds).toBe(15);
  });
});
