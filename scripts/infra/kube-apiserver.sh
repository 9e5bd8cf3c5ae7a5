#!/usr/bin/env bash
# A real kube-apiserver with its etcd, on loopback, for server-side dry-runs of the chart
# (cdk8s/test/dry-run.spec.ts): the API server of the Kubernetes release whose schemas
# kubeconform validates against, so what the API server itself accepts (CRD schemas
# included) is checked too. Both binaries are built from source with the machine's Go, out
# of the Go module cache, from the wrapper modules in scripts/infra/kube-apiserver/ (their
# go.mod and go.sum pin every version). No controller-manager or scheduler: nothing is ever
# scheduled or reconciled, objects are only validated and, at most, stored.
#   kube-apiserver.sh install   build etcd and kube-apiserver into
#                               ~/.cache/shoshizan/kube-apiserver/<kubernetes version>/bin
#                               (a rerun that finds them up to date does nothing)
#   kube-apiserver.sh start     start etcd and kube-apiserver on free loopback ports with a
#                               fresh, empty etcd, and print the instance as JSON
#                               (url, token, caFile, kubeconfig, ...); already running: the JSON
#   kube-apiserver.sh stop      stop both
#   kube-apiserver.sh env       versions and binary paths as JSON
# The instance lives in $KUBE_APISERVER_DIR (default ~/.cache/shoshizan/kube-apiserver/run):
# a test passes a temporary folder of its own to get a private instance. With
# KUBE_APISERVER_OWNER_PID set, a watcher stops the instance once that process is gone, so a
# killed test run leaves nothing behind.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/kube-apiserver" && pwd)"

# ---------------------------------------------------------------------------- versions
# Both come from the wrapper modules' go.mod, the one place they are pinned:
#   kube-apiserver/go.mod: k8s.io/kubernetes at KUBERNETES_CURRENT of k8s-tools.sh, and each
#     staging module (k8s.io/api, k8s.io/apiserver, ...) at the matching v0.N.M.
#   etcd/go.mod: go.etcd.io/etcd/server/v3 at the etcd release k8s.io/kubernetes pins
#     (build/dependencies.yaml of that release).
module_version() { awk -v m="$2" '($1 == "require" && $2 == m) { print $3 } ($1 == m && NF == 2) { print $2 }' "$HERE/$1/go.mod" | head -n 1; }
KUBERNETES_VERSION="$(module_version kube-apiserver k8s.io/kubernetes)"
ETCD_VERSION="$(module_version etcd go.etcd.io/etcd/server/v3)"
[[ "$KUBERNETES_VERSION" =~ ^v1\.([0-9]+)\.[0-9]+$ ]] || die "no k8s.io/kubernetes version in $HERE/kube-apiserver/go.mod"
KUBERNETES_MINOR="${BASH_REMATCH[1]}"
[[ -n "$ETCD_VERSION" ]] || die "no go.etcd.io/etcd/server/v3 version in $HERE/etcd/go.mod"

KAS_HOME="$SHOSHIZAN_HOME/kube-apiserver"
BIN_DIR="$KAS_HOME/$KUBERNETES_VERSION/bin"
BUILD_DIR="$SHOSHIZAN_HOME/build/kube-apiserver"
STATE="${KUBE_APISERVER_DIR:-$KAS_HOME/run}"
# The ranges the test server uses; nothing is ever routed there.
SERVICE_CLUSTER_IP_RANGE="10.0.0.0/24"
# Generous: two cores shared with other builds and tests.
ETCD_START_TIMEOUT=60
APISERVER_START_TIMEOUT=180

# ---------------------------------------------------------------------------- install

go_cmd() {
  if command -v go >/dev/null 2>&1; then command -v go
  elif [[ -x /usr/local/go/bin/go ]]; then echo /usr/local/go/bin/go
  else die "Go (1.26 or later) is needed to build etcd and kube-apiserver; put it on PATH"
  fi
}

# source_sum NAME: what a binary was built from (the wrapper module and the Go release);
# a binary whose stamp differs is rebuilt.
source_sum() {
  { cat "$HERE/$1/go.mod" "$HERE/$1/go.sum" "$HERE/$1/main.go"; "$GO" env GOVERSION; } | sha256sum | cut -d' ' -f1
}

built() { [[ -x "$BIN_DIR/$1" && -f "$BIN_DIR/$1.stamp" && "$(cat "$BIN_DIR/$1.stamp")" == "$(source_sum "$1")" ]]; }

# build NAME LDFLAGS: `go build` of the wrapper module NAME, moved into place only once
# complete. -mod=readonly: go.mod and go.sum are used as committed, never changed.
build() {
  local name="$1" ldflags="$2" stage="$BUILD_DIR/$1" build_log="$SHOSHIZAN_LOGS/kube-apiserver-build-$1.log"
  built "$name" && return 0
  rm -rf "$stage" && mkdir -p "$stage" "$BIN_DIR"
  log "building $name from source (a first build of kube-apiserver takes about 10 minutes on 2 cores)"
  run_build "$name" "$build_log" "$HERE/$name" env CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS= "$GO" build -mod=readonly -trimpath \
    -buildvcs=false -ldflags "$ldflags" -o "$stage/$name" .
  mv "$stage/$name" "$BIN_DIR/$name"
  source_sum "$name" >"$BIN_DIR/$name.stamp"
  rm -rf "$stage"
}

install() {
  GO="$(go_cmd)"
  built etcd && built kube-apiserver && return 0
  mkdir -p "$BUILD_DIR"
  exec 9>"$BUILD_DIR/install.lock"
  flock 9
  # One build at a time: each keeps both cores busy. The version variables are the ones
  # Kubernetes' own build stamps (hack/lib/version.sh), so /version says v1.N.M.
  build etcd "-s -w"
  local v="k8s.io/component-base/version"
  build kube-apiserver "-s -w -X $v.gitVersion=$KUBERNETES_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$KUBERNETES_MINOR -X $v.gitTreeState=clean -X $v.gitCommit="
  exec 9>&-
}

# ---------------------------------------------------------------------------- start/stop

# PID files and logs of the instance live in its folder.
SHOSHIZAN_RUN="$STATE"

# free_ports N: N distinct ports that nothing listens on, from the kernel (all held open
# until all are chosen, so they differ).
free_ports() {
  node -e '
    const net = require("net");
    const servers = Array.from({ length: Number(process.argv[1]) }, () => net.createServer());
    Promise.all(servers.map((s) => new Promise((ok) => s.listen(0, "127.0.0.1", () => ok(s.address().port)))))
      .then((ports) => { console.log(ports.join(" ")); servers.forEach((s) => s.close()); });
  ' "$1"
}

# spawn NAME COMMAND...: starts a long-running process detached from this script's
# standard streams (a caller reading our output is not kept waiting by it).
spawn() {
  local name="$1"; shift
  nohup "$@" >"$STATE/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$STATE/$name.pid"
}

# wait_until NAME TIMEOUT COMMAND...: polls COMMAND, fails early (with the log's tail) when
# the process NAME has exited.
wait_until() {
  local name="$1" timeout="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ! pid_alive "$name"; then
      tail -n 30 "$STATE/$name.log" >&2
      die "$name exited during startup; see $STATE/$name.log"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 30 "$STATE/$name.log" >&2
      die "$name was not ready after ${timeout}s; see $STATE/$name.log"
    fi
    sleep 0.2
  done
}

instance_json() { cat "$STATE/instance.json"; }

start() {
  install
  if pid_alive kube-apiserver && pid_alive etcd && [[ -f "$STATE/instance.json" ]]; then
    instance_json
    return 0
  fi
  stop_all
  command -v openssl >/dev/null 2>&1 || apt_install openssl
  command -v curl >/dev/null 2>&1 || apt_install curl
  mkdir -p "$STATE"
  rm -rf "${STATE:?}/etcd" "${STATE:?}/certs" "$STATE/instance.json" "$STATE/kubeconfig"
  mkdir -p "$STATE/etcd" "$STATE/certs"
  chmod 700 "$STATE/etcd" "$STATE/certs"

  local etcd_port peer_port api_port
  read -r etcd_port peer_port api_port <<<"$(free_ports 3)"
  [[ -n "$api_port" ]] || die "could not find free ports"
  local etcd_url="http://127.0.0.1:$etcd_port" peer_url="http://127.0.0.1:$peer_port" url="https://127.0.0.1:$api_port"

  # etcd: one member, loopback only. No fsync: a test server's data is thrown away anyway.
  spawn etcd "$BIN_DIR/etcd" --name=shoshizan --data-dir="$STATE/etcd" \
    --listen-client-urls="$etcd_url" --advertise-client-urls="$etcd_url" \
    --listen-peer-urls="$peer_url" --initial-advertise-peer-urls="$peer_url" \
    --initial-cluster="shoshizan=$peer_url" --unsafe-no-fsync=true --log-level=warn
  wait_until etcd "$ETCD_START_TIMEOUT" curl -fsS --max-time 2 "$etcd_url/health"

  # The admin: a static bearer token in system:masters, which RBAC lets do anything.
  local token
  token="$(openssl rand -hex 32)"
  printf '%s,shoshizan-admin,shoshizan-admin,"system:masters"\n' "$token" >"$STATE/certs/tokens.csv"
  # The service-account token signer the API server insists on (nothing here issues tokens).
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$STATE/certs/sa.key" 2>/dev/null ||
    die "openssl could not make the service-account key"

  # The flags of controller-runtime's envtest, plus:
  #   --token-auth-file: the admin above (envtest makes a client certificate instead);
  #   --endpoint-reconciler-type=none: 1.37 refuses a loopback --advertise-address for the
  #     `kubernetes` Service's endpoints ("may not be in the loopback range");
  #   ServiceAccount admission off (as envtest does): without a controller-manager no
  #     namespace gets its `default` ServiceAccount, and every Pod would be refused for it.
  # With --cert-dir and no certificate there, the API server makes a self-signed one for
  # 127.0.0.1 and localhost (certs/apiserver.crt), which clients then trust.
  spawn kube-apiserver "$BIN_DIR/kube-apiserver" \
    --etcd-servers="$etcd_url" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" \
    --cert-dir="$STATE/certs" \
    --token-auth-file="$STATE/certs/tokens.csv" --authorization-mode=RBAC \
    --service-account-issuer="$url" \
    --service-account-key-file="$STATE/certs/sa.key" --service-account-signing-key-file="$STATE/certs/sa.key" \
    --service-cluster-ip-range="$SERVICE_CLUSTER_IP_RANGE" \
    --endpoint-reconciler-type=none \
    --disable-admission-plugins=ServiceAccount \
    --allow-privileged=true
  wait_until kube-apiserver "$APISERVER_START_TIMEOUT" \
    curl -fsS --max-time 5 --cacert "$STATE/certs/apiserver.crt" -H "Authorization: Bearer $token" "$url/readyz"

  cat >"$STATE/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: shoshizan-test
  cluster: { server: "$url", certificate-authority: "$STATE/certs/apiserver.crt" }
users:
- name: shoshizan-admin
  user: { token: "$token" }
contexts:
- name: shoshizan-test
  context: { cluster: shoshizan-test, user: shoshizan-admin }
current-context: shoshizan-test
EOF
  chmod 600 "$STATE/kubeconfig"
  printf '{"url":"%s","token":"%s","caFile":"%s","kubeconfig":"%s","etcdUrl":"%s","dir":"%s","version":"%s","logs":{"etcd":"%s","kube-apiserver":"%s"}}\n' \
    "$url" "$token" "$STATE/certs/apiserver.crt" "$STATE/kubeconfig" "$etcd_url" "$STATE" "$KUBERNETES_VERSION" \
    "$STATE/etcd.log" "$STATE/kube-apiserver.log" >"$STATE/instance.json"
  log "kube-apiserver $KUBERNETES_VERSION is ready at $url (etcd $ETCD_VERSION at $etcd_url)"

  if [[ -n "${KUBE_APISERVER_OWNER_PID:-}" ]]; then
    # The watcher: once the owner is gone, stop the instance (it runs this script's `stop`).
    KUBE_APISERVER_DIR="$STATE" nohup bash -c '
      while kill -0 "$1" 2>/dev/null; do sleep 2; done
      exec bash "$2" stop' watcher "$KUBE_APISERVER_OWNER_PID" "${BASH_SOURCE[0]}" \
      >>"$STATE/watcher.log" 2>&1 </dev/null 9>&- &
    echo $! >"$STATE/watcher.pid"
  fi
  instance_json
}

# stop_all: the API server first (it would otherwise log etcd's absence), then etcd.
stop_all() {
  stop_pid kube-apiserver 30
  stop_pid etcd 30
  rm -f "$STATE/instance.json"
}

stop() {
  [[ -d "$STATE" ]] || return 0
  stop_all
  # Not this process's own watcher: a watcher that runs `stop` is this process.
  if [[ -f "$STATE/watcher.pid" && "$(cat "$STATE/watcher.pid")" != "$$" ]]; then
    kill "$(cat "$STATE/watcher.pid")" 2>/dev/null || true
  fi
  rm -f "$STATE/watcher.pid"
}

env_json() {
  printf '{"kubernetesVersion":"%s","etcdVersion":"%s","bin":{"kube-apiserver":"%s","etcd":"%s"},"home":"%s"}\n' \
    "$KUBERNETES_VERSION" "$ETCD_VERSION" "$BIN_DIR/kube-apiserver" "$BIN_DIR/etcd" "$KAS_HOME"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  env) env_json ;;
  *) die "usage: $0 install|start|stop|env" ;;
esac
