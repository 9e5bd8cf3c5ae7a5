#!/usr/bin/env bash
# Traefik v3 as the Ingress controller of the local cluster (scripts/infra/cluster.sh), so the
# chart's Ingress (ingress.className: traefik) is served the way a real cluster serves it.
# Built from source with the machine's Go out of the module proxy (the wrapper module in
# cluster/traefik pins every version in its go.mod and go.sum), packed as a one-layer image
# of the static binary and pushed to the cluster's registry.
#   traefik.sh install    build the binary and its image (a rerun that finds them does nothing)
#   traefik.sh deploy     install, push the image, apply namespace traefik (RBAC, IngressClass
#                         traefik, Deployment, Service) and wait until it routes
#   traefik.sh undeploy   delete what deploy made (idempotent)
#   traefik.sh status     the pod, its address and its memory
#   traefik.sh env        version, image and the address to send requests to, as JSON
#   traefik.sh tidy       after a version change in cluster/traefik/go.mod: its go.sum anew
# Needs the cluster up (cluster.sh up) for deploy, undeploy and status.
#
# Where requests go: http://10.244.0.1:80 (a hostPort on the node's bridge address, bound by
# the CNI portmap plugin; nothing listens on another interface) or the Service's fixed
# ClusterIP http://10.96.0.80:80, both reachable from the host and from pods. Send the
# Ingress's host in the Host header (e.g. `curl -H 'Host: shoshizan.localhost'`).
#
# Streaming: Traefik's proxy flushes a response to the client every 100 ms by default
# (responseForwarding.flushInterval), and at once, whatever the interval, when the response
# is text/event-stream or has no Content-Length (chunked). Server-Sent Events therefore pass
# unbuffered with no annotation; the nginx annotations the chart carries are ignored here.
# Nor does the entry point's readTimeout (60 s by default) end a long stream: it bounds the
# reading of the request. Measured with readTimeout 2s: a POST whose response began after
# 3 s and then streamed for 9 s arrived whole, one event a second. So deploy keeps it.
#
# The build differs from upstream's binary in three ways, all forced by what the module proxy
# serves (see cluster/traefik/go.mod): the dashboard's web assets are not in the module zip
# (webui/static holds only a placeholder), so the API and dashboard stay off; 13 ACME DNS
# challenge providers whose vendor SDKs are not served are left out; and go-http-auth is the
# pinned release plus CheckSecret instead of upstream's fork.
#
# Measured here (2 cores shared with other builds, load average 8-14, 2026-12-01):
#   cold install, module cache warm, nothing of Traefik in the Go build cache: about 9.5 min
#     (9 min 18 s until the one package that then failed, 29 s for it and the link). The
#     binary is 171 MB (-s -w), its image layer 46 MB gzipped. A rerun that finds it: 0.8 s.
#   deploy: 4.6 s the first time (push, pull, Ready, answering), 3 s warm; undeploy 5-8 s.
#   memory, idle and after a few hundred requests: 13-15 MiB anonymous in the pod's cgroup;
#     the process's resident size is about 90 MiB, mostly the mapped binary.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODULE_DIR="$HERE/traefik"
CLUSTER="$HERE/../cluster.sh"
source "$HERE/oci.sh"

# ---------------------------------------------------------------------------- versions
module_version() { awk -v m="$2" '($1 == "require" && $2 == m) { print $3 } ($1 == m && $2 ~ /^v/) { print $2 }' "$1/go.mod" | head -n 1; }
TRAEFIK_VERSION="$(module_version "$MODULE_DIR" github.com/traefik/traefik/v3)"
LEGO_VERSION="$(module_version "$MODULE_DIR" github.com/go-acme/lego/v5)"
GOAUTH_VERSION="$(module_version "$MODULE_DIR" github.com/abbot/go-http-auth)"
for v in TRAEFIK_VERSION LEGO_VERSION GOAUTH_VERSION; do
  [[ -n "${!v}" ]] || die "no $v in $MODULE_DIR/go.mod"
done
# lego's DNS providers whose SDK modules the module proxy does not serve (the SDK after each).
LEGO_DNS_LEFT_OUT=(
  alidns       # github.com/go-acme/alidns-20150109/v5
  aliesa       # github.com/go-acme/esa-20240910/v3
  azion        # github.com/aziontech/azionapi-go-sdk
  dnsimple     # github.com/dnsimple/dnsimple-go/v9
  edgedns      # github.com/akamai/AkamaiOPEN-edgegrid-golang/v13
  edgeone      # github.com/go-acme/tencentedgdeone
  huaweicloud  # github.com/huaweicloud/huaweicloud-sdk-go-v3
  oraclecloud  # github.com/nrdcg/oci-go-sdk/{common,dns}/v1065
  regfish      # github.com/regfish/regfish-dnsapi-go
  sakuracloud  # github.com/sacloud/sacloud-sdk-go
  tencentcloud # github.com/go-acme/tencentclouddnspod
  ucloud       # github.com/ucloud/ucloud-sdk-go
  yandexcloud  # github.com/yandex-cloud/go-sdk/services/dns
)

# ---------------------------------------------------------------------------- layout
TRAEFIK_HOME="$SHOSHIZAN_HOME/cluster/traefik/$TRAEFIK_VERSION"
BIN="$TRAEFIK_HOME/bin/traefik"
LAYOUT="$TRAEFIK_HOME/image"                 # the OCI image layout of the binary
BUILD_DIR="$SHOSHIZAN_HOME/build/cluster-traefik"
BUILD_LOG="$SHOSHIZAN_LOGS/cluster-build-traefik.log"

# ---------------------------------------------------------------------------- cluster
NS="traefik"
IMAGE_REPO="traefik"
CLASS="traefik"
CONTROLLER="traefik.io/ingress-controller"
# The node's bridge address (cluster.sh's NODE_IP) and a fixed ClusterIP from the Service
# range's lower band, which the API server keeps for addresses chosen by hand.
HOST_IP="10.244.0.1"
HOST_PORT=80
SERVICE_IP="10.96.0.80"
DEPLOY_TIMEOUT=120
# The entry point's readTimeout: Traefik's own 60 s unless TRAEFIK_READ_TIMEOUT says (it
# bounds how long a client may take to send its request, body included; see above).
READ_TIMEOUT="${TRAEFIK_READ_TIMEOUT:-60s}"

go_cmd() {
  if command -v go >/dev/null 2>&1; then command -v go
  elif [[ -x /usr/local/go/bin/go ]]; then echo /usr/local/go/bin/go
  else die "Go (1.26 or later) is needed to build Traefik; put it on PATH"
  fi
}

# ---------------------------------------------------------------------------- install

# module_dir MODULE VERSION: the module's folder in the module cache, downloaded if missing.
module_dir() {
  local dir
  dir="$(cd "$BUILD_DIR" && GOFLAGS=-mod=mod "$GO" mod download -json "$1@$2" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [[ -n "$dir" && -d "$dir" ]] || die "could not download $1@$2"
  echo "$dir"
}

# source_sum LDFLAGS: what the binary is built from: the wrapper module, the patches of
# prepare_source, the flags and the Go release.
source_sum() {
  { find "$MODULE_DIR" -type f \( -name go.mod -o -name go.sum -o -name '*.go' \) | LC_ALL=C sort | xargs cat
    declare -f prepare_source; echo "${LEGO_DNS_LEFT_OUT[*]}"; echo "$1"; "$GO" env GOVERSION; } | sha256sum | cut -d' ' -f1
}

# prepare_source DIR: the wrapper module with the two module copies its replace lines name.
prepare_source() {
  local src="$1" d p factory
  rm -rf "$src" && mkdir -p "$src"
  cp -r "$MODULE_DIR/." "$src/"
  # go-http-auth: the pinned release, then CheckSecret (already in $src/go-http-auth).
  d="$(module_dir github.com/abbot/go-http-auth "$GOAUTH_VERSION")"
  cp -r "$d/." "$src/go-http-auth/"
  # The release predates modules: its go.mod only names it (its two imports, x/crypto and
  # x/net, resolve at the versions Traefik requires).
  [[ -f "$src/go-http-auth/go.mod" ]] || printf 'module github.com/abbot/go-http-auth\n\ngo 1.16\n' >"$src/go-http-auth/go.mod"
  # lego: the pinned release without the providers whose SDKs are not served.
  d="$(module_dir github.com/go-acme/lego/v5 "$LEGO_VERSION")"
  cp -r "$d/." "$src/lego/"
  chmod -R u+w "$src"
  factory="$src/lego/providers/dns/zz_gen_dns_providers.go"
  for p in "${LEGO_DNS_LEFT_OUT[@]}"; do
    [[ -d "$src/lego/providers/dns/$p" ]] || die "lego $LEGO_VERSION has no DNS provider $p"
    rm -rf "$src/lego/providers/dns/$p"
    grep -q "^[[:space:]]*return $p\.NewDNSProvider()$" "$factory" || die "lego's provider factory does not call $p"
    sed -i -e "\|^[[:space:]]*\"github.com/go-acme/lego/v5/providers/dns/$p\"$|d" \
      -e "s|^\([[:space:]]*\)return $p\.NewDNSProvider()$|\1return nil, fmt.Errorf(\"DNS provider %s is not in this build of Traefik\", name)|" "$factory"
  done
  # The providers' own tests name every provider; they are never built here.
  rm -f "$src/lego/providers/dns/dns_providers_test.go"
}

build() {
  local ldflags="-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION -X github.com/traefik/traefik/v3/pkg/version.BuildDate=1970-01-01T00:00:00Z"
  local sum stamp="$BIN.stamp" src="$BUILD_DIR/src" stage="$BUILD_DIR/out"
  sum="$(source_sum "$ldflags")"
  [[ -x "$BIN" && -f "$stamp" && "$(cat "$stamp")" == "$sum" ]] && return 0
  log "building Traefik $TRAEFIK_VERSION from source"
  prepare_source "$src"
  rm -rf "$stage" && mkdir -p "$stage" "$(dirname "$BIN")"
  run_build traefik "$BUILD_LOG" "$src" env CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS= \
    "$GO" build -mod=readonly -trimpath -buildvcs=false -ldflags "$ldflags" -o "$stage/" \
    github.com/traefik/traefik/v3/cmd/traefik
  [[ -x "$stage/traefik" ]] || die "the Traefik build made no binary"
  mv "$stage/traefik" "$BIN"
  echo "$sum" >"$stamp"
  rm -rf "$stage" "$src"
}

# pack: the binary at /traefik, with the empty folders the runtime mounts into.
pack() {
  local stamp="$LAYOUT.stamp" sum root="$BUILD_DIR/image"
  sum="$({ echo "$TRAEFIK_VERSION"; sha256sum "$BIN"; sha256sum "$HERE/oci.sh"; } | sha256sum | cut -d' ' -f1)"
  [[ -f "$LAYOUT/index.json" && -f "$stamp" && "$(cat "$stamp")" == "$sum" ]] && return 0
  rm -rf "$root" && mkdir -p "$root/rootfs/etc" "$root/rootfs/tmp"
  chmod 1777 "$root/rootfs/tmp"
  cp "$BIN" "$root/rootfs/traefik"
  oci_layout "$LAYOUT" "$REGISTRY/$IMAGE_REPO:$TRAEFIK_VERSION" "$root/rootfs" /traefik
  echo "$sum" >"$stamp"
  rm -rf "$root"
}

# tidy: after a version change in go.mod, rewrites go.mod's requirements and go.sum from a
# build copy (the only place the replaced folders exist).
tidy() {
  GO="$(go_cmd)"
  mkdir -p "$BUILD_DIR"
  prepare_source "$BUILD_DIR/tidy"
  (cd "$BUILD_DIR/tidy" && GOFLAGS=-mod=mod GOTOOLCHAIN=local "$GO" mod tidy -e)
  cp "$BUILD_DIR/tidy/go.mod" "$BUILD_DIR/tidy/go.sum" "$MODULE_DIR/"
  rm -rf "$BUILD_DIR/tidy"
}

install() {
  GO="$(go_cmd)"
  mkdir -p "$BUILD_DIR"
  exec 9>"$BUILD_DIR/install.lock"
  flock 9
  build
  pack
  exec 9>&-
}

# ---------------------------------------------------------------------------- cluster

json_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
cluster_env() {
  local env_json
  env_json="$(bash "$CLUSTER" env)"
  KUBE_BIN="$(json_field bin <<<"$env_json")"
  KUBECONFIG_FILE="$(json_field kubeconfig <<<"$env_json")"
  REGISTRY="$(json_field registry <<<"$env_json")"
  [[ -n "$KUBE_BIN" && -n "$KUBECONFIG_FILE" && -n "$REGISTRY" ]] || die "cluster.sh env gave no bin, kubeconfig or registry"
  IMAGE="$REGISTRY/$IMAGE_REPO:$TRAEFIK_VERSION"
}
kubectl() { "$KUBE_BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
cluster_up() { [[ -f "$KUBECONFIG_FILE" ]] && kubectl get --raw /readyz >/dev/null 2>&1; }

# push: the image to the cluster's registry, unless it already has this manifest there.
push() {
  local digest have
  digest="$(oci_manifest_digest "$LAYOUT")"
  have="$(curl -fsS -o /dev/null -I -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -w '%header{docker-content-digest}' "http://$REGISTRY/v2/$IMAGE_REPO/manifests/$TRAEFIK_VERSION" 2>/dev/null)" || true
  [[ "$have" == "$digest" ]] && return 0
  oci_push "$LAYOUT" "$REGISTRY" "$IMAGE_REPO" "$TRAEFIK_VERSION" || die "could not push $IMAGE"
  log "pushed $IMAGE ($digest)"
}

manifests() {
  cat <<EOF
apiVersion: v1
kind: Namespace
metadata: { name: $NS, labels: { app.kubernetes.io/name: traefik } }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: traefik, namespace: $NS }
---
# What the Kubernetes Ingress provider watches, and the status it writes on Ingresses.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: traefik-ingress-controller }
rules:
  - apiGroups: [""]
    resources: [services, secrets, nodes]
    verbs: [get, list, watch]
  - apiGroups: [discovery.k8s.io]
    resources: [endpointslices]
    verbs: [get, list, watch]
  - apiGroups: [networking.k8s.io]
    resources: [ingresses, ingressclasses]
    verbs: [get, list, watch]
  - apiGroups: [networking.k8s.io]
    resources: [ingresses/status]
    verbs: [update]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: traefik-ingress-controller }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: traefik-ingress-controller }
subjects: [{ kind: ServiceAccount, name: traefik, namespace: $NS }]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: $CLASS }
spec: { controller: $CONTROLLER }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: traefik, namespace: $NS, labels: { app.kubernetes.io/name: traefik } }
spec:
  replicas: 1
  strategy: { type: Recreate }   # one pod holds the hostPort
  selector: { matchLabels: { app.kubernetes.io/name: traefik } }
  template:
    metadata: { labels: { app.kubernetes.io/name: traefik } }
    spec:
      serviceAccountName: traefik
      terminationGracePeriodSeconds: 5
      containers:
        - name: traefik
          image: $IMAGE
          imagePullPolicy: IfNotPresent
          args:
            - --entryPoints.web.address=:8000
            - --entryPoints.web.transport.respondingTimeouts.readTimeout=$READ_TIMEOUT
            - --entryPoints.traefik.address=:8080
            - --ping=true
            - --ping.entryPoint=traefik
            - --providers.kubernetesIngress=true
            - --providers.kubernetesIngress.ingressEndpoint.ip=$HOST_IP
            - --global.checkNewVersion=false
            - --global.sendAnonymousUsage=false
            - --log.level=INFO
            - --log.noColor=true
          ports:
            - { name: web, containerPort: 8000, hostIP: $HOST_IP, hostPort: $HOST_PORT }
            - { name: traefik, containerPort: 8080 }
          readinessProbe: { httpGet: { path: /ping, port: traefik }, periodSeconds: 1 }
          livenessProbe: { httpGet: { path: /ping, port: traefik }, periodSeconds: 10 }
          resources:
            requests: { cpu: 50m, memory: 64Mi }
            limits: { memory: 256Mi }
          securityContext:
            runAsNonRoot: true
            runAsUser: 65532
            runAsGroup: 65532
            readOnlyRootFilesystem: true
            allowPrivilegeEscalation: false
            capabilities: { drop: [ALL] }
            seccompProfile: { type: RuntimeDefault }
          volumeMounts: [{ name: tmp, mountPath: /tmp }]
      volumes: [{ name: tmp, emptyDir: {} }]
---
apiVersion: v1
kind: Service
metadata: { name: traefik, namespace: $NS, labels: { app.kubernetes.io/name: traefik } }
spec:
  type: ClusterIP
  clusterIP: $SERVICE_IP
  selector: { app.kubernetes.io/name: traefik }
  ports: [{ name: web, port: 80, targetPort: web }]
EOF
}

deploy() {
  cluster_env
  install
  cluster_up || die "the cluster is not up (scripts/infra/cluster.sh up)"
  local t0=$SECONDS
  push
  manifests | kubectl apply -f - >/dev/null
  kubectl -n "$NS" rollout status deployment/traefik --timeout="${DEPLOY_TIMEOUT}s" >&2 || {
    kubectl -n "$NS" get pods -o wide >&2; kubectl -n "$NS" logs deployment/traefik --tail=30 >&2 || true
    die "Traefik did not become ready"
  }
  # Ready means /ping answers; the web entry point answers 404 for an unknown host.
  wait_for "Traefik at http://$HOST_IP:$HOST_PORT" 30 \
    bash -c "[[ \$(curl -s -o /dev/null -w '%{http_code}' http://$HOST_IP:$HOST_PORT/) == 404 ]]" || die "Traefik does not answer on $HOST_IP:$HOST_PORT"
  log "Traefik $TRAEFIK_VERSION deployed in $((SECONDS - t0))s: http://$HOST_IP:$HOST_PORT or http://$SERVICE_IP:80 (IngressClass $CLASS)"
}

undeploy() {
  cluster_env
  cluster_up || { log "the cluster is not up; nothing to undeploy"; return 0; }
  kubectl delete --ignore-not-found --wait=true namespace "$NS" >/dev/null
  kubectl delete --ignore-not-found ingressclass "$CLASS" >/dev/null
  kubectl delete --ignore-not-found clusterrolebinding traefik-ingress-controller >/dev/null
  kubectl delete --ignore-not-found clusterrole traefik-ingress-controller >/dev/null
  log "Traefik undeployed"
}

status() {
  cluster_env
  cluster_up || { echo "cluster: down"; return 0; }
  kubectl -n "$NS" get deployment,pods,service -o wide 2>/dev/null || { echo "traefik: not deployed"; return 0; }
  local pod uid cg
  pod="$(kubectl -n "$NS" get pods -l app.kubernetes.io/name=traefik -o jsonpath='{.items[0].metadata.name}' 2>/dev/null)" || true
  [[ -n "$pod" ]] || return 0
  uid="$(kubectl -n "$NS" get pod "$pod" -o jsonpath='{.metadata.uid}')"
  # The pod's cgroup (cgroupfs driver, cgroup v1): anonymous memory and page cache.
  cg="$(find /sys/fs/cgroup/memory -maxdepth 6 -type d -name "pod$uid" 2>/dev/null | head -n 1)"
  if [[ -n "$cg" ]]; then
    awk '$1 == "total_rss" { rss = $2 } $1 == "total_cache" { cache = $2 }
      END { printf "memory of %s: %d MiB anonymous (rss), %d MiB page cache\n", pod, rss / 1048576, cache / 1048576 }' pod="$pod" "$cg/memory.stat"
    # The resident size counts the mapped binary too (most of it shared page cache).
    local pid
    for pid in $(cat "$cg"/*/cgroup.procs 2>/dev/null); do
      if [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == traefik ]]; then
        awk '$1 == "VmRSS:" { printf "  traefik process: %d MiB resident\n", $2 / 1024 }' "/proc/$pid/status"
      fi
    done
  fi
}

env_json() {
  printf '{"traefikVersion":"%s","image":"10.244.0.1:5000/%s:%s","ingressClass":"%s","url":"http://%s:%s","serviceUrl":"http://%s:80","namespace":"%s"}\n' \
    "$TRAEFIK_VERSION" "$IMAGE_REPO" "$TRAEFIK_VERSION" "$CLASS" "$HOST_IP" "$HOST_PORT" "$SERVICE_IP" "$NS"
}

case "${1:-}" in
  install) cluster_env; install ;;
  deploy) deploy ;;
  undeploy) undeploy ;;
  status) status ;;
  env) env_json ;;
  tidy) tidy ;;
  *) die "usage: $0 install|deploy|undeploy|status|env|tidy" ;;
esac
