#!/usr/bin/env bash
# The OpenTelemetry Collector of the tracing end-to-end test (test/e2e/tracing.e2e-spec.ts):
# a distribution of our own (the OTLP receiver and the otlphttp exporter), built from source
# with the machine's Go out of the Go module cache, from the wrapper module in
# scripts/infra/otelcol/ (its go.mod and go.sum pin every version: all collector modules at
# one release). The test starts private instances with configurations of its own.
#   otelcol.sh install   build the collector into ~/.cache/shoshizan/otelcol/<version>/bin
#                        (a rerun that finds it up to date does nothing)
#   otelcol.sh binary    the path of the collector binary
#   otelcol.sh env       version and binary path as JSON
# Measured here (2 cores shared with other work, 2026-12-01): a cold build (empty Go build
# cache, module cache warm) took 112 s; a rerun that finds it built, well under a second.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/otelcol" && pwd)"

# The release comes from the wrapper module's go.mod, the one place it is pinned.
OTELCOL_VERSION="$(awk '($1 == "go.opentelemetry.io/collector/otelcol" && $2 ~ /^v/) { print $2 }' "$HERE/go.mod" | head -n 1)"
[[ -n "$OTELCOL_VERSION" ]] || die "no go.opentelemetry.io/collector/otelcol version in $HERE/go.mod"
BIN_DIR="$SHOSHIZAN_HOME/otelcol/$OTELCOL_VERSION/bin"
BINARY="$BIN_DIR/otelcol"
BUILD_DIR="$SHOSHIZAN_HOME/build/otelcol"

go_cmd() {
  if command -v go >/dev/null 2>&1; then command -v go
  elif [[ -x /usr/local/go/bin/go ]]; then echo /usr/local/go/bin/go
  else die "Go (1.26 or later) is needed to build the OpenTelemetry Collector; put it on PATH"
  fi
}

# source_sum: what the binary was built from (the wrapper module and the Go release); a
# binary whose stamp differs is rebuilt.
source_sum() {
  { cat "$HERE/go.mod" "$HERE/go.sum" "$HERE/main.go"; "$GO" env GOVERSION; } | sha256sum | cut -d' ' -f1
}

built() { [[ -x "$BINARY" && -f "$BINARY.stamp" && "$(cat "$BINARY.stamp")" == "$(source_sum)" ]]; }

# build: one `go build` of the wrapper module, moved into place only once complete.
# -mod=readonly: go.mod and go.sum are used as committed, never changed.
build() {
  GO="$(go_cmd)"
  built && return 0
  rm -rf "$BUILD_DIR" && mkdir -p "$BUILD_DIR" "$BIN_DIR"
  log "building the OpenTelemetry Collector $OTELCOL_VERSION from source (about 2 minutes cold on 2 cores)"
  run_build otelcol "$SHOSHIZAN_LOGS/otelcol-build.log" "$HERE" env CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS= \
    "$GO" build -mod=readonly -trimpath -buildvcs=false -ldflags "-s -w -X main.version=$OTELCOL_VERSION" -o "$BUILD_DIR/otelcol" .
  mv "$BUILD_DIR/otelcol" "$BINARY"
  source_sum >"$BINARY.stamp"
  rm -rf "$BUILD_DIR"
  "$BINARY" --version >/dev/null || die "the built collector does not run"
}

install() { with_install_lock otelcol build; }

case "${1:-}" in
  install) install ;;
  binary) echo "$BINARY" ;;
  env) printf '{"version":"%s","binary":"%s"}\n' "$OTELCOL_VERSION" "$BINARY" ;;
  *) die "usage: $0 install|binary|env" ;;
esac
