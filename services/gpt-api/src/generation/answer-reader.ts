import { randomBytes } from 'node:crypto';
import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode, toStorableText, type FinishReason, type GenerationChunk, type TokenLogprob } from '@shoshizan/shared-interfaces';
import type { OllamaChunk, ParsedToolCall } from '../ollama/ollama.adapter';
import type { GenerationPlan } from './generation-plan';
import { callFromConstrainedOutput } from './tool-plan';

export type AnswerChunk = Extract<GenerationChunk, { type: 'token' | 'tool_call' }>;

/** The contract numbers an answer's calls 0 to 127. */
const MAX_CALLS = 128;

export function newToolCallId(): string {
  return `call_${randomBytes(12).toString('hex')}`;
}

function storableLogprob(value: TokenLogprob): TokenLogprob {
  return {
    ...value,
    token: toStorableText(value.token),
    ...(value.topLogprobs ? { topLogprobs: value.topLogprobs.map((top) => ({ ...top, token: toStorableText(top.token) })) } : {}),
  };
}

/**
 * Reads one answer from Ollama's pieces into our chunks, as the plan says: text as tokens,
 * the calls Ollama parsed (native tools) as they come, or, for a constrained call, nothing
 * until the end, when the whole output is parsed into the call.
 */
export class AnswerReader {
  private atStart: boolean;
  /**
   * Log probabilities of tokens not shown yet (trimmed whitespace, text Ollama holds back
   * while it tells a call from text), given with the next text shown.
   */
  private pendingLogprobs: TokenLogprob[] = [];
  private callCount = 0;
  private constrainedOutput = '';

  constructor(
    private readonly plan: Pick<GenerationPlan, 'tools' | 'trimLeadingWhitespace'>,
    private readonly newCallId: () => string = newToolCallId,
  ) {
    this.atStart = plan.trimLeadingWhitespace;
  }

  /** The chunks one piece adds. Throws DomainException for a call to a tool not offered. */
  read(part: OllamaChunk): AnswerChunk[] {
    if (this.plan.tools.kind === 'constrained') {
      this.constrainedOutput += part.text;
      return [];
    }
    return [...this.tokens(part), ...(part.toolCalls ?? []).flatMap((call) => this.call(call))];
  }

  /**
   * The chunks that close the answer and why it ended. Throws DomainException when a
   * constrained output is no valid call.
   */
  finish(doneReason: string | undefined): { chunks: AnswerChunk[]; finishReason: FinishReason } {
    if (this.plan.tools.kind === 'constrained') {
      const call = callFromConstrainedOutput(this.plan.tools, this.constrainedOutput, doneReason);
      return { chunks: [{ type: 'tool_call', index: 0, id: this.newCallId(), ...call }], finishReason: 'tool_calls' };
    }
    const finishReason = this.callCount > 0 ? 'tool_calls' : doneReason === 'length' ? 'length' : 'stop';
    return { chunks: [], finishReason };
  }

  private tokens(part: OllamaChunk): AnswerChunk[] {
    let text = part.text;
    if (this.atStart && text) {
      text = text.trimStart();
      if (text) this.atStart = false;
    }
    this.pendingLogprobs.push(...(part.logprobs ?? []));
    if (!text) return [];
    const logprobs = this.pendingLogprobs.map(storableLogprob);
    this.pendingLogprobs = [];
    return [{ type: 'token', text: toStorableText(text), ...(logprobs.length > 0 ? { logprobs } : {}) }];
  }

  private call(call: ParsedToolCall): AnswerChunk[] {
    const { tools } = this.plan;
    if (tools.kind !== 'native' || !tools.tools.some((t) => t.name === call.name)) {
      throw new DomainException(ErrorCode.Internal, `The model called ${JSON.stringify(call.name)}, which is not one of the tools offered.`);
    }
    if (this.callCount >= (tools.parallel ? MAX_CALLS : 1)) return [];
    return [{ type: 'tool_call', index: this.callCount++, id: call.id ?? this.newCallId(), name: call.name, arguments: call.arguments }];
  }
}
