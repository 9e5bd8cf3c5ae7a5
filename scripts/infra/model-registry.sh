#!/usr/bin/env bash
# The OCI registry that the model operator's end-to-end tests push models to and pull them
# from (test/e2e/support/model-lab.ts starts private instances of it). It is the very
# binary of the local cluster's registry (distribution v3, from the wrapper module
# scripts/infra/cluster/registry): cluster.sh builds it, into the cluster's bin folder, and
# this script only asks it to build that one binary (no root, no Debian packages needed),
# so the two never build it twice or disagree about its version.
#   model-registry.sh install   build the registry unless it is built and up to date
#   model-registry.sh binary    the path of the registry binary
#   model-registry.sh env       version and binary path as JSON
# Note: `cluster.sh down` (and `up`, which begins with one) kills every process that runs a
# binary of the cluster's bin folder, so a lab registry of a test running at that moment too.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
CLUSTER_SH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/cluster.sh"

# json_field NAME: a string field of the JSON object on stdin (flat, no escapes: paths and
# versions only).
json_field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }

cluster_env() { bash "$CLUSTER_SH" env; }

registry_binary() {
  local bin
  bin="$(cluster_env | json_field bin)"
  [[ -n "$bin" ]] || die "cluster.sh env names no bin folder"
  echo "$bin/registry"
}

install() {
  bash "$CLUSTER_SH" build-registry
  local binary
  binary="$(registry_binary)"
  [[ -x "$binary" ]] || die "the registry build left no binary at $binary"
}

env_json() {
  local env
  env="$(cluster_env)"
  printf '{"version":"%s","binary":"%s"}\n' "$(json_field registryVersion <<<"$env")" "$(json_field bin <<<"$env")/registry"
}

case "${1:-}" in
  install) install ;;
  binary) registry_binary ;;
  env) env_json ;;
  *) die "usage: $0 install|binary|env" ;;
esac
