#!/usr/bin/env bash
# Installs the npm workspaces when missing or stale, and builds every package.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
((node_major >= 20)) || die "Node.js 20 or newer is needed (found: $(node --version 2>/dev/null || echo none))"

# npm ci when node_modules is absent or older than the lock file.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi
log "building the TypeScript packages"
npm run --silent build
log "building the UI"
npm run --silent -w ui build
