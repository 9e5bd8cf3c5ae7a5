import { ConfigValidationError } from '../config/load-config';
import { loadDrainDelayMs } from './drain';

// A draining process (readiness 503 while it still serves) is tested in ../bootstrap.spec.ts.

describe('loadDrainDelayMs', () => {
  it('is 0 unless SHUTDOWN_DELAY_SECONDS says otherwise, in ms', () => {
    expect(loadDrainDelayMs('svc', {})).toBe(0);
    expect(loadDrainDelayMs('svc', { SHUTDOWN_DELAY_SECONDS: '' })).toBe(0);
    expect(loadDrainDelayMs('svc', { SHUTDOWN_DELAY_SECONDS: '5' })).toBe(5000);
  });

  it.each(['x', '-1', '1.5', '21'])('refuses SHUTDOWN_DELAY_SECONDS=%s by name', (value) => {
    expect(() => loadDrainDelayMs('svc', { SHUTDOWN_DELAY_SECONDS: value })).toThrow(ConfigValidationError);
    expect(() => loadDrainDelayMs('svc', { SHUTDOWN_DELAY_SECONDS: value })).toThrow(/SHUTDOWN_DELAY_SECONDS/);
  });
});
