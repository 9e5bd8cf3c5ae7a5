"""The gateway's OpenAI-compatible API driven by OpenAI's Python SDK, as an agent's code would.

Run by test/e2e/openai-agents.e2e-spec.ts with the venv of scripts/infra/openai-python.sh
(the pinned `openai` and `jsonschema`), and the environment:
  OPENAI_BASE_URL  the gateway's /v1
  OPENAI_API_KEY   a token of the test's stack
  MODEL            the model to use (a small one: every call forces its tool and is greedy)

Each check runs even when an earlier one failed. Prints ONE JSON object on stdout: what the
checks found, and `errors`, each failed check's traceback by name; exits 1 when any failed.
"""

from __future__ import annotations

import json
import os
import re
import sys
import traceback
from typing import Any, Callable, Dict, List

import jsonschema
import openai
from openai import OpenAI
from pydantic import BaseModel

MODEL = os.environ["MODEL"]
# The base URL and the key come from OPENAI_BASE_URL and OPENAI_API_KEY, as in a user's code.
client = OpenAI(max_retries=0, timeout=180.0)

WEATHER_PARAMETERS: Dict[str, Any] = {
    "type": "object",
    "properties": {"city": {"type": "string", "description": "The name of the city, e.g. Paris."}},
    "required": ["city"],
    "additionalProperties": False,
}
WEATHER_TOOL: Dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current weather in a city.",
        "parameters": WEATHER_PARAMETERS,
        "strict": True,
    },
}
FORCE_WEATHER: Dict[str, Any] = {"type": "function", "function": {"name": "get_weather"}}
# The same tool in the Responses API's shape.
WEATHER_FUNCTION: Dict[str, Any] = {
    "type": "function",
    "name": "get_weather",
    "description": "The current weather in a city.",
    "parameters": WEATHER_PARAMETERS,
    "strict": True,
}
WEATHER_RESULT = '{"temperature_c": 18, "sky": "clear"}'
CITY_SCHEMA: Dict[str, Any] = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
    "required": ["city", "country"],
    "additionalProperties": False,
}
# Greedy and short: the model gives 20 to 60 tokens a second on two cores.
GREEDY: Dict[str, Any] = {"temperature": 0, "max_tokens": 48}

report: Dict[str, Any] = {"sdk_version": openai.__version__, "errors": {}}


def weather_arguments(arguments: str) -> Dict[str, Any]:
    """A tool call's arguments: a JSON object with a non-empty string `city`."""
    parsed = json.loads(arguments)
    assert isinstance(parsed, dict), f"the arguments are not an object: {arguments!r}"
    assert isinstance(parsed.get("city"), str) and parsed["city"].strip(), f"no city in {arguments!r}"
    return parsed


def tool_round_trip() -> None:
    """A forced tool call, its result sent back, and the answer made from it."""
    messages: List[Any] = [{"role": "user", "content": "What is the weather in Paris?"}]
    completion = client.chat.completions.create(
        model=MODEL, messages=messages, tools=[WEATHER_TOOL], tool_choice=FORCE_WEATHER, **GREEDY
    )
    choice = completion.choices[0]
    report["tool_finish_reason"] = choice.finish_reason
    calls = choice.message.tool_calls or []
    assert len(calls) == 1, f"expected one tool call, got {calls!r}"
    call = calls[0]
    assert call.type == "function", f"not a function call: {call!r}"
    assert call.id, "the tool call has no id"
    report["tool_call_name"] = call.function.name
    report["tool_args"] = weather_arguments(call.function.arguments)

    # The history as the SDK's examples build it: the assistant's message object as it came.
    messages.append(choice.message)
    messages.append({"role": "tool", "tool_call_id": call.id, "content": WEATHER_RESULT})
    final = client.chat.completions.create(
        model=MODEL, messages=messages, tools=[WEATHER_TOOL], tool_choice="none", **GREEDY
    )
    report["final_answer"] = final.choices[0].message.content
    report["final_finish_reason"] = final.choices[0].finish_reason
    assert not final.choices[0].message.tool_calls, "tool_choice 'none' answered with a tool call"


def structured_output() -> None:
    """A json_schema answer, validated with jsonschema."""
    completion = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "In which city and country is the Eiffel Tower?"}],
        response_format={"type": "json_schema", "json_schema": {"name": "city", "strict": True, "schema": CITY_SCHEMA}},
        **GREEDY,
    )
    content = completion.choices[0].message.content or ""
    answer = json.loads(content)
    report["structured"] = answer
    jsonschema.validate(answer, CITY_SCHEMA)
    report["schema_valid"] = True


class City(BaseModel):
    city: str
    country: str


def parsed_output() -> None:
    """The SDK's own structured output: a Pydantic model turned into a strict schema and back."""
    completion = client.chat.completions.parse(
        model=MODEL,
        messages=[{"role": "user", "content": "In which city and country is the Colosseum?"}],
        response_format=City,
        **GREEDY,
    )
    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, City), f"not parsed: {completion.choices[0].message!r}"
    report["parsed_city"] = parsed.city


def streamed_tool_call() -> None:
    """A forced tool call streamed, assembled by the SDK's stream helper."""
    first_delta = None
    done_events = []
    with client.chat.completions.stream(
        model=MODEL,
        messages=[{"role": "user", "content": "What is the weather in Tokyo?"}],
        tools=[WEATHER_TOOL],
        tool_choice=FORCE_WEATHER,
        **GREEDY,
    ) as stream:
        for event in stream:
            if event.type == "chunk":
                for choice in event.chunk.choices:
                    for delta in choice.delta.tool_calls or []:
                        if first_delta is None:
                            first_delta = delta
            elif event.type == "tool_calls.function.arguments.done":
                done_events.append(event)
        final = stream.get_final_completion()
    choice = final.choices[0]
    report["stream_finish_reason"] = choice.finish_reason
    calls = choice.message.tool_calls or []
    assert len(calls) == 1, f"expected one tool call, got {calls!r}"
    report["stream_tool_name"] = calls[0].function.name
    report["stream_tool_args"] = weather_arguments(calls[0].function.arguments)
    report["stream_first_delta_has_id"] = bool(
        first_delta is not None
        and first_delta.id
        and first_delta.function is not None
        and first_delta.function.name == "get_weather"
    )
    report["stream_done_events"] = len(done_events)


def embeddings() -> None:
    """The same text twice: the same vector (the SDK asks for base64 and decodes it)."""
    result = client.embeddings.create(model=MODEL, input=["the same text", "the same text"])
    assert len(result.data) == 2, f"expected two embeddings, got {len(result.data)}"
    first, second = result.data[0].embedding, result.data[1].embedding
    report["embedding_dimensions"] = len(first)
    report["embeddings_identical"] = (
        len(first) == len(second) > 0 and max(abs(a - b) for a, b in zip(first, second)) < 1e-6
    )


def responses_stream() -> None:
    """A Responses stream with a forced tool call, then its events again from a sequence number."""
    with client.responses.stream(
        model=MODEL,
        input="What is the weather in Paris?",
        tools=[WEATHER_FUNCTION],
        tool_choice={"type": "function", "name": "get_weather"},
        temperature=0,
        max_output_tokens=48,
    ) as stream:
        events = list(stream)
        response = stream.get_final_response()
    types = [event.type for event in events]
    numbers = [event.sequence_number for event in events]
    report["responses_first_event"] = types[0] if types else None
    report["responses_last_event"] = types[-1] if types else None
    report["responses_sequence_consecutive"] = bool(numbers) and numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    report["responses_status"] = response.status
    calls = [item for item in response.output if item.type == "function_call"]
    assert len(calls) == 1, f"expected one function call, got {response.output!r}"
    report["responses_function_call_name"] = calls[0].name
    report["responses_function_call_args"] = weather_arguments(calls[0].arguments)

    # The stored response's events again (GET /v1/responses/{id}?stream=true), after the
    # first two (response.created and response.in_progress).
    after = 1
    with client.responses.stream(response_id=response.id, starting_after=after) as replay:
        replayed = list(replay)
        again = replay.get_final_response()
    report["replay_sequence_numbers_after"] = bool(replayed) and all(e.sequence_number > after for e in replayed)
    report["replay_function_call_id_matches"] = [
        item.call_id for item in again.output if item.type == "function_call"
    ] == [calls[0].call_id]


def bad_request() -> None:
    """An unsupported parameter: openai.BadRequestError, naming it."""
    try:
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}], n=2)
    except openai.BadRequestError as error:
        report["bad_request"] = {
            "status": error.status_code,
            "param": getattr(error, "param", None),
            "names_field": bool(re.search(r"\bn\b", error.message)),
            "message": error.message,
        }
    else:
        raise AssertionError("n=2 was answered, not refused")


CHECKS: List[Callable[[], None]] = [
    tool_round_trip,
    structured_output,
    parsed_output,
    streamed_tool_call,
    embeddings,
    responses_stream,
    bad_request,
]


def main() -> int:
    for check in CHECKS:
        try:
            check()
        except Exception:  # noqa: BLE001 - every failure is reported, by check
            report["errors"][check.__name__] = traceback.format_exc()
            print(f"{check.__name__} failed:\n{report['errors'][check.__name__]}", file=sys.stderr)
    print(json.dumps(report, default=str))
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
