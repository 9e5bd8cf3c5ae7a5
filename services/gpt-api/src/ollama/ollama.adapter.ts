import { Inject, Injectable } from '@nestjs/common';
import { Ollama } from 'ollama';
import { DomainException, type ReadinessCheck } from '@shoshizan/service-kit';
import { ErrorCode, type ChatMessage, type GenerationOptions } from '@shoshizan/shared-interfaces';
import { GPT_API_CONFIG, type GptApiConfig } from '../config/gpt-api.config';

export interface InstalledModel {
  readonly name: string;
  readonly sizeBytes: number;
  readonly family?: string;
  readonly parameterSize?: string;
}

export interface ChatStreamRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly options: GenerationOptions;
  /** How long Ollama keeps the model loaded afterwards, e.g. `10m`; absent: OLLAMA_KEEP_ALIVE. */
  readonly keepAlive?: string;
}

/** One piece of Ollama's answer; the last has `done` and the token counts. */
export interface ChatStreamChunk {
  readonly text: string;
  readonly done: boolean;
  readonly doneReason?: string;
  readonly promptTokens?: number;
  readonly completionTokens?: number;
}

/**
 * The port to Ollama. Unit tests replace it; integration tests and production use
 * OllamaClientAdapter against a real server.
 */
export abstract class OllamaAdapter implements ReadinessCheck {
  readonly name = 'ollama';
  abstract listModels(): Promise<InstalledModel[]>;
  /** Streams an answer; aborting `signal` stops the generation in Ollama. */
  abstract chat(request: ChatStreamRequest, signal: AbortSignal): AsyncIterable<ChatStreamChunk>;
  abstract check(): Promise<void>;
}

/** Maps what the client throws to a code that says whether to retry. */
export function classifyOllamaError(error: unknown, model: string): DomainException {
  if (error instanceof DomainException) return error;
  const status = (error as { status_code?: number }).status_code;
  const message = (error as Error).message ?? String(error);
  if (status === 404 || /not found/i.test(message)) {
    return new DomainException(ErrorCode.ModelNotFound, `Model '${model}' is not installed in Ollama.`, { cause: error });
  }
  if (status === 400) {
    return new DomainException(ErrorCode.ValidationFailed, `Ollama rejected the request: ${message}`, { cause: error });
  }
  if (status === 503 || status === 429) {
    return new DomainException(ErrorCode.ModelUnavailable, `Ollama is busy: ${message}`, { cause: error, retryAfterSeconds: 5 });
  }
  return new DomainException(ErrorCode.UpstreamUnavailable, `Ollama failed: ${message}`, { cause: error, retryAfterSeconds: 5 });
}

/**
 * A keep-alive as Ollama takes it: a duration with a unit as it is (`10m`), a bare number
 * as seconds (`-1`: for ever), since Ollama refuses a string without a unit.
 */
export function ollamaKeepAlive(value: string): string | number {
  return /^-?\d+$/.test(value) ? Number(value) : value;
}

@Injectable()
export class OllamaClientAdapter extends OllamaAdapter {
  private readonly client: Ollama;

  constructor(@Inject(GPT_API_CONFIG) private readonly config: GptApiConfig) {
    super();
    this.client = new Ollama({ host: config.OLLAMA_HOST });
  }

  async listModels(): Promise<InstalledModel[]> {
    const { models } = await this.client.list();
    return models.map((m) => ({
      name: m.name,
      sizeBytes: m.size,
      ...(m.details?.family ? { family: m.details.family } : {}),
      ...(m.details?.parameter_size ? { parameterSize: m.details.parameter_size } : {}),
    }));
  }

  async *chat(request: ChatStreamRequest, signal: AbortSignal): AsyncIterable<ChatStreamChunk> {
    const { options } = request;
    let stream;
    try {
      stream = await this.client.chat({
        model: request.model,
        messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
        stream: true,
        keep_alive: ollamaKeepAlive(request.keepAlive ?? this.config.OLLAMA_KEEP_ALIVE),
        options: {
          ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
          ...(options.topP !== undefined ? { top_p: options.topP } : {}),
          ...(options.maxTokens !== undefined ? { num_predict: options.maxTokens } : {}),
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
          ...(options.stop !== undefined ? { stop: options.stop } : {}),
        },
      });
    } catch (error) {
      throw classifyOllamaError(error, request.model);
    }
    // Aborting the iterator closes the HTTP stream, which makes Ollama stop generating.
    const onAbort = () => stream.abort();
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const part of stream) {
        yield {
          text: part.message?.content ?? '',
          done: part.done,
          ...(part.done_reason ? { doneReason: part.done_reason } : {}),
          ...(part.done ? { promptTokens: part.prompt_eval_count ?? 0, completionTokens: part.eval_count ?? 0 } : {}),
        };
      }
    } catch (error) {
      if (signal.aborted) return;
      throw classifyOllamaError(error, request.model);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async check(): Promise<void> {
    await this.client.version();
  }
}
