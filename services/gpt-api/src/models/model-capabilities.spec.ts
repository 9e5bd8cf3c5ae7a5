import { ErrorCode } from '@shoshizan/shared-interfaces';
import { loadGptApiConfig } from '../config/gpt-api.config';
import type { OllamaAdapter } from '../ollama/ollama.adapter';
import { ModelCapabilities } from './model-capabilities';

function setUp(answers: Record<string, readonly string[] | undefined>) {
  const capabilities = jest.fn(async (model: string) => answers[model]);
  const config = loadGptApiConfig({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', MODEL_CATALOG_TTL_MS: '60000' });
  return { capabilities, models: new ModelCapabilities(config, { capabilities } as unknown as OllamaAdapter) };
}

describe('ModelCapabilities', () => {
  it('lets through a model that has the capability, asking Ollama once per model', async () => {
    const { models, capabilities } = setUp({ 'qwen3:0.6b': ['completion', 'tools'] });
    await models.require('qwen3:0.6b', 'tools');
    await models.require('qwen3:0.6b', 'tools');
    expect(capabilities).toHaveBeenCalledTimes(1);
  });

  it('refuses a model that lacks it, naming the model', async () => {
    const { models } = setUp({ 'gemma3:270m': ['completion'] });
    await expect(models.require('gemma3:270m', 'tools')).rejects.toMatchObject({
      code: ErrorCode.ValidationFailed,
      message: expect.stringContaining("Model 'gemma3:270m' cannot be offered tools"),
    });
    await expect(models.require('gemma3:270m', 'embedding')).rejects.toMatchObject({
      message: "Model 'gemma3:270m' does not make embeddings: choose an embedding model.",
    });
  });

  it("leaves the decision to Ollama when it lists no capabilities", async () => {
    await expect(setUp({}).models.require('old:1b', 'tools')).resolves.toBeUndefined();
  });
});
