#!/usr/bin/env bash
# The tools that check the gateway's API against its OpenAPI document, from PyPI, in one
# virtual environment of their own under ~/.cache/shoshizan (never the system Python, never
# the repository); a rerun that finds the pinned versions in place does nothing.
#   - openapi-spec-validator: validates the document against the OpenAPI 3.1 specification
#     (services/gateway/src/docs/openapi-document.spec.ts);
#   - Schemathesis: property-based tests of the running gateway against that document
#     (test/e2e/api-contract.e2e-spec.ts).
#   api-tools.sh install        create the venv and install the pinned versions
#   api-tools.sh path TOOL      where TOOL (st, openapi-spec-validator) is
#   api-tools.sh versions       the pinned versions, as JSON
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# Pinned: a new release can add checks or change what they accept, which would change what
# the tests fail on without a change here. Their own dependencies follow their ranges.
SCHEMATHESIS_VERSION="4.32.5"
OPENAPI_SPEC_VALIDATOR_VERSION="0.9.0"
VENV="$SHOSHIZAN_HOME/api-tools/schemathesis-$SCHEMATHESIS_VERSION+openapi-spec-validator-$OPENAPI_SPEC_VALIDATOR_VERSION"

installed() {
  [[ -x "$VENV/bin/st" && -x "$VENV/bin/openapi-spec-validator" ]] &&
    [[ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"), m.version("openapi-spec-validator"))' 2>/dev/null)" == "$SCHEMATHESIS_VERSION $OPENAPI_SPEC_VALIDATOR_VERSION" ]]
}

install() {
  installed && return 0
  pip_venv "$VENV" "Schemathesis $SCHEMATHESIS_VERSION and openapi-spec-validator $OPENAPI_SPEC_VALIDATOR_VERSION" \
    "schemathesis==$SCHEMATHESIS_VERSION" "openapi-spec-validator==$OPENAPI_SPEC_VALIDATOR_VERSION"
  installed || die "the API tools are not in $VENV after their install"
  log "installed $("$VENV/bin/st" --version 2>/dev/null) and openapi-spec-validator $OPENAPI_SPEC_VALIDATOR_VERSION"
}

tool_path() {
  case "$1" in
    st | openapi-spec-validator) ;;
    *) die "unknown tool '$1' (st, openapi-spec-validator)" ;;
  esac
  installed || die "the API tools are not installed; run: bash scripts/infra/api-tools.sh install"
  echo "$VENV/bin/$1"
}

case "${1:-}" in
  install) with_install_lock api-tools install ;;
  path) tool_path "${2:-}" ;;
  versions)
    printf '{"schemathesis":"%s","openapi-spec-validator":"%s"}\n' "$SCHEMATHESIS_VERSION" "$OPENAPI_SPEC_VALIDATOR_VERSION"
    ;;
  *) die "usage: $0 install|path <st|openapi-spec-validator>|versions" ;;
esac
