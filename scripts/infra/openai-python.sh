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
  command -v python3 >/dev/null 2>&1 || apt_install python3
  # Debian splits venv (and the pip it seeds) out of python3.
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || apt_install python3-venv
  local install_log="$SHOSHIZAN_LOGS/openai-python-install.log"
  log "installing the openai Python SDK $OPENAI_VERSION and jsonschema $JSONSCHEMA_VERSION into $VENV"
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  {
    python3 -m venv "$VENV" &&
      "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
        "openai==$OPENAI_VERSION" "jsonschema==$JSONSCHEMA_VERSION"
  } >"$install_log" 2>&1 || {
    tail -n 20 "$install_log" >&2
    rm -rf "$VENV"
    die "could not install the openai Python SDK; see $install_log"
  }
  installed || die "the openai Python SDK is not in $VENV after its install; see $install_log"
  log "installed openai $OPENAI_VERSION and jsonschema $JSONSCHEMA_VERSION ($("$VENV/bin/python" --version 2>&1))"
}

# One install at a time: npm test and a lone run of a spec may both get here.
with_lock() {
  mkdir -p "$SHOSHIZAN_HOME/build"
  exec 9>"$SHOSHIZAN_HOME/build/openai-python-install.lock"
  flock 9
  "$@"
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
  install) with_lock install ;;
  path) tool_path "${2:-python}" ;;
  versions)
    printf '{"openai":"%s","jsonschema":"%s"}\n' "$OPENAI_VERSION" "$JSONSCHEMA_VERSION"
    ;;
  *) die "usage: $0 install|path [python]|versions" ;;
esac
