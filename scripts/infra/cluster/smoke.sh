#!/usr/bin/env bash
# Proves the local cluster of scripts/infra/cluster.sh end to end, then takes it down:
#   1. up (a running cluster is taken down first: the sysctls are recorded before any up);
#   2. an image built here (the probe binary and a file naming a tag never used before) is
#      pushed to the local registry, so the kubelet can only get it by pulling through there;
#   3. a Deployment serves HTTP from it behind a ClusterIP Service, and another pod resolves
#      the Service's DNS name through CoreDNS and fetches from it;
#   4. down, and nothing is left: no process, network namespace, mount, bridge, iptables
#      chain or cgroup, and every sysctl as it was before.
# Not part of npm test yet. Needs root, like the cluster.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CLUSTER="$HERE/../cluster.sh"
source "$HERE/oci.sh"

cluster() { bash "$CLUSTER" "$@"; }
json_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }

ENV_JSON="$(cluster env)"
BIN_DIR="$(json_field bin <<<"$ENV_JSON")"
REGISTRY="$(json_field registry <<<"$ENV_JSON")"
KUBECONFIG_FILE="$(json_field kubeconfig <<<"$ENV_JSON")"
LOG_DIR="$(json_field logs <<<"$ENV_JSON")"
SOCK="$(json_field containerdSocket <<<"$ENV_JSON")"
NS="smoke"
TAG="smoke-$(date +%s)-$RANDOM"
IMAGE="$REGISTRY/shoshizan/probe:$TAG"
WORK="$SHOSHIZAN_HOME/build/cluster-smoke"

kubectl() { "$BIN_DIR/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
step() { printf '\n[smoke] == %s\n' "$*" >&2; }
check() { printf '[smoke] ok: %s\n' "$*" >&2; }

cleanup() {
  local rc=$?
  if ((rc != 0)); then
    log "the smoke test failed; taking the cluster down"
    cluster down >&2 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

step "down first, then the sysctls as they are without a cluster"
cluster down
before="$(cluster sysctls)"

step "up"
t0=$SECONDS
cluster up
up_seconds=$((SECONDS - t0))
cluster status | sed -n '/^memory/,$p' >&2

step "an image built here, pushed to the local registry under a new tag"
rm -rf "$WORK" && mkdir -p "$WORK/rootfs/etc" "$WORK/rootfs/tmp"
cp "$BIN_DIR/probe" "$WORK/rootfs/probe"
# Content of its own, so no layer or manifest of it can already be in the runtime's store
# (which outlives down).
echo "$TAG" >"$WORK/rootfs/etc/smoke-tag"
oci_layout "$WORK/layout" "$IMAGE" "$WORK/rootfs" /probe
oci_push "$WORK/layout" "$REGISTRY" shoshizan/probe "$TAG" || die "could not push $IMAGE"
digest="$(oci_manifest_digest "$WORK/layout")"
curl -fsS "http://$REGISTRY/v2/shoshizan/probe/tags/list" | grep -q "\"$TAG\"" || die "the registry does not list $TAG"
if ctr --address "$SOCK" -n k8s.io images ls -q | grep -qF "$TAG"; then die "$IMAGE is already in the runtime"; fi
check "pushed $IMAGE ($digest); the runtime does not have it"

step "a Deployment and a ClusterIP Service from it, and a client pod"
kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Namespace
metadata: { name: $NS }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: $NS }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: $IMAGE
          imagePullPolicy: IfNotPresent
          args: [serve, ":8080", "hello"]
          ports: [{ containerPort: 8080 }]
          readinessProbe: { httpGet: { path: /, port: 8080 }, periodSeconds: 1 }
          securityContext: { runAsNonRoot: true, runAsUser: 65532, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: $NS }
spec:
  type: ClusterIP
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Pod
metadata: { name: client, namespace: $NS }
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: client
      image: $IMAGE
      imagePullPolicy: IfNotPresent
      args: [sleep]
      securityContext: { runAsNonRoot: true, runAsUser: 65532, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
EOF
t1=$SECONDS
kubectl -n "$NS" rollout status deployment/web --timeout=120s >&2 || die "web did not become ready"
kubectl -n "$NS" wait --for=condition=Ready pod/client --timeout=120s >/dev/null || die "the client pod did not become ready"
check "pods Ready in $((SECONDS - t1))s"
kubectl -n "$NS" get pods,svc -o wide >&2

step "the image came through the registry"
kubectl -n "$NS" get events --field-selector reason=Pulled -o custom-columns=MESSAGE:.message --no-headers >&2
kubectl -n "$NS" get events --field-selector reason=Pulled -o custom-columns=MESSAGE:.message --no-headers |
  grep -q "Successfully pulled image \"$IMAGE\"" || die "no pod pulled $IMAGE"
# The registry's access log: containerd resolved the tag, then fetched the manifest and
# the layer by digest.
pulls="$(grep -F '"containerd/' "$LOG_DIR/registry.log" | grep -F -e "\"HEAD /v2/shoshizan/probe/manifests/$TAG " \
  -e "\"GET /v2/shoshizan/probe/manifests/$digest " -e '"GET /v2/shoshizan/probe/blobs/sha256:')" || true
grep -q "manifests/$TAG" <<<"$pulls" && grep -q "manifests/$digest" <<<"$pulls" && grep -q '/blobs/' <<<"$pulls" ||
  die "the registry log shows no pull of $TAG by containerd"
sed 's/^/[smoke]     /' <<<"$pulls" >&2
ctr --address "$SOCK" -n k8s.io images ls -q | grep -F "$TAG" >&2 || die "the runtime does not hold $IMAGE after the pull"
check "the kubelet pulled $IMAGE from the local registry"

step "DNS and the Service, from the client pod"
cluster_ip="$(kubectl -n "$NS" get service web -o jsonpath='{.spec.clusterIP}')"
answer="$(kubectl -n "$NS" exec client -- /probe resolve web.$NS.svc.cluster.local)" || die "CoreDNS did not resolve web.$NS.svc.cluster.local"
[[ "$answer" == "$cluster_ip" ]] || die "web.$NS.svc.cluster.local resolved to '$answer', not the ClusterIP $cluster_ip"
check "web.$NS.svc.cluster.local resolves to $answer (the Service's ClusterIP)"
answer="$(kubectl -n "$NS" exec client -- /probe resolve web)" || die "the short name did not resolve"
[[ "$answer" == "$cluster_ip" ]] || die "web resolved to '$answer'"
check "web (the search path) resolves to $answer"
body="$(kubectl -n "$NS" exec client -- /probe get "http://web.$NS.svc.cluster.local/")" || die "could not fetch from the Service"
[[ "$body" == "hello from web-"* ]] || die "the Service answered '$body'"
check "GET http://web.$NS.svc.cluster.local/ answered: $body"
kubectl -n "$NS" logs deployment/web >/dev/null || die "kubectl logs failed"
check "kubectl logs and exec work"

step "down, and nothing left"
t2=$SECONDS
cluster down
down_seconds=$((SECONDS - t2))
cluster leftovers || die "the cluster left the above"
after="$(cluster sysctls)"
[[ "$after" == "$before" ]] || { diff <(echo "$before") <(echo "$after") >&2; die "sysctls differ from before the cluster"; }
check "no process, network namespace, mount, bridge, iptables chain or cgroup left; sysctls as before:"
sed 's/^/[smoke]     /' <<<"$after" >&2
log "smoke test passed: up ${up_seconds}s, down ${down_seconds}s"
