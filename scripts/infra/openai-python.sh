#!/usr/bin/env bash
# OpenAI's official Python SDK, from PyPI, in one virtual environment of its own under
# ~/.cache/shoshizan (never the system Python, never the repository), for the end-to-end
# test that drives the gateway's OpenAI-compatible API from Python as a user's code would
# (test/e2e/openai-agents.e2e-spec.ts runs test/e2e/support/openai_sdk_check.py with it).
#   - openai: the SDK itself (chat completions, tools, structured output, embeddings,
#     the Responses API);
#   - jsonschema: validates the structured answers against the schema that was asked for.
# A rerun that finds the pinned versions in place does nothing.
#   openai-python.sh install        create the venv and install the pinned versions
#   openai-python.sh path [python]  where the venv's python is
#   openai-python.sh versions       the pinned versions, as JSON
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# Pinned: a new SDK release can change what it sends or how it parses an answer, which
# would change what the test fails on without a change here. Their own dependencies
# (httpx, pydantic, ...) follow their ranges.
OPENAI_VERSION="3.57.0"
JSONSCHEMA_VERSION="4.26.0"
VENV="$SHOSHIZAN_HOME/openai-python/openai-$OPENAI_VERSION+jsonschema-$JSONSCHEMA_VERSION"

installed() {
  [[ -x "$VENV/bin/python" ]] &&
    [[ "$("$VENV/bin/python" -c 'import openai, jsonschema, importlib.metadata as m; print(m.version("openai"), m.version("jsonschema"))' 2>/dev/null)" == "$OPENAI_VERSION $JSONSCHEMA_VERSION" ]]
}

install() {
  installed && return 0
  pip_venv "$VENV" "the openai Python SDK $OPENAI_VERSION and jsonschema $JSONSCHEMA_VERSION" \
    "openai==$OPENAI_VERSION" "jsonschema==$JSONSCHEMA_VERSION"
  installed || die "the openai Python SDK is not in $VENV after its install"
  log "installed openai $OPENAI_VERSION and jsonschema $JSONSCHEMA_VERSION ($("$VENV/bin/python" --version 2>&1))"
}

tool_path() {
  case "${1:-python}" in
    python) ;;
    *) die "unknown tool '$1' (python)" ;;
  esac
  installed || die "the openai Python SDK is not installed; run: bash scripts/infra/openai-python.sh install"
  echo "$VENV/bin/python"
}

case "${1:-}" in
  install) with_install_lock openai-python install ;;
  path) tool_path "${2:-python}" ;;
  versions)
    printf '{"openai":"%s","jsonschema":"%s"}\n' "$OPENAI_VERSION" "$JSONSCHEMA_VERSION"
    ;;
  *) die "usage: $0 install|path [python]|versions" ;;
esac
