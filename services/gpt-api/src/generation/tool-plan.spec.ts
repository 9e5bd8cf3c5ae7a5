import { ErrorCode, type Tool } from '@shoshizan/shared-interfaces';
import { callFromConstrainedOutput, checkToolCallArguments, constrainedFormat, planTools, type ConstrainedToolPlan } from './tool-plan';

const weather: Tool = {
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const time: Tool = { name: 'get_time' };

function constrained(tools: Tool[]): ConstrainedToolPlan {
  const plan = planTools({ tools, toolChoice: 'required' });
  if (plan.kind !== 'constrained') throw new Error(`expected a constrained plan, got ${plan.kind}`);
  return plan;
}

describe('planTools', () => {
  it('gives the model no tools when none are offered or the client says none', () => {
    expect(planTools({})).toEqual({ kind: 'text' });
    expect(planTools({ tools: [weather], toolChoice: 'none' })).toEqual({ kind: 'text' });
  });

  it("offers the tools through the model's template when the model decides (auto, the default)", () => {
    expect(planTools({ tools: [weather] })).toEqual({ kind: 'native', tools: [weather], parallel: true });
    expect(planTools({ tools: [weather, time], toolChoice: 'auto', parallelToolCalls: false })).toEqual({
      kind: 'native',
      tools: [weather, time],
      parallel: false,
    });
  });

  it("forces a named function: the output is held to its parameters and the instruction describes it alone", () => {
    const plan = planTools({ tools: [weather, time], toolChoice: { name: 'get_weather' } });
    expect(plan).toMatchObject({ kind: 'constrained', tools: [weather], format: weather.parameters });
    const { instruction } = plan as ConstrainedToolPlan;
    expect(instruction).toContain('Call the function get_weather now');
    expect(instruction).toContain('The weather in a city');
    expect(instruction).toContain(JSON.stringify(weather.parameters));
    expect(instruction).not.toContain('get_time');
  });

  it('forces a function that takes nothing to the empty object', () => {
    expect(planTools({ tools: [time], toolChoice: { name: 'get_time' } })).toMatchObject({
      format: { type: 'object', properties: {} },
    });
  });

  it('forces the only tool when a call is required of one', () => {
    expect(constrained([weather])).toMatchObject({ tools: [weather], format: weather.parameters });
  });

  it('holds a call required among several tools to a name and the arguments of that name', () => {
    const plan = constrained([weather, time]);
    expect(plan.format).toEqual({
      anyOf: [
        {
          type: 'object',
          properties: { name: { const: 'get_weather' }, arguments: weather.parameters },
          required: ['name', 'arguments'],
        },
        {
          type: 'object',
          properties: { name: { const: 'get_time' }, arguments: { type: 'object', properties: {} } },
          required: ['name', 'arguments'],
        },
      ],
    });
    expect(plan.instruction).toContain('Call one of the functions below now');
    expect(plan.instruction).toContain('Function get_weather: The weather in a city');
    expect(plan.instruction).toContain('Function get_time\n');
  });
});

describe('constrainedFormat', () => {
  it("points a tool's local references at its place in the combined schema", () => {
    const withDefs: Tool = {
      name: 'book',
      parameters: {
        type: 'object',
        properties: { guest: { $ref: '#/$defs/Person' }, note: { $ref: 'https://example.com/note' } },
        $defs: { Person: { type: 'object', properties: { name: { type: 'string' } } } },
      },
    };
    const format = constrainedFormat([weather, withDefs]) as { anyOf: Array<{ properties: { arguments: unknown } }> };
    expect(format.anyOf[1]?.properties.arguments).toEqual({
      type: 'object',
      properties: { guest: { $ref: '#/anyOf/1/properties/arguments/$defs/Person' }, note: { $ref: 'https://example.com/note' } },
      $defs: { Person: { type: 'object', properties: { name: { type: 'string' } } } },
    });
  });
});

describe('callFromConstrainedOutput', () => {
  it("takes a forced function's output as its arguments", () => {
    expect(callFromConstrainedOutput(constrained([weather]), ' {"city": "Paris"}\n', 'stop')).toEqual({
      name: 'get_weather',
      arguments: '{"city": "Paris"}',
    });
  });

  it('takes the name and the arguments of a call among several tools', () => {
    const output = '{"name": "get_time", "arguments": {}}';
    expect(callFromConstrainedOutput(constrained([weather, time]), output, 'stop')).toEqual({ name: 'get_time', arguments: '{}' });
  });

  it('refuses an output cut off at maxTokens, saying so', () => {
    const call = () => callFromConstrainedOutput(constrained([weather]), '{"city": "Par', 'length');
    expect(call).toThrow(expect.objectContaining({ code: ErrorCode.ValidationFailed }));
    expect(call).toThrow(/not a JSON object: "\{\\"city\\": \\"Par"; it was cut off at maxTokens/);
  });

  it('refuses a call among several that names no tool offered', () => {
    const call = () => callFromConstrainedOutput(constrained([weather, time]), '{"name": "rm", "arguments": {}}', 'stop');
    expect(call).toThrow(/no \{"name", "arguments"\} of one of the tools: .*a stop sequence/);
  });

  it('refuses JSON that is not an object', () => {
    expect(() => callFromConstrainedOutput(constrained([weather]), '[1]', 'stop')).toThrow(/not a JSON object/);
  });
});

describe('checkToolCallArguments', () => {
  it("names the history's call whose arguments are not a JSON object", () => {
    const messages = [
      { role: 'user' as const, content: 'Hi' },
      { role: 'assistant' as const, content: '', toolCalls: [{ id: 'a', name: 'f', arguments: '{}' }, { id: 'b', name: 'f', arguments: '"x"' }] },
    ];
    expect(() => checkToolCallArguments(messages)).toThrow(
      expect.objectContaining({
        code: ErrorCode.ValidationFailed,
        options: { issues: [{ path: 'messages.1.toolCalls.1.arguments', message: 'must be a JSON object' }] },
      }),
    );
    expect(() => checkToolCallArguments(messages.slice(0, 1))).not.toThrow();
  });
});
