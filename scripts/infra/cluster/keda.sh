#!/usr/bin/env bash
# KEDA in the local cluster of scripts/infra/cluster.sh, so the chart's ScaledObject (the
# Kafka trigger of charts/shoshizan/templates/kafka-consumer.yaml) has an operator and an
# external metrics API behind it. Built here from the published module
# github.com/kedacore/keda/v2 (the wrapper module keda/ pins the version in go.mod and the
# content in go.sum); the manifests are KEDA's own, from the module's config/ directory.
#   keda.sh install    build the operator (keda) and the metrics API server (keda-adapter),
#                      pack each as a one-layer image and push it to the cluster's registry
#                      when the cluster is up (a rerun that finds them built does nothing)
#   keda.sh deploy     install, push, apply into namespace keda and wait until the operator
#                      and the metrics API server are Available and so is the APIService
#                      v1beta1.external.metrics.k8s.io
#   keda.sh undeploy   remove every ScaledObject, ScaledJob and trigger authentication (the
#                      operator takes its finalizers and HPAs away), then everything deploy
#                      made, CRDs and APIService included, and wait until it is gone
#   keda.sh status     deployments, pods, the APIService, memory of the KEDA pods
#   keda.sh manifests  print the manifests deploy applies
#
# Why a wrapper module: KEDA's go.mod has a replace line, so `go install ...@v2.21.0` is
# refused; a module that requires KEDA, repeats its replace and exclude lines and names the
# two commands as tools builds them unchanged (`go build <package path>`).
# Manifests: config/minimal of the module (CRDs, namespace, RBAC, operator, metrics server,
# APIService; config/default adds the admission webhooks, which are not deployed: nothing
# here needs them, and without them nothing validates ScaledObjects at admission time) and a
# kustomize overlay that points the two images at the local registry. The operator makes
# and rotates the certificates of the metrics server itself (--enable-cert-rotation, in the
# upstream manifest): the Secret keda/kedaorg-certs and the APIService's caBundle.
# Images: the binary at / (as upstream: /keda, /keda-adapter), an empty /tmp, Debian's CA
# bundle at /etc/ssl/certs/ca-certificates.crt (a Kafka trigger with tls=enable and no ca
# of its own verifies the broker against it; plaintext needs none), user 65532:65532 as
# KEDA's own images (its manifests demand runAsNonRoot).
#
# Measured here (2 cores, 2026-12-01):
#   cold build, empty Go build cache (module cache warm), both binaries in one go build:
#     12 min 55 s, with other builds running beside it (load ~9; 9 min 53 s user, 2 min sys);
#     from a warm build cache 25 s; packing both images 15 s (binaries 177 and 127 MB,
#     layers 82 MB gzipped); a rerun of install that finds them built and packed: 1.3 s.
#   deploy, built and pushed, KEDA not deployed: 27-30 s. About 15 s of it is upstream's
#     first start: the operator creates keda/kedaorg-certs, exits on purpose so the pod
#     restarts with them mounted ("Secrets have been updated; exiting"), and the new process
#     waits for its predecessor's leader lease (15 s) to run out.
#   undeploy: 9 s. keda-smoke.sh: 44 s with KEDA deployed, 68 s when it deploys and
#     removes KEDA itself.
#   memory a minute after deploy, no ScaledObject: operator 23-27 MiB, metrics API server
#     28-30 MiB of anonymous memory in their pod cgroups; process resident sizes, which
#     count the mapped binaries, are 114 and 107 MiB.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODULE_DIR="$HERE/keda"
source "$HERE/oci.sh"

# ---------------------------------------------------------------------------- versions
KEDA_MODULE="github.com/kedacore/keda/v2"
KEDA_VERSION="$(awk -v m="$KEDA_MODULE" '($1 == "require" && $2 == m) { print $3 } ($1 == m && $2 ~ /^v/) { print $2 }' "$MODULE_DIR/go.mod" | head -n 1)"
[[ "$KEDA_VERSION" =~ ^v2\.[0-9]+\.[0-9]+$ ]] || die "no $KEDA_MODULE version in $MODULE_DIR/go.mod"
KEDA_TAG="${KEDA_VERSION#v}"   # KEDA tags its images 2.x.y
IMAGE_USER="65532:65532"        # the user of KEDA's own images (distroless nonroot)
CA_BUNDLE="/etc/ssl/certs/ca-certificates.crt"

# ---------------------------------------------------------------------------- layout
KEDA_HOME="$SHOSHIZAN_HOME/cluster/keda/$KEDA_VERSION"
BIN_DIR="$KEDA_HOME/bin"
IMAGE_DIR="$KEDA_HOME/images"
BUILD_DIR="$SHOSHIZAN_HOME/build/keda"
MANIFEST="$KEDA_HOME/keda.yaml"
NS="keda"
APISERVICE="v1beta1.external.metrics.k8s.io"
TIMEOUT=180

# The cluster's addresses and tools, from cluster.sh env.
json_field() { sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p"; }
ENV_JSON="$(bash "$HERE/../cluster.sh" env)"
KUBE_BIN="$(json_field bin <<<"$ENV_JSON")"
KUBECONFIG_FILE="$(json_field kubeconfig <<<"$ENV_JSON")"
REGISTRY="$(json_field registry <<<"$ENV_JSON")"
OPERATOR_IMAGE="$REGISTRY/kedacore/keda:$KEDA_TAG"
ADAPTER_IMAGE="$REGISTRY/kedacore/keda-metrics-apiserver:$KEDA_TAG"

kubectl() { "$KUBE_BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

go_cmd() {
  if command -v go >/dev/null 2>&1; then command -v go
  elif [[ -x /usr/local/go/bin/go ]]; then echo /usr/local/go/bin/go
  else die "Go (1.26 or later) is needed to build KEDA; put it on PATH"
  fi
}

# ---------------------------------------------------------------------------- install

# build: one `go build` of both commands (they share most packages). The stamp is what they
# are built from: the wrapper module, the flags, the Go release.
build() {
  local ldflags="-s -w -X $KEDA_MODULE/version.Version=$KEDA_TAG" sum stamp="$BIN_DIR/.stamp" stage
  sum="$({ cat "$MODULE_DIR/go.mod" "$MODULE_DIR/go.sum"; echo "$ldflags"; "$GO" env GOVERSION; } | sha256sum | cut -d' ' -f1)"
  [[ -x "$BIN_DIR/keda" && -x "$BIN_DIR/keda-adapter" && -f "$stamp" && "$(cat "$stamp")" == "$sum" ]] && return 0
  stage="$BUILD_DIR/bin"
  rm -rf "$stage" && mkdir -p "$stage" "$BIN_DIR"
  log "building KEDA $KEDA_VERSION (operator and metrics API server) from source"
  run_build keda "$SHOSHIZAN_LOGS/cluster-build-keda.log" "$MODULE_DIR" env CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS= \
    "$GO" build -mod=readonly -trimpath -buildvcs=false -ldflags "$ldflags" -o "$stage/" \
    "$KEDA_MODULE/cmd/operator" "$KEDA_MODULE/cmd/adapter"
  # Upstream's Makefile names them bin/keda and bin/keda-adapter; the manifests run those.
  [[ -x "$stage/operator" && -x "$stage/adapter" ]] || die "the KEDA build made no operator or adapter"
  mv "$stage/operator" "$BIN_DIR/keda"
  mv "$stage/adapter" "$BIN_DIR/keda-adapter"
  echo "$sum" >"$stamp"
  rm -rf "$stage"
}

# pack NAME REF: the OCI layout of an image of $BIN_DIR/NAME at /NAME, under $IMAGE_DIR/NAME.
pack() {
  local name="$1" ref="$2" layout="$IMAGE_DIR/$1" sum root
  sum="$({ echo "$ref $IMAGE_USER"; sha256sum "$BIN_DIR/$name" "$HERE/oci.sh"; [[ -f "$CA_BUNDLE" ]] && sha256sum "$CA_BUNDLE"; } | sha256sum | cut -d' ' -f1)"
  [[ -f "$layout/index.json" && -f "$layout.stamp" && "$(cat "$layout.stamp")" == "$sum" ]] && return 0
  root="$BUILD_DIR/rootfs-$name"
  rm -rf "$root" && mkdir -p "$root/tmp" "$root/etc/ssl/certs" "$IMAGE_DIR"
  chmod 1777 "$root/tmp"
  cp "$BIN_DIR/$name" "$root/$name"
  if [[ -f "$CA_BUNDLE" ]]; then cp "$CA_BUNDLE" "$root/etc/ssl/certs/"; else log "no $CA_BUNDLE: the $name image has no CA bundle"; fi
  OCI_USER="$IMAGE_USER" oci_layout "$layout" "$ref" "$root" "/$name"
  echo "$sum" >"$layout.stamp"
  rm -rf "$root"
  log "packed $ref"
}

registry_up() { curl -fsS -o /dev/null --max-time 3 "http://$REGISTRY/v2/"; }

# push: both images to the cluster's registry (only the blobs it lacks travel).
push() {
  registry_up || die "the cluster's registry ($REGISTRY) does not answer; is the cluster up? (cluster.sh up)"
  oci_push "$IMAGE_DIR/keda" "$REGISTRY" kedacore/keda "$KEDA_TAG" || die "could not push $OPERATOR_IMAGE"
  oci_push "$IMAGE_DIR/keda-adapter" "$REGISTRY" kedacore/keda-metrics-apiserver "$KEDA_TAG" || die "could not push $ADAPTER_IMAGE"
}

install() {
  GO="$(go_cmd)"
  mkdir -p "$BUILD_DIR"
  exec 9>"$BUILD_DIR/install.lock"
  flock 9
  build
  pack keda "$OPERATOR_IMAGE"
  pack keda-adapter "$ADAPTER_IMAGE"
  exec 9>&-
  if registry_up; then push; else log "the cluster is not up: the images are pushed by deploy"; fi
}

# ---------------------------------------------------------------------------- manifests

# render: KEDA's config/minimal through a kustomize overlay that swaps the image names, sets
# the version label (upstream leaves "main"/"latest") and turns off the webhook patching. kustomize only loads bases by relative
# path, so config/ is copied next to the overlay.
render() {
  local dir="$KEDA_HOME/kustomize" module_dir sum
  # Rendered again when this script or an image name changes.
  sum="$({ echo "$OPERATOR_IMAGE $ADAPTER_IMAGE"; cat "${BASH_SOURCE[0]}"; } | sha256sum | cut -d' ' -f1)"
  if [[ ! -f "$MANIFEST" || ! -f "$MANIFEST.stamp" || "$(cat "$MANIFEST.stamp")" != "$sum" ]]; then
    GO="$(go_cmd)"
    module_dir="$(cd "$MODULE_DIR" && GOFLAGS=-mod=readonly GOTOOLCHAIN=local "$GO" mod download -json "$KEDA_MODULE@$KEDA_VERSION" | json_field Dir)"
    [[ -d "$module_dir/config/minimal" ]] || die "no config/minimal in the $KEDA_MODULE@$KEDA_VERSION module"
    rm -rf "$dir" && mkdir -p "$dir/overlay"
    cp -r "$module_dir/config" "$dir/config"
    chmod -R u+w "$dir/config"
    cat >"$dir/overlay/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../config/minimal
images:
- name: ghcr.io/kedacore/keda
  newName: ${OPERATOR_IMAGE%:*}
  newTag: "$KEDA_TAG"
- name: ghcr.io/kedacore/keda-metrics-apiserver
  newName: ${ADAPTER_IMAGE%:*}
  newTag: "$KEDA_TAG"
labels:
- pairs:
    app.kubernetes.io/version: "$KEDA_TAG"
# No admission webhooks here, so the operator's cert rotation must not look for their
# ValidatingWebhookConfiguration (it logs an ERROR on every pass otherwise).
patches:
- target: {kind: Deployment, name: keda-operator}
  patch: |-
    - op: add
      path: /spec/template/spec/containers/0/args/-
      value: --enable-webhook-patching=false
EOF
    kubectl kustomize "$dir/overlay" >"$MANIFEST.tmp" || die "kustomize could not render KEDA's manifests"
    mv "$MANIFEST.tmp" "$MANIFEST"
    echo "$sum" >"$MANIFEST.stamp"
  fi
}

# ---------------------------------------------------------------------------- deploy

cluster_up() { kubectl get --raw /readyz >/dev/null 2>&1; }

deploy() {
  cluster_up || die "the cluster does not answer; start it with scripts/infra/cluster.sh up"
  install
  push
  render
  # Server-side: the CRDs are too large for the last-applied annotation of a client-side apply.
  kubectl apply --server-side --force-conflicts -f "$MANIFEST" >/dev/null
  kubectl wait --for=condition=Established --timeout=60s crd -l app.kubernetes.io/part-of=keda-operator >/dev/null
  kubectl -n "$NS" rollout status --timeout="${TIMEOUT}s" deploy/keda-operator deploy/keda-metrics-apiserver >/dev/null ||
    { kubectl -n "$NS" get pods -o wide >&2; die "KEDA did not become ready (kubectl -n $NS logs deploy/keda-operator)"; }
  kubectl -n "$NS" wait --for=condition=Available --timeout="${TIMEOUT}s" deploy/keda-operator deploy/keda-metrics-apiserver >/dev/null
  kubectl wait --for=condition=Available --timeout="${TIMEOUT}s" "apiservice/$APISERVICE" >/dev/null ||
    { kubectl get apiservice "$APISERVICE" -o yaml >&2; die "the APIService $APISERVICE did not become Available"; }
  log "KEDA $KEDA_VERSION is up in namespace $NS; $APISERVICE is Available"
}

# KEDA's own kinds, whatever the namespace.
KEDA_KINDS="scaledobjects.keda.sh,scaledjobs.keda.sh,triggerauthentications.keda.sh,clustertriggerauthentications.keda.sh,cloudeventsources.eventing.keda.sh,clustercloudeventsources.eventing.keda.sh"

undeploy() {
  cluster_up || die "the cluster does not answer"
  render
  if kubectl get crd scaledobjects.keda.sh >/dev/null 2>&1; then
    # While the operator still runs it removes each object's finalizer and the HPA it made.
    kubectl delete "$KEDA_KINDS" --all -A --ignore-not-found --wait --timeout=60s >/dev/null 2>&1 || {
      log "the operator did not let go of every KEDA object; removing their finalizers"
      local ns res
      while IFS='|' read -r ns res; do
        [[ -n "$res" ]] && kubectl patch "$res" ${ns:+-n "$ns"} --type=merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1 || true
      done < <(kubectl get "$KEDA_KINDS" -A -o jsonpath='{range .items[*]}{.metadata.namespace}{"|"}{.kind}/{.metadata.name}{"\n"}{end}' 2>/dev/null)
    }
  fi
  kubectl delete -f "$MANIFEST" --ignore-not-found --wait --timeout="${TIMEOUT}s" >/dev/null
  local left
  left="$(kubectl get crd -o name | grep -E 'keda\.sh$' || true; kubectl get apiservice "$APISERVICE" -o name 2>/dev/null || true; kubectl get ns "$NS" -o name 2>/dev/null || true)"
  [[ -z "$left" ]] || die "left behind: $left"
  log "KEDA is gone (CRDs, APIService, namespace $NS, cluster roles)"
}

# ---------------------------------------------------------------------------- status

# pod_memory: the resident memory (rss) of each KEDA pod, from its memory cgroup.
pod_memory() {
  local c uid name dir
  c="$(findmnt -rn -t cgroup -o TARGET | grep '/memory$' | head -n 1)"
  [[ -n "$c" ]] || return 0
  while read -r name uid; do
    dir="$(find "$c" -maxdepth 5 -type d -name "pod$uid" 2>/dev/null | head -n 1)"
    [[ -n "$dir" ]] || continue
    awk -v n="$name" '$1 == "total_rss" { rss = $2 } $1 == "total_cache" { cache = $2 }
      END { printf "  %s: %d MiB rss, %d MiB page cache\n", n, rss / 1048576, cache / 1048576 }' "$dir/memory.stat"
  done < <(kubectl -n "$NS" get pods -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.metadata.uid}{"\n"}{end}')
}

status() {
  echo "KEDA $KEDA_VERSION; binaries: $( [[ -x "$BIN_DIR/keda" && -x "$BIN_DIR/keda-adapter" ]] && echo "built in $BIN_DIR" || echo "not built")"
  cluster_up || { echo "cluster: not up"; return 0; }
  if ! kubectl get ns "$NS" >/dev/null 2>&1; then echo "not deployed"; return 0; fi
  echo
  kubectl -n "$NS" get deploy,pods -o wide
  echo
  kubectl get apiservice "$APISERVICE"
  echo
  echo "memory:"
  pod_memory
}

case "${1:-}" in
  install) install ;;
  deploy) deploy ;;
  undeploy) undeploy ;;
  status) status ;;
  manifests) render && cat "$MANIFEST" ;;
  *) die "usage: $0 install|deploy|undeploy|status|manifests" ;;
esac
