import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import OpenAI from 'openai';
import { readSse } from './support/sse';
import { Stack } from './support/stack';
import { ROOT } from './support/system';

/**
 * What an agent framework does with the OpenAI-compatible API, driven by OpenAI's own SDKs
 * (npm's `openai`, and the Python `openai` of scripts/infra/openai-python.sh): function
 * tools (a call, its result, the answer), structured output, embeddings, the Responses API
 * with a tool call, a Responses stream picked up again after a dropped connection, and the
 * 400s that name what is not supported.
 *
 * The model is local mode's default, SmolLM2 135M: too small to choose a tool or write JSON
 * reliably on its own, so most tests force the tool (the server then constrains the answer
 * to the function's parameter schema) and every test decodes greedily; one prompt that it
 * does answer with a call of its own checks `tool_choice: auto`. They check the API's
 * shapes and the SDKs' handling of them, not the model's judgement.
 */
jest.setTimeout(240_000);

const MODEL = 'smollm2:135m';
/** Greedy and short: the model gives 20 to 60 tokens a second on two cores. */
const GREEDY = { temperature: 0, max_tokens: 48 } as const;

const WEATHER_PARAMETERS = {
  type: 'object',
  properties: { city: { type: 'string', description: 'The name of the city, e.g. Paris.' } },
  required: ['city'],
  additionalProperties: false,
};
const WEATHER_TOOL: OpenAI.Chat.ChatCompletionFunctionTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'The current weather in a city.', parameters: WEATHER_PARAMETERS, strict: true },
};
const FORCE_WEATHER: OpenAI.Chat.ChatCompletionNamedToolChoice = { type: 'function', function: { name: 'get_weather' } };
/** The same tool in the Responses API's shape. */
const WEATHER_FUNCTION: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'The current weather in a city.',
  parameters: WEATHER_PARAMETERS,
  strict: true,
};
const WEATHER_RESULT = '{"temperature_c": 18, "sky": "clear"}';

const CITY_SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, country: { type: 'string' } },
  required: ['city', 'country'],
  additionalProperties: false,
};

const stack = new Stack();
let client: OpenAI;

beforeAll(async () => {
  await stack.start();
  client = new OpenAI({ apiKey: stack.token(), baseURL: `${stack.gateway}/v1`, maxRetries: 0 });
}, 600_000);

afterAll(async () => {
  expect(await stack.stop()).toEqual({ gateway: 0, 'kafka-consumer': 0, 'kafka-producer': 0, 'gpt-api': 0 });
}, 120_000);

/** A tool call's arguments: a JSON object with a non-empty string `city`. */
function weatherArguments(json: string): { city: string } {
  let parsed: unknown;
  expect(() => (parsed = JSON.parse(json))).not.toThrow();
  expect(parsed).toEqual(expect.objectContaining({ city: expect.any(String) }));
  const { city } = parsed as { city: string };
  expect(city.trim().length).toBeGreaterThan(0);
  return { city };
}

/** The only tool call of a message, a function call. */
function onlyFunctionCall(message: OpenAI.Chat.ChatCompletionMessage): OpenAI.Chat.ChatCompletionMessageFunctionToolCall {
  expect(message.tool_calls).toHaveLength(1);
  const call = message.tool_calls![0]!;
  if (call.type !== 'function') throw new Error(`expected a function call, got ${JSON.stringify(call)}`);
  expect(call.id).toEqual(expect.any(String));
  expect(call.id.length).toBeGreaterThan(0);
  return call;
}

/** What a rejected SDK call threw (fails the test if it resolved). */
async function rejection(promise: PromiseLike<unknown>): Promise<unknown> {
  let outcome: unknown;
  await promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)?.slice(0, 500)}`);
    },
    (error: unknown) => {
      outcome = error;
    },
  );
  return outcome;
}

/** The request body of a forced weather call through the Responses API, for plain fetch. */
function forcedResponseBody(input: string) {
  return {
    model: MODEL,
    input,
    tools: [WEATHER_FUNCTION],
    tool_choice: { type: 'function', name: 'get_weather' },
    temperature: 0,
    max_output_tokens: 48,
    stream: true,
  };
}

type StreamEvent = { type: string; sequence_number: number } & Record<string, unknown>;

/** Parses one SSE event of a Responses stream; its SSE `event:` must be its `type`. */
function responseEventOf(sse: { event: string; data: string }): StreamEvent {
  const event = JSON.parse(sse.data) as StreamEvent;
  expect(sse.event).toBe(event.type);
  expect(Number.isInteger(event.sequence_number)).toBe(true);
  return event;
}

function expectConsecutive(sequenceNumbers: readonly number[], first: number): void {
  expect(sequenceNumbers).toEqual(sequenceNumbers.map((_, i) => first + i));
}

describe('OpenAI tools, structured output, embeddings and the Responses API, with the official SDKs', () => {
  it('calls a forced tool, then streams the answer made from its result', async () => {
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the weather in Paris?' }];
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages,
      tools: [WEATHER_TOOL],
      tool_choice: FORCE_WEATHER,
      ...GREEDY,
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-[0-9a-f-]{36}$/);
    const [choice] = completion.choices;
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.role).toBe('assistant');
    const call = onlyFunctionCall(choice!.message);
    expect(call.function.name).toBe('get_weather');
    weatherArguments(call.function.arguments);
    expect(completion.usage!.completion_tokens).toBeGreaterThan(0);
    // Through the durable queue like any other chat completion.
    const { rows } = await stack.db.query('SELECT status FROM gateway.chat_requests WHERE request_id = $1', [
      completion.id.slice('chatcmpl-'.length),
    ]);
    expect(rows).toEqual([{ status: 'done' }]);

    // Found again by its id: whole, or its chunks after a Last-Event-ID (a client whose stream dropped).
    const url = `${stack.gateway}/v1/chat/completions/${completion.id}`;
    const auth = { authorization: `Bearer ${stack.token()}` };
    const retrieved = (await (await fetch(url, { headers: auth })).json()) as OpenAI.Chat.ChatCompletion;
    expect(retrieved.id).toBe(completion.id);
    expect(retrieved.choices[0]?.message.tool_calls).toEqual(choice!.message.tool_calls);
    const again = await fetch(`${url}?stream=true`, { headers: { ...auth, 'last-event-id': '0' } });
    expect(again.status).toBe(200);
    const ids: string[] = [];
    for await (const sse of readSse(again.body!)) if (sse.id !== undefined) ids.push(sse.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => Number(id) > 0)).toBe(true);
    // A malformed Last-Event-ID is refused with or without `stream`.
    for (const query of ['', '?stream=true']) {
      const refused = await fetch(`${url}${query}`, { headers: { ...auth, 'last-event-id': 'x' } });
      expect(refused.status).toBe(400);
    }

    // The history as an agent sends it back: the assistant's message as it came, then the result.
    messages.push(choice!.message, { role: 'tool', tool_call_id: call.id, content: WEATHER_RESULT });
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages,
      tools: [WEATHER_TOOL],
      tool_choice: 'none',
      ...GREEDY,
      stream: true,
    });
    let chunks = 0;
    let text = '';
    let toolCallDeltas = 0;
    let finish: string | null = null;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      chunks++;
      const delta = chunk.choices[0]?.delta;
      text += delta?.content ?? '';
      toolCallDeltas += delta?.tool_calls?.length ?? 0;
      if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
    }
    expect(chunks).toBeGreaterThan(1);
    expect(text.trim().length).toBeGreaterThan(0);
    expect(toolCallDeltas).toBe(0); // tool_choice 'none'
    expect(['stop', 'length']).toContain(finish);
  });

  it("streams a forced tool call that the SDK's stream helper assembles", async () => {
    const stream = client.chat.completions.stream({
      model: MODEL,
      messages: [{ role: 'user', content: 'What is the weather in Tokyo?' }],
      tools: [WEATHER_TOOL],
      tool_choice: FORCE_WEATHER,
      ...GREEDY,
    });
    const deltas: OpenAI.Chat.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    const done: { name: string; arguments: string; parsed_arguments: unknown }[] = [];
    stream.on('chunk', (chunk) => deltas.push(...(chunk.choices[0]?.delta.tool_calls ?? [])));
    // Fired when a chunk with finish_reason comes after the chunk that opened the call (as
    // OpenAI sends them): a lone chunk with the whole call and finish_reason never fires it.
    stream.on('tool_calls.function.arguments.done', (event) => done.push(event));
    const final = await stream.finalChatCompletion();

    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    const call = onlyFunctionCall(final.choices[0]!.message);
    expect(call.function.name).toBe('get_weather');
    const args = weatherArguments(call.function.arguments);

    // The raw deltas: the first names the call (id, type, function name), all are index 0,
    // and their argument fragments add up to the assembled arguments.
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas[0]).toMatchObject({ index: 0, id: expect.any(String), type: 'function', function: { name: 'get_weather' } });
    expect(deltas[0]!.id!.length).toBeGreaterThan(0);
    expect(deltas.every((d) => d.index === 0)).toBe(true);
    expect(deltas.map((d) => d.function?.arguments ?? '').join('')).toBe(call.function.arguments);
    expect(deltas.filter((d) => d.id !== undefined).map((d) => d.id)).toEqual([call.id]);

    // A strict tool's arguments are parsed by the helper.
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ name: 'get_weather', arguments: call.function.arguments, parsed_arguments: args });
  });

  it("lets the model choose a tool itself (tool_choice auto): its template's own tool call, parsed by Ollama", async () => {
    // Greedy, this prompt gets a native call from SmolLM2 (its Modelfile's template offers the tools).
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'What is the weather in Paris? Use the get_weather tool.' }],
      tools: [WEATHER_TOOL],
      tool_choice: 'auto',
      ...GREEDY,
    });
    const [choice] = completion.choices;
    expect(choice?.finish_reason).toBe('tool_calls');
    const call = choice?.message.tool_calls?.[0];
    expect(call?.type === 'function' ? call.function.name : undefined).toBe('get_weather');
    expect(JSON.parse(call?.type === 'function' ? call.function.arguments : '{}')).toEqual({ city: expect.any(String) });
  });

  it('gives log probabilities, and continues a legacy prompt as it is', async () => {
    const chat = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Say hello.' }],
      logprobs: true,
      top_logprobs: 2,
      temperature: 0,
      max_tokens: 4,
    });
    const content = chat.choices[0]?.logprobs?.content ?? [];
    expect(content.length).toBeGreaterThan(0);
    for (const token of content) {
      expect(token.logprob).toBeLessThanOrEqual(0);
      expect(token.top_logprobs).toHaveLength(2);
    }
    // The tokens' text is the answer's text.
    expect(content.map((t) => t.token).join('').trim()).toBe(chat.choices[0]?.message.content?.trim());

    const legacy = await client.completions.create({ model: MODEL, prompt: 'The capital of France is', max_tokens: 8, temperature: 0 });
    expect(legacy.id).toMatch(/^cmpl-[0-9a-f-]{36}$/);
    expect(legacy.object).toBe('text_completion');
    expect(legacy.choices[0]?.text.length).toBeGreaterThan(0);
    expect(legacy.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('answers in JSON: validated against a json_schema, and a json_object', async () => {
    const structured = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'In which city and country is the Eiffel Tower?' }],
      response_format: { type: 'json_schema', json_schema: { name: 'city', strict: true, schema: CITY_SCHEMA } },
      ...GREEDY,
    });
    expect(structured.choices[0]?.finish_reason).toBe('stop');
    const content = structured.choices[0]?.message.content ?? '';
    let answer: unknown;
    expect(() => (answer = JSON.parse(content))).not.toThrow();
    // The schema by hand: an object with exactly two string properties.
    expect(answer).toEqual({ city: expect.any(String), country: expect.any(String) });
    expect(Object.keys(answer as object).sort()).toEqual(['city', 'country']);

    const object = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Give a JSON object with one field, "name", set to "Paris".' }],
      response_format: { type: 'json_object' },
      ...GREEDY,
      max_tokens: 64,
    });
    // JSON mode's grammar lets whitespace follow the object, and a model this small may go
    // on with it to the token limit: the object is whole either way, which is what counts.
    expect(['stop', 'length']).toContain(object.choices[0]?.finish_reason);
    let parsed: unknown;
    expect(() => (parsed = JSON.parse(object.choices[0]?.message.content ?? ''))).not.toThrow();
    expect(typeof parsed).toBe('object');
    expect(parsed).not.toBeNull();
    expect(Array.isArray(parsed)).toBe(false);
  });

  it('makes embeddings: one vector an input, as floats or base64, cut to `dimensions`', async () => {
    const input = ['the same text', 'the same text', 'another text'];
    // No encoding_format: the SDK asks for base64 and decodes it to floats itself.
    const decoded = await client.embeddings.create({ model: MODEL, input });
    expect(decoded.object).toBe('list');
    expect(decoded.model).toBe(MODEL);
    expect(decoded.data.map((d) => [d.object, d.index])).toEqual([
      ['embedding', 0],
      ['embedding', 1],
      ['embedding', 2],
    ]);
    const vectors = decoded.data.map((d) => d.embedding);
    const length = vectors[0]!.length;
    expect(length).toBeGreaterThan(0);
    expect(vectors.map((v) => v.length)).toEqual([length, length, length]);
    expect(vectors.flat().every(Number.isFinite)).toBe(true);
    // The same text, the same vector (to float rounding), and another text, another one.
    const maxDifference = (a: readonly number[], b: readonly number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
    expect(maxDifference(vectors[0]!, vectors[1]!)).toBeLessThan(1e-6);
    expect(maxDifference(vectors[0]!, vectors[2]!)).toBeGreaterThan(1e-4);
    expect(decoded.usage.prompt_tokens).toBeGreaterThan(0);
    expect(decoded.usage.total_tokens).toBe(decoded.usage.prompt_tokens);

    // Asked for floats: plain JSON numbers, the same vectors (the decoded ones are float32).
    const floats = await client.embeddings.create({ model: MODEL, input, encoding_format: 'float' });
    expect(floats.data).toHaveLength(3);
    for (const [i, d] of floats.data.entries()) {
      expect(Array.isArray(d.embedding)).toBe(true);
      expect(d.embedding).toHaveLength(length);
      expect(maxDifference(d.embedding.map(Math.fround), vectors[i]!)).toBeLessThan(1e-6);
    }

    // Asked for base64 explicitly, the SDK hands the string over as it came: little-endian float32.
    const base64 = await client.embeddings.create({ model: MODEL, input: [input[0]!], encoding_format: 'base64' });
    const encoded = base64.data[0]!.embedding as unknown;
    expect(typeof encoded).toBe('string');
    const bytes = Buffer.from(encoded as string, 'base64');
    expect(bytes.length).toBe(length * 4);
    const fromBase64 = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, length));
    expect(maxDifference(fromBase64, vectors[0]!)).toBeLessThan(1e-6);

    const short = await client.embeddings.create({ model: MODEL, input: [input[0]!], dimensions: 32, encoding_format: 'float' });
    expect(short.data[0]!.embedding).toHaveLength(32);
    expect(short.data[0]!.embedding.every(Number.isFinite)).toBe(true);
  });

  it('streams a Responses API tool call, then answers its output after previous_response_id', async () => {
    const stream = await client.responses.create({
      model: MODEL,
      input: 'What is the weather in Paris?',
      tools: [WEATHER_FUNCTION],
      tool_choice: { type: 'function', name: 'get_weather' },
      temperature: 0,
      max_output_tokens: 48,
      stream: true,
    });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);

    const types = events.map((e) => e.type);
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(types).toContain('response.output_item.added');
    expect(types).toContain('response.function_call_arguments.done');
    expect(types.indexOf('response.function_call_arguments.done')).toBeLessThan(types.indexOf('response.completed'));
    expectConsecutive(
      events.map((e) => e.sequence_number),
      events[0]!.sequence_number,
    );
    const argsDone = events.filter((e) => e.type === 'response.function_call_arguments.done');
    expect(argsDone).toHaveLength(1);

    const completed = events.at(-1);
    if (completed?.type !== 'response.completed') throw new Error('the stream did not end with response.completed');
    const response = completed.response;
    expect(response.id).toMatch(/^resp_/);
    expect(response.status).toBe('completed');
    const calls = response.output.filter((item) => item.type === 'function_call');
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.name).toBe('get_weather');
    expect(call.call_id.length).toBeGreaterThan(0);
    weatherArguments(call.arguments);
    expect(argsDone[0]).toMatchObject({ arguments: call.arguments });

    const answer = await client.responses.create({
      model: MODEL,
      previous_response_id: response.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"temperature_c":18}' }],
      temperature: 0,
      max_output_tokens: 48,
    });
    expect(answer.object).toBe('response');
    expect(answer.previous_response_id).toBe(response.id);
    // A 135M model may talk past 48 tokens: then it is incomplete, and says why.
    expect(['completed', 'incomplete']).toContain(answer.status);
    if (answer.status === 'incomplete') expect(answer.incomplete_details?.reason).toBe('max_output_tokens');
    expect(answer.output_text.trim().length).toBeGreaterThan(0);
    expect(answer.output.filter((item) => item.type === 'function_call')).toHaveLength(0);

    const retrieved = await client.responses.retrieve(response.id);
    expect(retrieved.id).toBe(response.id);
    expect(retrieved.status).toBe('completed');
    expect(retrieved.output.filter((item) => item.type === 'function_call').map((item) => (item as { call_id: string }).call_id)).toEqual([
      call.call_id,
    ]);
  });

  it('resumes a dropped Responses stream after its last sequence number: no gap, nothing twice', async () => {
    const auth = { authorization: `Bearer ${stack.token()}` };
    const controller = new AbortController();
    const response = await fetch(`${stack.gateway}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...auth },
      body: JSON.stringify(forcedResponseBody('What is the weather in Rome?')),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);

    // Read up to the first output item (the function call opening), then drop the connection.
    const before: StreamEvent[] = [];
    try {
      for await (const sse of readSse(response.body!)) {
        before.push(responseEventOf(sse));
        if (before.at(-1)!.type === 'response.output_item.added') break;
      }
    } finally {
      controller.abort();
    }
    expect(before[0]?.type).toBe('response.created');
    expect(before.at(-1)?.type).toBe('response.output_item.added');
    expectConsecutive(
      before.map((e) => e.sequence_number),
      before[0]!.sequence_number,
    );
    const id = (before[0]!.response as { id: string }).id;
    expect(id).toMatch(/^resp_/);
    const last = before.at(-1)!.sequence_number;

    const resumed = await fetch(`${stack.gateway}/v1/responses/${id}?stream=true&starting_after=${last}`, {
      headers: { accept: 'text/event-stream', ...auth },
    });
    expect(resumed.status).toBe(200);
    expect(resumed.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const after: StreamEvent[] = [];
    for await (const sse of readSse(resumed.body!)) after.push(responseEventOf(sse));

    expect(after.length).toBeGreaterThan(0);
    expectConsecutive(
      after.map((e) => e.sequence_number),
      last + 1,
    );
    expect(after.at(-1)?.type).toBe('response.completed');
    expect(after.map((e) => e.type)).not.toContain('response.created');
    const all = [...before, ...after];
    expect(new Set(all.map((e) => e.sequence_number)).size).toBe(all.length);

    // Exactly one function call, opened once, its arguments once, finished once.
    const added = all.filter((e) => e.type === 'response.output_item.added' && (e.item as { type: string }).type === 'function_call');
    expect(added).toHaveLength(1);
    expect(all.filter((e) => e.type === 'response.function_call_arguments.done')).toHaveLength(1);
    const doneItems = all.filter((e) => e.type === 'response.output_item.done' && (e.item as { type: string }).type === 'function_call');
    expect(doneItems).toHaveLength(1);
    const item = doneItems[0]!.item as { id: string; call_id: string; name: string; arguments: string };
    expect(item.id).toBe((added[0]!.item as { id: string }).id);
    expect(item.name).toBe('get_weather');
    weatherArguments(item.arguments);
    const argumentDeltas = all.filter((e) => e.type === 'response.function_call_arguments.delta').map((e) => e.delta as string);
    expect(argumentDeltas.join('')).toBe(item.arguments);

    const final = after.at(-1)!.response as { id: string; status: string; output: { type: string; call_id?: string }[] };
    expect(final.id).toBe(id);
    expect(final.status).toBe('completed');
    expect(final.output.filter((o) => o.type === 'function_call').map((o) => o.call_id)).toEqual([item.call_id]);
  });

  it('refuses what it does not support with a 400 that names the field', async () => {
    const hi: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'hi' }];
    const cases: { what: string; call: () => PromiseLike<unknown>; names: RegExp }[] = [
      { what: 'n: 2', call: () => client.chat.completions.create({ model: MODEL, messages: hi, n: 2 }), names: /\bn\b/ },
      {
        what: 'audio output',
        call: () =>
          client.chat.completions.create({
            model: MODEL,
            messages: hi,
            modalities: ['text', 'audio'],
            audio: { voice: 'alloy', format: 'wav' },
          }),
        names: /\b(audio|modalities)\b/,
      },
      {
        what: 'a background response',
        call: () => client.responses.create({ model: MODEL, input: 'hi', background: true }),
        names: /\bbackground\b/,
      },
      {
        what: 'a hosted tool',
        call: () => client.responses.create({ model: MODEL, input: 'hi', tools: [{ type: 'web_search' }] }),
        names: /\b(tools|web_search)\b/,
      },
    ];
    for (const { what, call, names } of cases) {
      const error = await rejection(call());
      expect({ what, isBadRequest: error instanceof OpenAI.BadRequestError }).toEqual({ what, isBadRequest: true });
      const badRequest = error as InstanceType<typeof OpenAI.BadRequestError>;
      expect({ what, status: badRequest.status }).toEqual({ what, status: 400 });
      expect(badRequest.message).toMatch(names);
    }
    const many = (await rejection(client.chat.completions.create({ model: MODEL, messages: hi, n: 2 }))) as InstanceType<
      typeof OpenAI.BadRequestError
    >;
    expect(many.param).toBe('n');
  });

  it('works from the Python SDK: tools, structured output, a streamed call, embeddings, Responses', async () => {
    const located = spawnSync('bash', [join(ROOT, 'scripts/infra/openai-python.sh'), 'path', 'python'], { encoding: 'utf8' });
    if (located.status !== 0) {
      throw new Error(`the openai Python SDK is missing: run \`bash scripts/infra/openai-python.sh install\` (${located.stderr.trim()})`);
    }
    const python = located.stdout.trim();
    const { code, stdout, stderr } = await run(python, [join(__dirname, 'support', 'openai_sdk_check.py')], {
      // Only what it needs: no OPENAI_* of the machine's (an org or project header, a proxy).
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      OPENAI_BASE_URL: `${stack.gateway}/v1`,
      OPENAI_API_KEY: stack.token(),
      MODEL,
      PYTHONUNBUFFERED: '1',
    });
    let report: Record<string, unknown>;
    try {
      report = JSON.parse(stdout) as Record<string, unknown>;
    } catch {
      throw new Error(`the Python check printed no JSON (exit ${code}):\n${stdout}\n${stderr}`);
    }
    // Each check that raised is named with its traceback; none should have.
    expect(report.errors).toEqual({});
    expect(code).toBe(0);

    expect(report).toMatchObject({
      sdk_version: '3.57.0',
      tool_call_name: 'get_weather',
      tool_finish_reason: 'tool_calls',
      tool_args: { city: expect.any(String) },
      final_answer: expect.stringMatching(/\S/),
      schema_valid: true,
      structured: { city: expect.any(String), country: expect.any(String) },
      parsed_city: expect.any(String),
      stream_tool_name: 'get_weather',
      stream_tool_args: { city: expect.any(String) },
      stream_finish_reason: 'tool_calls',
      stream_first_delta_has_id: true,
      stream_done_events: 1,
      embedding_dimensions: expect.any(Number),
      embeddings_identical: true,
      responses_first_event: 'response.created',
      responses_last_event: 'response.completed',
      responses_status: 'completed',
      responses_function_call_name: 'get_weather',
      responses_function_call_args: { city: expect.any(String) },
      replay_sequence_numbers_after: true,
      replay_function_call_id_matches: true,
      bad_request: { status: 400, param: 'n', names_field: true },
    });
    expect(['stop', 'length']).toContain(report.final_finish_reason);
    expect(report.embedding_dimensions as number).toBeGreaterThan(0);
    expect(report.responses_sequence_consecutive).toBe(true);
  });
});

/** Runs a program to its end (killed after 200 s); its exit code and output. */
function run(command: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 200_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
