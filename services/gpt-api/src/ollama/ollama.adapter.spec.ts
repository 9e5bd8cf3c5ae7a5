import { ollamaKeepAlive } from './ollama.adapter';

describe('ollamaKeepAlive', () => {
  it('passes a duration with a unit as it is and a bare number as seconds', () => {
    expect(ollamaKeepAlive('10m')).toBe('10m');
    expect(ollamaKeepAlive('-1')).toBe(-1);
    expect(ollamaKeepAlive('300')).toBe(300);
  });
});
