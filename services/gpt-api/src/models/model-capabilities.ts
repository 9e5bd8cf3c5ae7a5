import { Inject, Injectable } from '@nestjs/common';
import { GPT_API_CONFIG, type GptApiConfig } from '../config/gpt-api.config';
import { OllamaAdapter, embeddingsUnsupported, toolsUnsupported } from '../ollama/ollama.adapter';

export type Capability = 'tools' | 'embedding';

/**
 * What each model can do, as Ollama's /api/show says (from its chat template and its
 * weights), cached: it changes only when the model is pulled again. Asked before a
 * request starts, so that a model that cannot do it is a 400, not an error mid-stream.
 */
@Injectable()
export class ModelCapabilities {
  private readonly cache = new Map<string, { at: number; capabilities: readonly string[] | undefined }>();

  constructor(
    @Inject(GPT_API_CONFIG) private readonly config: GptApiConfig,
    private readonly ollama: OllamaAdapter,
  ) {}

  /**
   * Throws DomainException ValidationFailed when Ollama says the model lacks `capability`;
   * when Ollama says nothing, lets the request through to Ollama's own check.
   */
  async require(model: string, capability: Capability): Promise<void> {
    const capabilities = await this.of(model);
    if (!capabilities || capabilities.includes(capability)) return;
    throw capability === 'tools' ? toolsUnsupported(model) : embeddingsUnsupported(model);
  }

  private async of(model: string): Promise<readonly string[] | undefined> {
    const cached = this.cache.get(model);
    if (cached && Date.now() - cached.at < this.config.MODEL_CATALOG_TTL_MS) return cached.capabilities;
    const capabilities = await this.ollama.capabilities(model);
    this.cache.set(model, { at: Date.now(), capabilities });
    return capabilities;
  }
}
