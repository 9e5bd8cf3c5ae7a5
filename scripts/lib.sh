#!/usr/bin/env bash
# Shared helpers for the local-infrastructure scripts. Sourced, never run.
# Everything installed or generated lives outside the repo, under $SHOSHIZAN_HOME,
# so a fresh clone reuses what an earlier run already built.
set -euo pipefail

SHOSHIZAN_HOME="${SHOSHIZAN_HOME:-$HOME/.cache/shoshizan}"
SHOSHIZAN_LOGS="$SHOSHIZAN_HOME/logs"   # one log file per process
SHOSHIZAN_RUN="$SHOSHIZAN_HOME/run"     # pid files
SHOSHIZAN_DATA="$SHOSHIZAN_HOME/data"   # broker log dirs, database cluster, models
mkdir -p "$SHOSHIZAN_LOGS" "$SHOSHIZAN_RUN" "$SHOSHIZAN_DATA"

# Ports of the local mode; each can be overridden from the environment.
export KAFKA_PORT="${KAFKA_PORT:-19092}"
export KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
export POSTGRES_PORT="${POSTGRES_PORT:-15432}"
export OLLAMA_PORT="${OLLAMA_PORT:-21434}"
export PROMETHEUS_PORT="${PROMETHEUS_PORT:-19090}"

log() { printf '[shoshizan] %s\n' "$*" >&2; }
die() { printf '[shoshizan] error: %s\n' "$*" >&2; exit 1; }

# wait_for DESCRIPTION TIMEOUT_SECONDS COMMAND...: polls COMMAND once a second.
wait_for() {
  local what="$1" timeout="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      log "$what was not ready after ${timeout}s"
      return 1
    fi
    sleep 1
  done
  log "$what is ready"
}

# port_open PORT: true when something listens on 127.0.0.1:PORT.
# port_open PORT [HOST]: true when something accepts connections there (HOST: 127.0.0.1).
port_open() { (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null; }

# pid_alive NAME: true when the pid file of NAME points at a live process.
pid_alive() {
  local f="$SHOSHIZAN_RUN/$1.pid"
  [[ -f "$f" ]] && kill -0 "$(cat "$f")" 2>/dev/null
}

# stop_pid NAME [TIMEOUT]: SIGTERM, wait, then SIGKILL; removes the pid file.
stop_pid() {
  local name="$1" timeout="${2:-30}" f="$SHOSHIZAN_RUN/$1.pid" pid
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + timeout))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name did not stop within ${timeout}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "stopped $name"
  fi
  rm -f "$f"
}

# apt_install PKG...: installs Debian packages that are missing (root or sudo).
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  ((${#missing[@]} == 0)) && return 0
  local sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  log "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# run_build NAME LOG DIR COMMAND...: runs a long build in DIR with a heartbeat; dies with
# the log's tail when it fails.
run_build() {
  local name="$1" build_log="$2" dir="$3"; shift 3
  local started=$SECONDS next=60 pid rc=0
  (cd "$dir" && exec "$@") >"$build_log" 2>&1 9>&- &
  pid=$!
  trap 'kill "$pid" 2>/dev/null || true' INT TERM
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if ((SECONDS - started >= next)) && kill -0 "$pid" 2>/dev/null; then
      log "still building $name ($((SECONDS - started))s)"
      next=$((next + 60))
    fi
  done
  wait "$pid" || rc=$?
  trap - INT TERM
  if ((rc != 0)); then
    tail -n 40 "$build_log" >&2
    die "the $name build failed (exit $rc); see $build_log"
  fi
  log "built $name in $((SECONDS - started))s"
}

# pip_venv VENV WHAT REQUIREMENT...: a virtual environment of its own at VENV (never the
# system Python, never the repository) holding the pinned REQUIREMENTs from PyPI, made
# afresh; WHAT names them in the log and errors. Debian splits venv (and the pip it seeds)
# out of python3. Dies with the install log's tail when pip fails.
pip_venv() {
  local venv="$1" what="$2"; shift 2
  command -v python3 >/dev/null 2>&1 || apt_install python3
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || apt_install python3-venv
  local install_log="$SHOSHIZAN_LOGS/$(basename "$(dirname "$venv")")-install.log"
  log "installing $what into $venv"
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")" "$SHOSHIZAN_LOGS"
  {
    python3 -m venv "$venv" &&
      "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "$@"
  } >"$install_log" 2>&1 || {
    tail -n 20 "$install_log" >&2
    rm -rf "$venv"
    die "could not install $what; see $install_log"
  }
}

# with_install_lock NAME COMMAND...: one install of NAME at a time (npm start, npm test and
# a lone run of a spec may all get there at once).
with_install_lock() {
  local name="$1"; shift
  mkdir -p "$SHOSHIZAN_HOME/build"
  exec 9>"$SHOSHIZAN_HOME/build/$name-install.lock"
  flock 9
  "$@"
}

# Node.js 24 for every script and what it runs (npm ci, the build, the services, jest):
# the machine's when it is a 24, else the pinned one from the cache (see infra/node.sh).
source "$(dirname "${BASH_SOURCE[0]}")/infra/node.sh"
node_use
