#!/usr/bin/env bash
# Installs the npm workspaces when missing or stale, and builds every package.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# lib.sh put a Node.js 24 first on PATH. npm ci when node_modules is absent, older than the
# lock file, or installed by a node of another major release (native add-ons are built for
# one ABI; the stamp says which node installed them).
stamp=node_modules/.shoshizan-node-abi
abi="$(node -p 'process.versions.modules')"
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ||
  "$(cat "$stamp" 2>/dev/null)" != "$abi" ]]; then
  log "installing npm dependencies with Node.js $(node --version)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$abi" >"$stamp"
fi
log "building the TypeScript packages"
npm run --silent build
log "building the UI"
npm run --silent -w ui build
