import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode, type ChatMessage, type GenerationOptions, type JsonSchemaObject, type Tool } from '@shoshizan/shared-interfaces';

/**
 * How a request's tools reach the model. `auto` goes through the model's own chat template
 * (the model decides, Ollama parses its calls). A call the client requires cannot rely on
 * a template (many have no tools, and none forces a call), so it is constrained decoding,
 * as other servers do it with guided decoding: the tools are described in a system
 * instruction and the output is held to a JSON schema that only a valid call matches.
 */
export type ToolPlan =
  /** No tools reach the model: none offered, `toolChoice: 'none'`, a raw prompt or a resumed answer. */
  | { readonly kind: 'text' }
  | { readonly kind: 'native'; readonly tools: readonly Tool[]; readonly parallel: boolean }
  | {
      readonly kind: 'constrained';
      /** One: the output is its arguments. Several: `{ name, arguments }`. */
      readonly tools: readonly Tool[];
      readonly format: JsonSchemaObject;
      readonly instruction: string;
    };

export type ConstrainedToolPlan = Extract<ToolPlan, { kind: 'constrained' }>;

/** The arguments schema of a tool that takes none: `{}` and nothing else. */
const NO_ARGUMENTS: JsonSchemaObject = { type: 'object', properties: {} };

/** A forced call with one candidate is written as its arguments alone. */
function soleTool(tools: readonly Tool[]): Tool | undefined {
  return tools.length === 1 ? tools[0] : undefined;
}

export function planTools(options: GenerationOptions): ToolPlan {
  const { tools, toolChoice = 'auto' } = options;
  if (!tools || toolChoice === 'none') return { kind: 'text' };
  if (toolChoice === 'auto') return { kind: 'native', tools, parallel: options.parallelToolCalls !== false };
  const candidates = toolChoice === 'required' ? tools : tools.filter((t) => t.name === toolChoice.name);
  return { kind: 'constrained', tools: candidates, format: constrainedFormat(candidates), instruction: toolInstruction(candidates) };
}

/**
 * The schema a forced call's output must match. One tool: its arguments, so the grammar is
 * just its parameters. Several: `{ name, arguments }` with one branch a tool (its name as a
 * constant, then its parameters), which llama.cpp's grammar compiler (Ollama's) takes.
 */
export function constrainedFormat(tools: readonly Tool[]): JsonSchemaObject {
  const only = soleTool(tools);
  if (only) return only.parameters ?? NO_ARGUMENTS;
  return {
    anyOf: tools.map((tool, i) => ({
      type: 'object',
      properties: {
        name: { const: tool.name },
        arguments: rebaseRefs(tool.parameters ?? NO_ARGUMENTS, `#/anyOf/${i}/properties/arguments`),
      },
      required: ['name', 'arguments'],
    })),
  };
}

/**
 * A tool's schema moved under `base`: its local `$ref`s (`#/$defs/...`) are resolved from
 * the root of the whole schema, so they must name their new place.
 */
function rebaseRefs(schema: unknown, base: string): unknown {
  if (Array.isArray(schema)) return schema.map((item) => rebaseRefs(item, base));
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#')) return [key, base + value.slice(1)];
      return [key, rebaseRefs(value, base)];
    }),
  );
}

function toolDescription(tool: Tool): string {
  return [
    `Function ${tool.name}${tool.description ? `: ${tool.description}` : ''}`,
    `Parameters (JSON Schema): ${JSON.stringify(tool.parameters ?? NO_ARGUMENTS)}`,
  ].join('\n');
}

/** The system instruction of a forced call: the model sees no tools otherwise. */
function toolInstruction(tools: readonly Tool[]): string {
  const only = soleTool(tools);
  const ask = only
    ? `Call the function ${only.name} now. Reply with its arguments only: one JSON object that matches its parameters.`
    : 'Call one of the functions below now. Reply with one JSON object: ' +
      '{"name": the function\'s name, "arguments": its arguments, matching its parameters}.';
  return [ask, ...tools.map(toolDescription)].join('\n\n');
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The call a constrained output makes. The grammar allows nothing else, so an output that
 * is not one was cut short: by `maxTokens` (done reason `length`) or by a stop sequence.
 */
export function callFromConstrainedOutput(
  plan: ConstrainedToolPlan,
  output: string,
  doneReason: string | undefined,
): { name: string; arguments: string } {
  const invalid = (what: string) => {
    const why =
      doneReason === 'length'
        ? 'it was cut off at maxTokens: allow more tokens'
        : 'it ended before the call was complete (a stop sequence?)';
    return new DomainException(ErrorCode.ValidationFailed, `The model's tool call is not valid: ${what}; ${why}.`);
  };
  const parsed = parseJson(output);
  if (!isJsonObject(parsed)) throw invalid(`not a JSON object: ${excerpt(output)}`);
  const only = soleTool(plan.tools);
  if (only) return { name: only.name, arguments: output.trim() };
  const tool = plan.tools.find((t) => t.name === parsed.name);
  if (!tool || !isJsonObject(parsed.arguments)) throw invalid(`no {"name", "arguments"} of one of the tools: ${excerpt(output)}`);
  return { name: tool.name, arguments: JSON.stringify(parsed.arguments) };
}

function excerpt(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > 200 ? `${JSON.stringify(trimmed.slice(0, 200))}...` : JSON.stringify(trimmed);
}

/**
 * Ollama takes a call's arguments as an object: a history whose calls have others is
 * refused before the stream starts, as a 400 naming the field.
 */
export function checkToolCallArguments(messages: readonly ChatMessage[]): void {
  messages.forEach((message, m) =>
    message.toolCalls?.forEach((call, c) => {
      if (!isJsonObject(parseJson(call.arguments))) {
        throw new DomainException(ErrorCode.ValidationFailed, 'A tool call in the history has arguments that are not a JSON object.', {
          issues: [{ path: `messages.${m}.toolCalls.${c}.arguments`, message: 'must be a JSON object' }],
        });
      }
    }),
  );
}
