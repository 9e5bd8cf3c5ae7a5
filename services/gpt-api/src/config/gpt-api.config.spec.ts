import { ConfigValidationError } from '@shoshizan/service-kit';
import { loadGptApiConfig } from './gpt-api.config';

const valid = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' };

describe('gpt-api config', () => {
  it('fills defaults for local mode', () => {
    const config = loadGptApiConfig(valid);
    expect(config.PORT).toBe(3003);
    expect(config.METRICS_PORT).toBe(9463);
    expect(config.OLLAMA_HOST).toBe('http://127.0.0.1:21434');
    expect(config.DEFAULT_MODEL).toBe('gemma3:270m');
    expect(config.ALLOWED_MODELS).toEqual([]);
    expect(config.OLLAMA_MAX_CONCURRENCY).toBe(2);
    expect(config.MODEL_CATALOG).toBe('ollama');
    expect(config.MODEL_NAMESPACE).toBeUndefined();
  });

  it('takes the catalog from the OllamaModels of a namespace', () => {
    const config = loadGptApiConfig({ ...valid, MODEL_CATALOG: 'kubernetes', MODEL_NAMESPACE: 'team-a' });
    expect(config.MODEL_CATALOG).toBe('kubernetes');
    expect(config.MODEL_NAMESPACE).toBe('team-a');
  });

  it('needs MODEL_NAMESPACE with MODEL_CATALOG=kubernetes, and only then', () => {
    expect(() => loadGptApiConfig({ ...valid, MODEL_CATALOG: 'kubernetes' })).toThrow(/MODEL_NAMESPACE: is required/);
    expect(loadGptApiConfig({ ...valid, MODEL_CATALOG: 'ollama' }).MODEL_NAMESPACE).toBeUndefined();
  });

  it('parses the allow-list', () => {
    expect(loadGptApiConfig({ ...valid, ALLOWED_MODELS: 'gemma3:270m, llama3.2:1b' }).ALLOWED_MODELS).toEqual([
      'gemma3:270m',
      'llama3.2:1b',
    ]);
  });

  it('names a missing DATABASE_URL', () => {
    expect(() => loadGptApiConfig({})).toThrow(/DATABASE_URL: is required/);
  });

  it.each([
    ['OLLAMA_HOST', 'ftp://x'],
    ['PORT', '70000'],
    ['OLLAMA_MAX_CONCURRENCY', '0'],
    ['DEFAULT_MODEL', 'bad model name'],
    ['OLLAMA_KEEP_ALIVE', 'forever'],
    ['MODEL_CATALOG', 'etcd'],
    ['MODEL_NAMESPACE', 'Team_A'],
    ['MODEL_NAMESPACE', 'a'.repeat(64)],
  ])('rejects a bad %s and names it', (variable, value) => {
    let caught: unknown;
    try {
      loadGptApiConfig({ ...valid, [variable]: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigValidationError);
    expect((caught as ConfigValidationError).problems.map((p) => p.variable)).toEqual([variable]);
  });
});
