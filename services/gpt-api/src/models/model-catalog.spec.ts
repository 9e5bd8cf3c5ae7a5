import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode, type OllamaModel, type OllamaModelSpec } from '@shoshizan/shared-interfaces';
import { catalogFromModels, mayUse, pickModel, rolesFromQuery, withSizes } from './model-catalog';

/** An OllamaModel whose Available condition is `available` for its current generation. */
function ollamaModel(
  name: string,
  spec: Partial<OllamaModelSpec> = {},
  { available = true, created = '2025-01-01T00:00:00Z', deleting = false } = {},
): OllamaModel {
  return {
    apiVersion: 'models.shoshizan.io/v1alpha1',
    kind: 'OllamaModel',
    metadata: { name, generation: 2, creationTimestamp: created, ...(deleting ? { deletionTimestamp: created } : {}) },
    spec: { name: `${name}:1b`, source: { registry: { reference: `library/${name}:1b` } }, ...spec },
    status: {
      observedGeneration: 2,
      conditions: [
        { type: 'Available', status: available ? 'True' : 'False', reason: 'Test', message: '', lastTransitionTime: created, observedGeneration: 2 },
      ],
    },
  };
}

const rejection = (action: () => unknown): DomainException => {
  try {
    action();
  } catch (error) {
    return error as DomainException;
  }
  throw new Error('did not throw');
};

describe('catalogFromModels', () => {
  it('lists the Available models by name, with their keep-alive', () => {
    const models = [
      ollamaModel('zeta', { keepAlive: '30m' }),
      ollamaModel('alpha'),
      ollamaModel('pulling', {}, { available: false }),
      ollamaModel('leaving', {}, { deleting: true }),
    ];
    expect(catalogFromModels(models, [], 'alpha:1b')).toEqual({
      defaultModel: 'alpha:1b',
      models: [{ name: 'alpha:1b' }, { name: 'zeta:1b', keepAlive: '30m' }],
    });
  });

  it('lists a model limited to roles only for a caller holding one of them', () => {
    const models = [ollamaModel('open'), ollamaModel('pro', { roles: ['pro', 'admin'] })];
    expect(catalogFromModels(models, [], 'open:1b').models.map((m) => m.name)).toEqual(['open:1b']);
    expect(catalogFromModels(models, ['user'], 'open:1b').models.map((m) => m.name)).toEqual(['open:1b']);
    expect(catalogFromModels(models, ['user', 'admin'], 'open:1b').models.map((m) => m.name)).toEqual(['open:1b', 'pro:1b']);
  });

  it('takes the oldest model marked default that the caller may use', () => {
    const models = [
      ollamaModel('newer', { default: true }, { created: '2025-03-01T00:00:00Z' }),
      ollamaModel('older', { default: true }, { created: '2025-02-01T00:00:00Z' }),
      ollamaModel('admins', { default: true, roles: ['admin'] }, { created: '2025-01-01T00:00:00Z' }),
      ollamaModel('fallback'),
    ];
    expect(catalogFromModels(models, ['admin'], 'fallback:1b').defaultModel).toBe('admins:1b');
    expect(catalogFromModels(models, [], 'fallback:1b').defaultModel).toBe('older:1b');
  });

  it('ignores a default that is not Available', () => {
    const models = [ollamaModel('pulling', { default: true }, { available: false }), ollamaModel('ready')];
    expect(catalogFromModels(models, [], 'ready:1b').defaultModel).toBe('ready:1b');
  });

  it('falls back to the configured default when listed, else to the first model, else to the configured one', () => {
    const models = [ollamaModel('b'), ollamaModel('a')];
    expect(catalogFromModels(models, [], 'b:1b').defaultModel).toBe('b:1b');
    expect(catalogFromModels(models, [], 'elsewhere:1b').defaultModel).toBe('a:1b');
    expect(catalogFromModels([], [], 'elsewhere:1b')).toEqual({ defaultModel: 'elsewhere:1b', models: [] });
  });

  it('lists a model two resources name once, as the oldest the caller may use says', () => {
    const models = [
      ollamaModel('second', { name: 'same:1b', keepAlive: '1h' }, { created: '2025-02-01T00:00:00Z' }),
      ollamaModel('first', { name: 'same:1b', roles: ['admin'] }, { created: '2025-01-01T00:00:00Z' }),
    ];
    expect(catalogFromModels(models, [], 'x:1b').models).toEqual([{ name: 'same:1b', keepAlive: '1h' }]);
    expect(catalogFromModels(models, ['admin'], 'x:1b').models).toEqual([{ name: 'same:1b' }]);
  });
});

describe('mayUse', () => {
  it('lets everyone use a model with no roles or an empty list', () => {
    expect(mayUse(ollamaModel('a'), [])).toBe(true);
    expect(mayUse(ollamaModel('a', { roles: [] }), [])).toBe(true);
    expect(mayUse(ollamaModel('a', { roles: ['pro'] }), ['user'])).toBe(false);
  });
});

describe('pickModel', () => {
  const catalog = { defaultModel: 'a:1b', models: [{ name: 'a:1b' }, { name: 'b:1b', keepAlive: '5m' }] };

  it('answers the named model, else the default', () => {
    expect(pickModel(catalog, 'b:1b')).toEqual({ name: 'b:1b', keepAlive: '5m' });
    expect(pickModel(catalog, undefined)).toEqual({ name: 'a:1b' });
  });

  it('refuses a model the caller may not use exactly as one that does not exist', () => {
    const models = [ollamaModel('open'), ollamaModel('secret', { roles: ['admin'] })];
    const hidden = rejection(() => pickModel(catalogFromModels(models, [], 'open:1b'), 'secret:1b'));
    const unknown = rejection(() => pickModel(catalogFromModels(models, [], 'open:1b'), 'nothing:1b'));
    expect(hidden).toBeInstanceOf(DomainException);
    expect(hidden.code).toBe(ErrorCode.ModelNotFound);
    expect(hidden.message).toBe("Model 'secret:1b' is not available. Available: open:1b.");
    expect(unknown.message.replace('nothing', 'secret')).toBe(hidden.message);
    expect(pickModel(catalogFromModels(models, ['admin'], 'open:1b'), 'secret:1b')).toEqual({ name: 'secret:1b' });
  });

  it('says when there is nothing at all', () => {
    expect(rejection(() => pickModel({ defaultModel: 'a:1b', models: [] }, undefined)).message).toBe(
      "Model 'a:1b' is not available. Available: none.",
    );
  });
});

describe('withSizes', () => {
  it("adds what Ollama reports, matching a name without a tag to Ollama's :latest", () => {
    const installed = [
      { name: 'a:1b', sizeBytes: 10, family: 'gemma', parameterSize: '1B' },
      { name: 'plain:latest', sizeBytes: 20 },
      { name: 'host:5000/team/m:latest', sizeBytes: 30 },
    ];
    expect(withSizes([{ name: 'a:1b', keepAlive: '1m' }, { name: 'plain' }, { name: 'host:5000/team/m' }, { name: 'absent:1b' }], installed)).toEqual([
      { name: 'a:1b', sizeBytes: 10, family: 'gemma', parameterSize: '1B' },
      { name: 'plain', sizeBytes: 20 },
      { name: 'host:5000/team/m', sizeBytes: 30 },
      { name: 'absent:1b' },
    ]);
  });
});

describe('rolesFromQuery', () => {
  it('splits a comma-separated list and drops blanks', () => {
    expect(rolesFromQuery(undefined)).toEqual([]);
    expect(rolesFromQuery('')).toEqual([]);
    expect(rolesFromQuery('pro, admin,,')).toEqual(['pro', 'admin']);
  });
});
