#!/usr/bin/env bash
# A real single-node Kubernetes that runs pods, on this machine, with no container registry
# outside it: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
# kube-proxy (iptables), CoreDNS and a local OCI registry, all built from source with the
# machine's Go out of the Go module cache (the wrapper modules in scripts/infra/cluster/
# and scripts/infra/kube-apiserver/etcd pin every version in their go.mod and go.sum), and
# Debian's containerd, runc and CNI plugins. Everything lives under ~/.cache/shoshizan/cluster.
#   cluster.sh install     build the binaries and the pause and CoreDNS images, install the
#                          Debian packages (a rerun that finds them up to date does nothing)
#   cluster.sh build-registry  build the registry alone (no root needed; model-registry.sh)
#   cluster.sh up          start the node and wait until it is Ready and CoreDNS answers
#   cluster.sh down        stop it and remove every trace: processes, network namespaces,
#                          mounts, the bridge, iptables chains, cgroups, changed sysctls
#                          (idempotent; safe when nothing is up)
#   cluster.sh status      what runs, the node and its pods, memory
#   cluster.sh memory      the memory lines of status alone
#   cluster.sh kubeconfig  the path of the admin kubeconfig
#   cluster.sh env         versions, paths and addresses as JSON
#   cluster.sh leftovers   lists what a cluster left on the machine; fails when anything is
#   cluster.sh sysctls     the current values of the sysctls the cluster changes
# Needs root (kubelet, containerd, iptables) and the machine's cgroup v1 hierarchy.
#
# Network: a bridge made here (shoshizan0, 10.244.0.1/24) is the node's address. The API
# server (:6443), the kubelet (:10250) and the registry (:5000) listen on it, everything
# else on loopback; pods get 10.244.0.0/24, Services 10.96.0.0/16 (DNS 10.96.0.10). Nothing
# listens on or sends to another interface. Images: push to 10.244.0.1:5000/<name>:<tag>
# (plain http); the runtime pulls from there.
#
# Versions: Kubernetes 1.37.2 (KUBERNETES_CURRENT of k8s-tools.sh), the newest the module
# proxy serves, runs pods on Debian's containerd 1.6.20 and runc 1.1.5, which was expected to
# need containerd 2: the kubelet falls back to its own cgroupDriver when the runtime lacks
# the RuntimeConfig call (1.37 still does; its metric says the fallback goes in 1.38), and
# cgroup v1 only warns when failCgroupV1 is false. So containerd 2 is not built; a move to
# 1.38 will need it (github.com/containerd/containerd/v2 is on the module proxy).
#
# Measured here (2 cores, 24 GB, 2026-12-01):
#   cold install, empty Go build cache (module cache warm), one build after the other:
#     kubernetes (six binaries) 800 s, etcd 23 s, coredns 92 s, registry 23 s, crictl 28 s,
#     pause + probe 1 s: 16 min 12 s in all. With kube-apiserver.sh's build already in the
#     Go build cache, the kubernetes build took 156 s. A rerun that finds all built: 0.5 s.
#   up, built: 12-14 s (node Ready 5-6 s after the start; then CoreDNS Available and
#     answering); the smoke test's pods were Ready 1 s after apply, image pull included.
#   down: 3-4 s with pods running, 1 s when nothing is up.
#   memory with only CoreDNS running, a minute after up: 342 MiB of anonymous memory in the
#     cluster's cgroup (daemons 332, CoreDNS 10; the machine's "used" grew by 352 MiB).
#     Resident sizes, which count the mapped binaries too, add up to about 820 MiB;
#     kube-apiserver is the largest (290 MiB), then controller-manager 120, kubelet 85.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/cluster" && pwd)"
ETCD_MODULE_DIR="$(cd "$HERE/../kube-apiserver/etcd" && pwd)"
source "$HERE/oci.sh"

# ---------------------------------------------------------------------------- versions
# Each comes from a wrapper module's go.mod, the one place it is pinned. etcd shares the
# module of kube-apiserver.sh (the release k8s.io/kubernetes pins); CoreDNS is the one the
# Kubernetes release installs (kubeadm's CoreDNSVersion); crictl follows the minor.
module_version() { awk -v m="$2" '($1 == "require" && $2 == m) { print $3 } ($1 == m && $2 ~ /^v/) { print $2 }' "$1/go.mod" | head -n 1; }
KUBERNETES_VERSION="$(module_version "$HERE/kubernetes" k8s.io/kubernetes)"
ETCD_VERSION="$(module_version "$ETCD_MODULE_DIR" go.etcd.io/etcd/server/v3)"
COREDNS_VERSION="$(module_version "$HERE/coredns" github.com/coredns/coredns)"
REGISTRY_VERSION="$(module_version "$HERE/registry" github.com/distribution/distribution/v3)"
CRICTL_VERSION="$(module_version "$HERE/crictl" sigs.k8s.io/cri-tools)"
[[ "$KUBERNETES_VERSION" =~ ^v1\.([0-9]+)\.[0-9]+$ ]] || die "no k8s.io/kubernetes version in $HERE/kubernetes/go.mod"
KUBERNETES_MINOR="${BASH_REMATCH[1]}"
for v in ETCD_VERSION COREDNS_VERSION REGISTRY_VERSION CRICTL_VERSION; do
  [[ -n "${!v}" ]] || die "no $v in the wrapper modules under $HERE"
done
# The sandbox image the release's kubeadm pins (PauseVersion); containerd is told to use it.
PAUSE_IMAGE="registry.k8s.io/pause:3.10.2"
COREDNS_IMAGE="registry.k8s.io/coredns/coredns:$COREDNS_VERSION"
# Debian bookworm: containerd 1.6.20, runc 1.1.5, CNI plugins 1.1.1 (in /usr/lib/cni).
DEBIAN_PACKAGES=(containerd runc containernetworking-plugins iptables)
CNI_BIN_DIR="/usr/lib/cni"

# ---------------------------------------------------------------------------- layout
CLUSTER_HOME="$SHOSHIZAN_HOME/cluster"
BIN_DIR="$CLUSTER_HOME/$KUBERNETES_VERSION/bin"
IMAGE_DIR="$CLUSTER_HOME/$KUBERNETES_VERSION/images"
BUILD_DIR="$SHOSHIZAN_HOME/build/cluster"
STATE="$CLUSTER_HOME/state"                 # one run's: pki, etcd, kubelet, containerd state (down removes it)
CONTAINERD_ROOT="$CLUSTER_HOME/containerd"  # images and snapshots, kept between runs
REGISTRY_DATA="$CLUSTER_HOME/registry"      # the local registry's storage, kept between runs
KUBECONFIG_FILE="$CLUSTER_HOME/kubeconfig"  # the admin's
SYSCTL_SAVE="$CLUSTER_HOME/sysctls.saved"   # the values before the first up, until down restores them
LOG_DIR="$SHOSHIZAN_LOGS/cluster"           # outside $STATE: a failed run's logs survive its teardown
SHOSHIZAN_RUN="$STATE/run"
CONTAINERD_SOCK="$STATE/containerd/containerd.sock"
CGROUP="shoshizan"                          # every process of the cluster, pods and daemons, under /<controller>/shoshizan

# ---------------------------------------------------------------------------- network
NODE_NAME="shoshizan"
BRIDGE="shoshizan0"
NODE_IP="10.244.0.1"
POD_CIDR="10.244.0.0/24"
SERVICE_CIDR="10.96.0.0/16"
API_SERVICE_IP="10.96.0.1"
DNS_IP="10.96.0.10"
API_PORT=6443
REGISTRY_PORT=5000
REGISTRY="$NODE_IP:$REGISTRY_PORT"
ETCD_PORT=2379
ETCD_PEER_PORT=2380
API_URL="https://$NODE_IP:$API_PORT"

# What the kubelet, kube-proxy and the CNI bridge plugin change, restored by down.
SYSCTLS=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes net.ipv4.ip_forward net.ipv6.conf.all.forwarding
  net.ipv4.conf.all.route_localnet net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables
  net.netfilter.nf_conntrack_max net.netfilter.nf_conntrack_tcp_timeout_established
  net.netfilter.nf_conntrack_tcp_timeout_close_wait net.netfilter.nf_conntrack_tcp_be_liberal)

# Generous: two cores shared with other builds and tests.
START_TIMEOUT=180

# ---------------------------------------------------------------------------- install

go_cmd() {
  if command -v go >/dev/null 2>&1; then command -v go
  elif [[ -x /usr/local/go/bin/go ]]; then echo /usr/local/go/bin/go
  else die "Go (1.26 or later) is needed to build the cluster; put it on PATH"
  fi
}

# source_sum DIR LDFLAGS: what a set of binaries is built from (the wrapper module, the flags
# and the Go release); binaries whose stamp differs are rebuilt.
source_sum() {
  { find "$1" -type f \( -name go.mod -o -name go.sum -o -name '*.go' \) | LC_ALL=C sort | xargs cat; echo "$2"; "$GO" env GOVERSION; } |
    sha256sum | cut -d' ' -f1
}

# build_set NAME DIR LDFLAGS PACKAGES BINARIES: one `go build` of PACKAGES in the wrapper
# module DIR, moved into $BIN_DIR only once complete. -mod=readonly: go.mod and go.sum are
# used as committed, never changed.
build_set() {
  local name="$1" dir="$2" ldflags="$3" packages="$4" binaries="$5" sum stamp="$BIN_DIR/.$1.stamp" b ok=1
  sum="$(source_sum "$dir" "$ldflags")"
  for b in $binaries; do [[ -x "$BIN_DIR/$b" ]] || ok=0; done
  ((ok)) && [[ -f "$stamp" && "$(cat "$stamp")" == "$sum" ]] && return 0
  local stage="$BUILD_DIR/$name"
  rm -rf "$stage" && mkdir -p "$stage" "$BIN_DIR"
  log "building $name from source"
  # shellcheck disable=SC2086 # PACKAGES is a list
  run_build "$name" "$SHOSHIZAN_LOGS/cluster-build-$name.log" "$dir" env CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS= \
    "$GO" build -mod=readonly -trimpath -buildvcs=false -ldflags "$ldflags" -o "$stage/" $packages
  for b in $binaries; do
    [[ -x "$stage/$b" ]] || die "the $name build made no $b"
    mv "$stage/$b" "$BIN_DIR/$b"
  done
  echo "$sum" >"$stamp"
  rm -rf "$stage"
}

# build_registry: the OCI registry (distribution v3), which model-registry.sh's `install`
# builds alone, through build-registry below: one binary for both, at one place.
build_registry() {
  build_set registry "$HERE/registry" \
    "-s -w -X github.com/distribution/distribution/v3/version.version=$REGISTRY_VERSION" . registry
}

build_all() {
  local v="k8s.io/component-base/version"
  # One build for the six: they share most packages, so each is compiled once. The version
  # variables are the ones Kubernetes' own build stamps (hack/lib/version.sh); without them
  # the server says v0.0.0 and charts with a kubeVersion constraint fail.
  build_set kubernetes "$HERE/kubernetes" \
    "-s -w -X $v.gitVersion=$KUBERNETES_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$KUBERNETES_MINOR -X $v.gitTreeState=clean -X $v.gitCommit=" \
    ./cmd/... "kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl"
  build_set etcd "$ETCD_MODULE_DIR" "-s -w" . etcd
  build_set coredns "$HERE/coredns" "-s -w" . coredns
  build_registry
  build_set crictl "$HERE/crictl" "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION" \
    sigs.k8s.io/cri-tools/cmd/crictl crictl
  build_set images "$HERE/images" "-s -w" ./... "pause probe"
}

# pack_image NAME REF BINARY ARGS...: an image of one static binary at /NAME, with the empty
# folders the runtime mounts into, archived for `ctr images import`.
pack_image() {
  local name="$1" ref="$2" binary="$3"; shift 3
  local tar="$IMAGE_DIR/$name.tar" stamp sum
  sum="$({ echo "$ref $*"; sha256sum "$binary"; sha256sum "$HERE/oci.sh"; } | sha256sum | cut -d' ' -f1)"
  stamp="$tar.stamp"
  [[ -f "$tar" && -f "$stamp" && "$(cat "$stamp")" == "$sum" ]] && return 0
  local root="$BUILD_DIR/image-$name"
  rm -rf "$root" && mkdir -p "$root/rootfs/etc" "$root/rootfs/tmp" "$IMAGE_DIR"
  chmod 1777 "$root/rootfs/tmp"
  cp "$binary" "$root/rootfs/$name"
  oci_layout "$root/layout" "$ref" "$root/rootfs" "/$name" "$@"
  oci_archive "$root/layout" "$tar"
  echo "$sum" >"$stamp"
  rm -rf "$root"
}

# push_node_image NAME REF: the image packed as NAME.tar into the local registry, as REF's
# repository and tag without the registry.k8s.io host (what the mirror asks for), unless the
# registry has it.
push_node_image() {
  local name="$1" ref="$2" repo tag dir
  repo="${ref#registry.k8s.io/}" && tag="${repo##*:}" && repo="${repo%:*}"
  curl -fsS -o /dev/null -I "http://$REGISTRY/v2/$repo/manifests/$tag" 2>/dev/null && return 0
  dir="$(mktemp -d)"
  tar -xf "$IMAGE_DIR/$name.tar" -C "$dir"
  oci_push "$dir" "$REGISTRY" "$repo" "$tag" || { rm -rf "$dir"; die "could not push $ref to the local registry"; }
  rm -rf "$dir"
}

install() {
  [[ $(id -u) -eq 0 ]] || die "the cluster needs root (kubelet, containerd, iptables)"
  apt_install "${DEBIAN_PACKAGES[@]}"
  [[ -x "$CNI_BIN_DIR/bridge" ]] || die "no CNI bridge plugin in $CNI_BIN_DIR"
  GO="$(go_cmd)"
  mkdir -p "$BUILD_DIR"
  exec 9>"$BUILD_DIR/install.lock"
  flock 9
  # One build at a time: each keeps both cores busy.
  build_all
  pack_image pause "$PAUSE_IMAGE" "$BIN_DIR/pause"
  pack_image coredns "$COREDNS_IMAGE" "$BIN_DIR/coredns"
  exec 9>&-
}

# install_registry: only the registry's build (no root, no Debian packages), under the same
# lock as install, for the model operator's tests (scripts/infra/model-registry.sh).
install_registry() {
  GO="$(go_cmd)"
  mkdir -p "$BUILD_DIR"
  exec 9>"$BUILD_DIR/install.lock"
  flock 9
  build_registry
  exec 9>&-
}

# ---------------------------------------------------------------------------- helpers

kubectl() { "$BIN_DIR/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
ctr_k8s() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }

# The cgroup hierarchies mounted here, as folders: the v1 controllers (cpu, memory, ...,
# name=systemd's systemd) and the hybrid v2 one (unified), where runc makes pod cgroups too.
cgroup_controllers() { findmnt -rn -t cgroup,cgroup2 -o TARGET | grep '^/sys/fs/cgroup/' || true; }

# make_cgroups: /<controller>/shoshizan (the kubelet's cgroupRoot: pods go below it) and
# /shoshizan/system for the daemons, so down finds every process of the cluster and
# status can measure its memory.
make_cgroups() {
  local c
  for c in $(cgroup_controllers); do
    mkdir -p "$c/$CGROUP/system"
    if [[ -f "$c/cpuset.cpus" ]]; then
      # A new cpuset is empty and takes no process until it has cpus and mems.
      cat "$c/cpuset.cpus" >"$c/$CGROUP/cpuset.cpus" && cat "$c/cpuset.mems" >"$c/$CGROUP/cpuset.mems"
      cat "$c/cpuset.cpus" >"$c/$CGROUP/system/cpuset.cpus" && cat "$c/cpuset.mems" >"$c/$CGROUP/system/cpuset.mems"
    fi
  done
}

# export_cgroup_procs: the cgroup.procs files of the system cgroup, for spawn (a list of
# files; the paths have no spaces).
export_cgroup_procs() {
  local c list=""
  for c in $(cgroup_controllers); do list+="$c/$CGROUP/system/cgroup.procs "; done
  export CGROUP_PROCS="$list"
}

# spawn NAME COMMAND...: starts a long-running process in the system cgroup (where its
# children start too), detached from this script's standard streams.
spawn() {
  local name="$1"; shift
  # shellcheck disable=SC2016 # expanded by the inner shell
  nohup bash -c 'for f in $CGROUP_PROCS; do echo $$ >"$f"; done; unset CGROUP_PROCS; exec "$@"' "$name" "$@" \
    >"$LOG_DIR/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$SHOSHIZAN_RUN/$name.pid"
}

# alive NAME: the process of NAME's pid file runs. Not lib.sh's pid_alive: a stopped daemon
# stays a zombie for about a second here, until the machine's init reaps it.
alive() {
  local f="$SHOSHIZAN_RUN/$1.pid" state
  [[ -f "$f" ]] || return 1
  state="$(sed 's/.*) //' "/proc/$(cat "$f")/stat" 2>/dev/null | cut -d' ' -f1)"
  [[ -n "$state" && "$state" != Z ]]
}

# stop_daemons TIMEOUT NAME...: SIGTERM to each at once, then waits for all of them;
# SIGKILL for one that outlasts TIMEOUT seconds.
stop_daemons() {
  local timeout="$1" name stopping=(); shift
  for name in "$@"; do
    if alive "$name"; then
      kill -TERM "$(cat "$SHOSHIZAN_RUN/$name.pid")" 2>/dev/null || true
      stopping+=("$name")
    else
      rm -f "$SHOSHIZAN_RUN/$name.pid"
    fi
  done
  local deadline=$((SECONDS + timeout)) left
  while :; do
    left=()
    for name in "${stopping[@]}"; do alive "$name" && left+=("$name"); done
    ((${#left[@]} == 0 || SECONDS >= deadline)) && break
    sleep 0.1
  done
  for name in "${left[@]}"; do
    log "$name did not stop within ${timeout}s; killing it"
    kill -KILL "$(cat "$SHOSHIZAN_RUN/$name.pid")" 2>/dev/null || true
  done
  for name in "${stopping[@]}"; do rm -f "$SHOSHIZAN_RUN/$name.pid"; done
  ((${#stopping[@]} == 0)) || log "stopped ${stopping[*]}"
}

# wait_until NAME TIMEOUT COMMAND...: polls COMMAND, fails early (with the log's tail) when
# the process NAME has exited.
wait_until() {
  local name="$1" timeout="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if [[ -f "$SHOSHIZAN_RUN/$name.pid" ]] && ! alive "$name"; then
      tail -n 30 "$LOG_DIR/$name.log" >&2
      die "$name exited during startup; see $LOG_DIR/$name.log"
    fi
    if ((SECONDS >= deadline)); then
      [[ -f "$LOG_DIR/$name.log" ]] && tail -n 30 "$LOG_DIR/$name.log" >&2
      die "$name was not ready after ${timeout}s; see $LOG_DIR/$name.log"
    fi
    sleep 0.5
  done
}

https_ok() { curl -fsS --max-time 5 --cacert "$STATE/pki/ca.crt" --cert "$STATE/pki/admin.crt" --key "$STATE/pki/admin.key" "$API_URL$1"; }

# ---------------------------------------------------------------------------- sysctls

save_sysctls() {
  [[ -f "$SYSCTL_SAVE" ]] && return 0   # a run that was never torn down: keep the first values
  local key value
  for key in "${SYSCTLS[@]}"; do
    value="$(sysctl -n "$key" 2>/dev/null)" || continue
    printf '%s=%s\n' "$key" "$value"
  done >"$SYSCTL_SAVE.tmp"
  mv "$SYSCTL_SAVE.tmp" "$SYSCTL_SAVE"
}

print_sysctls() {
  local key
  for key in "${SYSCTLS[@]}"; do printf '%s=%s\n' "$key" "$(sysctl -n "$key" 2>/dev/null || echo '(none)')"; done
}

restore_sysctls() {
  [[ -f "$SYSCTL_SAVE" ]] || return 0
  local line key value failed=0
  while IFS= read -r line; do
    key="${line%%=*}" value="${line#*=}"
    [[ "$(sysctl -n "$key" 2>/dev/null)" == "$value" ]] && continue
    if sysctl -qw "$key=$value" >/dev/null 2>&1; then log "restored $key=$value"
    else log "could not restore $key=$value"; failed=1
    fi
  done <"$SYSCTL_SAVE"
  ((failed)) || rm -f "$SYSCTL_SAVE"
}

# ---------------------------------------------------------------------------- certificates

# make_ca NAME CN: a self-signed CA (ECDSA P-256: fast to make, accepted everywhere here).
make_ca() {
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -days 3650 \
    -subj "/CN=$2" -keyout "$PKI/$1.key" -out "$PKI/$1.crt" 2>/dev/null || die "openssl could not make the $1 CA"
}

# make_cert CA NAME USAGE SUBJECT [SANS]: a certificate signed by CA; USAGE is serverAuth or
# clientAuth; a client's groups are the O= of its SUBJECT, its user the CN=.
make_cert() {
  local ca="$1" name="$2" usage="$3" subject="$4" sans="${5:-}"
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -subj "$subject" \
    -keyout "$PKI/$name.key" -out "$PKI/$name.csr" 2>/dev/null || die "openssl could not make the $name key"
  {
    echo "basicConstraints = CA:FALSE"
    echo "keyUsage = critical, digitalSignature, keyEncipherment"
    echo "extendedKeyUsage = $usage"
    [[ -n "$sans" ]] && echo "subjectAltName = $sans"
  } >"$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days 3650 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null || die "openssl could not sign the $name certificate"
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

# write_kubeconfig FILE CERT: a kubeconfig for the client certificate CERT.
write_kubeconfig() {
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: shoshizan
  cluster: { server: "$API_URL", certificate-authority: "$PKI/ca.crt" }
users:
- name: $2
  user: { client-certificate: "$PKI/$2.crt", client-key: "$PKI/$2.key" }
contexts:
- name: shoshizan
  context: { cluster: shoshizan, user: $2 }
current-context: shoshizan
EOF
  chmod 600 "$1"
}

make_pki() {
  PKI="$STATE/pki"
  mkdir -p "$PKI" && chmod 700 "$PKI"
  make_ca ca shoshizan-ca
  make_ca front-proxy-ca shoshizan-front-proxy-ca
  make_cert ca apiserver serverAuth "/CN=kube-apiserver" \
    "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:$NODE_IP,IP:$API_SERVICE_IP,IP:127.0.0.1"
  # The API server's identity towards the kubelet (logs, exec, port-forward).
  make_cert ca apiserver-kubelet-client clientAuth "/O=system:masters/CN=kube-apiserver-kubelet-client"
  make_cert ca admin clientAuth "/O=system:masters/CN=shoshizan-admin"
  # The users the bootstrap RBAC policy binds the components' roles to.
  make_cert ca controller-manager clientAuth "/CN=system:kube-controller-manager"
  make_cert ca scheduler clientAuth "/CN=system:kube-scheduler"
  make_cert ca kube-proxy clientAuth "/CN=system:kube-proxy"
  make_cert ca kubelet clientAuth "/O=system:nodes/CN=system:node:$NODE_NAME"
  # For aggregated API servers (KEDA's metrics server): the API server's proxy identity.
  make_cert front-proxy-ca front-proxy-client clientAuth "/CN=front-proxy-client"
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/sa.key" 2>/dev/null &&
    openssl ec -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null || die "openssl could not make the service-account key"
  local c
  for c in admin controller-manager scheduler kube-proxy kubelet; do write_kubeconfig "$STATE/$c.kubeconfig" "$c"; done
  cp "$STATE/admin.kubeconfig" "$KUBECONFIG_FILE"
}

# ---------------------------------------------------------------------------- configuration

write_configs() {
  mkdir -p "$STATE/cni/net.d" "$STATE/cni/ipam" "$STATE/containerd" "$STATE/hosts.d/$REGISTRY" "$CONTAINERD_ROOT" "$REGISTRY_DATA"

  # The pod network: the bridge this script made, host-local addresses. No ipMasq: pods
  # talk to each other, to Services and to the node, never beyond it.
  cat >"$STATE/cni/net.d/10-shoshizan.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "shoshizan",
  "plugins": [
    {
      "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$STATE/cni/ipam",
        "ranges": [[{ "subnet": "$POD_CIDR", "gateway": "$NODE_IP" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF

  # The local registry speaks plain http.
  cat >"$STATE/hosts.d/$REGISTRY/hosts.toml" <<EOF
server = "http://$REGISTRY"

[host."http://$REGISTRY"]
  capabilities = ["pull", "resolve"]
EOF

  # The node's own images (pause, CoreDNS) are named under registry.k8s.io; that name is
  # mirrored to the local registry, which holds them too (pushed at up), so an image the
  # kubelet's image GC removed when the disk filled up is pulled again instead of leaving
  # every new pod without a sandbox (containerd 1.6 does not pin the sandbox image).
  mkdir -p "$STATE/hosts.d/registry.k8s.io"
  cat >"$STATE/hosts.d/registry.k8s.io/hosts.toml" <<EOF
server = "https://registry.k8s.io"

[host."http://$REGISTRY"]
  capabilities = ["pull", "resolve"]
EOF

  # containerd with a root, state and socket of its own (Debian's service is never used).
  #   restrict_oom_score_adj: the machine's capability bounding set lacks CAP_SYS_RESOURCE,
  #     so not even root may lower an oom_score_adj; without it every sandbox fails with
  #     runc's "can't get final child's PID from pipe: EOF".
  #   netns_mounts_under_state_dir: pod network namespaces live under $STATE, not /run/netns.
  cat >"$STATE/containerd/config.toml" <<EOF
version = 2
root = "$CONTAINERD_ROOT"
state = "$STATE/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = "$CONTAINERD_SOCK"

[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE/containerd/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN_DIR"
    conf_dir = "$STATE/cni/net.d"
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$STATE/hosts.d"
EOF

  cat >"$STATE/registry.yaml" <<EOF
version: 0.1
log:
  level: warn   # the access log (one line a request) is kept
storage:
  filesystem:
    rootdirectory: $REGISTRY_DATA
  delete:
    enabled: true
http:
  addr: $REGISTRY
EOF

  # The kubelet. cgroup v1 needs failCgroupV1: false (its default is true since 1.35).
  # cgroupRoot puts every pod under /shoshizan. Eviction only when the machine is nearly
  # full: the disk is shared with everything else on it. resolvConf "": a pod with
  # dnsPolicy Default gets no outside resolver.
  cat >"$STATE/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: "$PKI/ca.crt" }
authorization:
  mode: Webhook
containerRuntimeEndpoint: "unix://$CONTAINERD_SOCK"
cgroupDriver: cgroupfs
cgroupRoot: /$CGROUP
failCgroupV1: false
failSwapOn: false
clusterDomain: cluster.local
clusterDNS: ["$DNS_IP"]
resolvConf: ""
podLogsDir: "$STATE/pod-logs"
volumePluginDir: "$STATE/kubelet/volume-plugins"
serializeImagePulls: false
rotateCertificates: false
evictionHard:
  memory.available: "200Mi"
  nodefs.available: "2%"
  imagefs.available: "2%"
imageGCHighThresholdPercent: 95
imageGCLowThresholdPercent: 90
EOF

  # kube-proxy: iptables mode; NodePorts on the node address only (a loopback NodePort
  # would need route_localnet); conntrack limits left as the machine has them.
  cat >"$STATE/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: "$STATE/kube-proxy.kubeconfig"
mode: iptables
hostnameOverride: $NODE_NAME
clusterCIDR: $POD_CIDR
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: ["$NODE_IP/32"]
iptables:
  localhostNodePorts: false
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
EOF
}

# ---------------------------------------------------------------------------- up

running() { alive kubelet && alive kube-apiserver && alive containerd; }

make_bridge() {
  ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge
  ip addr replace "$NODE_IP/${POD_CIDR#*/}" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # Service addresses go to the bridge, never to the default route, even before kube-proxy
  # has written its rules.
  ip route replace "$SERVICE_CIDR" dev "$BRIDGE" src "$NODE_IP"
}

up() {
  install
  if running; then
    log "the cluster is already up; kubeconfig: $KUBECONFIG_FILE"
    return 0
  fi
  local started=$SECONDS
  down_quiet
  mkdir -p "$STATE" "$SHOSHIZAN_RUN" "$LOG_DIR"
  # From here on a failure tears down what was started (its logs stay in $LOG_DIR).
  trap 'if (($? != 0)); then log "up failed; tearing down (logs: $LOG_DIR)"; down_quiet; fi' EXIT
  save_sysctls
  make_bridge
  make_cgroups
  export_cgroup_procs
  make_pki
  write_configs

  spawn containerd containerd --config "$STATE/containerd/config.toml"
  spawn registry "$BIN_DIR/registry" serve "$STATE/registry.yaml"
  local etcd_url="http://127.0.0.1:$ETCD_PORT" peer_url="http://127.0.0.1:$ETCD_PEER_PORT"
  # No fsync: a development cluster's state is thrown away at down anyway.
  spawn etcd "$BIN_DIR/etcd" --name="$NODE_NAME" --data-dir="$STATE/etcd" \
    --listen-client-urls="$etcd_url" --advertise-client-urls="$etcd_url" \
    --listen-peer-urls="$peer_url" --initial-advertise-peer-urls="$peer_url" \
    --initial-cluster="$NODE_NAME=$peer_url" --unsafe-no-fsync=true --log-level=warn
  wait_until etcd "$START_TIMEOUT" curl -fsS --max-time 2 "$etcd_url/health"

  spawn kube-apiserver "$BIN_DIR/kube-apiserver" \
    --etcd-servers="$etcd_url" \
    --bind-address="$NODE_IP" --advertise-address="$NODE_IP" --secure-port="$API_PORT" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types=InternalIP \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --allow-privileged=true \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
    --enable-aggregator-routing=true
  wait_until containerd "$START_TIMEOUT" ctr --address "$CONTAINERD_SOCK" version
  ctr_k8s images import --platform linux/amd64 "$IMAGE_DIR/pause.tar" >/dev/null || die "could not import the pause image"
  ctr_k8s images import --platform linux/amd64 "$IMAGE_DIR/coredns.tar" >/dev/null || die "could not import the CoreDNS image"
  wait_until registry "$START_TIMEOUT" curl -fsS --max-time 2 "http://$REGISTRY/v2/"
  push_node_image pause "$PAUSE_IMAGE"
  push_node_image coredns "$COREDNS_IMAGE"
  wait_until kube-apiserver "$START_TIMEOUT" https_ok /readyz

  local common=(--bind-address=127.0.0.1 --leader-elect=false)
  spawn kube-controller-manager "$BIN_DIR/kube-controller-manager" "${common[@]}" --secure-port=10257 \
    --kubeconfig="$STATE/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$STATE/controller-manager.kubeconfig" --authorization-kubeconfig="$STATE/controller-manager.kubeconfig" \
    --cert-dir="$STATE/controller-manager" \
    --root-ca-file="$PKI/ca.crt" --service-account-private-key-file="$PKI/sa.key" --use-service-account-credentials=true \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" --allocate-node-cidrs=false
  spawn kube-scheduler "$BIN_DIR/kube-scheduler" "${common[@]}" --secure-port=10259 \
    --kubeconfig="$STATE/scheduler.kubeconfig" \
    --authentication-kubeconfig="$STATE/scheduler.kubeconfig" --authorization-kubeconfig="$STATE/scheduler.kubeconfig" \
    --cert-dir="$STATE/scheduler"
  spawn kubelet "$BIN_DIR/kubelet" --config="$STATE/kubelet.yaml" --kubeconfig="$STATE/kubelet.kubeconfig" \
    --root-dir="$STATE/kubelet" --cert-dir="$STATE/kubelet/pki" \
    --hostname-override="$NODE_NAME" --node-ip="$NODE_IP"
  spawn kube-proxy "$BIN_DIR/kube-proxy" --config="$STATE/kube-proxy.yaml"

  sed -e "s|@COREDNS_IMAGE@|$COREDNS_IMAGE|" -e "s|@DNS_IP@|$DNS_IP|" "$HERE/manifests/coredns.yaml" |
    kubectl apply -f - >/dev/null || die "could not apply CoreDNS"
  wait_until kubelet "$START_TIMEOUT" kubectl wait --for=condition=Ready "node/$NODE_NAME" --timeout=2s
  log "node $NODE_NAME is Ready ($((SECONDS - started))s)"
  wait_until kubelet "$START_TIMEOUT" kubectl -n kube-system wait --for=condition=Available deployment/coredns --timeout=2s
  wait_until kube-proxy "$START_TIMEOUT" "$BIN_DIR/probe" resolve kubernetes.default.svc.cluster.local "$DNS_IP:53"
  trap - EXIT
  log "Kubernetes $KUBERNETES_VERSION is up in $((SECONDS - started))s: node $NODE_NAME Ready, CoreDNS answers at $DNS_IP"
  log "kubeconfig: $KUBECONFIG_FILE; registry: $REGISTRY"
}

# ---------------------------------------------------------------------------- down

# cgroup_pids: every process in the cluster's cgroups.
cgroup_pids() {
  local c
  c="$(cgroup_controllers | grep '/memory$' | head -n 1)"
  [[ -n "$c" && -d "$c/$CGROUP" ]] || return 0
  find "$c/$CGROUP" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -un
}

# stray_pids: processes of the cluster outside its cgroups (a shim or daemon started by an
# earlier version of this script, say): those running a binary of $BIN_DIR or whose
# command line names this cluster's folders.
stray_pids() {
  local p exe
  for p in /proc/[0-9]*; do
    exe="$(readlink "$p/exe" 2>/dev/null)" || continue
    if [[ "$exe" == "$BIN_DIR/"* ]] || tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -e "$STATE/" -e "$CONTAINERD_ROOT"; then
      [[ "${p#/proc/}" != "$$" ]] && echo "${p#/proc/}"
    fi
  done
}

# our_mounts: mount points under the cluster's folders, deepest first.
our_mounts() { findmnt -rn -o TARGET | grep -F "$CLUSTER_HOME/" | sort -r || true; }

# iptables_commands: iptables and ip6tables (nf_tables, Debian's default), and their legacy
# variants only when the kernel has legacy tables already (listing would create them).
iptables_commands() {
  echo iptables ip6tables
  [[ -s /proc/net/ip_tables_names ]] && echo iptables-legacy
  [[ -s /proc/net/ip6_tables_names ]] && echo ip6tables-legacy
  return 0
}

# iptables_sweep: removes every KUBE-* and CNI-* chain and every rule that jumps to one,
# in each table of each family (kube-proxy --cleanup has already removed its own).
iptables_sweep() {
  local cmd tables table rule chain chains
  for cmd in $(iptables_commands); do
    command -v "$cmd" >/dev/null 2>&1 || continue
    tables="filter nat mangle raw"
    [[ "$cmd" == iptables-legacy ]] && tables="$(cat /proc/net/ip_tables_names)"
    [[ "$cmd" == ip6tables-legacy ]] && tables="$(cat /proc/net/ip6_tables_names)"
    for table in $tables; do
      "$cmd" -t "$table" -S >/dev/null 2>&1 || continue
      while IFS= read -r rule; do
        eval "$cmd -t $table -D ${rule#-A }" 2>/dev/null || true
      done < <("$cmd" -t "$table" -S 2>/dev/null | grep -E -- '-j (KUBE|CNI)-' | grep -Ev '^-A (KUBE|CNI)-')
      chains="$("$cmd" -t "$table" -S 2>/dev/null | sed -n 's/^-N \(\(KUBE\|CNI\)-[^ ]*\)$/\1/p')"
      for chain in $chains; do "$cmd" -t "$table" -F "$chain" 2>/dev/null || true; done
      for chain in $chains; do "$cmd" -t "$table" -X "$chain" 2>/dev/null || true; done
    done
  done
}

remove_cgroups() {
  local c
  for c in $(cgroup_controllers); do
    [[ -d "$c/$CGROUP" ]] || continue
    find "$c/$CGROUP" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
}

down_quiet() {
  # Nothing reconciles while the node is emptied.
  stop_daemons 30 kube-controller-manager kube-scheduler kubelet
  # Every pod sandbox stopped and removed through the runtime, so CNI DEL releases its
  # address, veth and namespace.
  if [[ -S "$CONTAINERD_SOCK" ]] && alive containerd; then
    timeout 120 "$BIN_DIR/crictl" --runtime-endpoint "unix://$CONTAINERD_SOCK" --timeout 60s rmp --all --force >/dev/null 2>&1 ||
      log "crictl rmp did not finish; killing what is left"
  fi
  stop_daemons 30 kube-proxy containerd
  [[ -x "$BIN_DIR/kube-proxy" ]] && "$BIN_DIR/kube-proxy" --cleanup >/dev/null 2>&1 || true
  stop_daemons 30 kube-apiserver registry
  stop_daemons 30 etcd

  # Whatever is left (containers, shims, a daemon of a crashed run): killed.
  local pids tries
  for tries in 1 2 3 4 5 6 7 8 9 10; do
    pids="$( { cgroup_pids; stray_pids; } | sort -un)"
    [[ -z "$pids" ]] && break
    # shellcheck disable=SC2086 # a list of pids
    kill -KILL $pids 2>/dev/null || true
    sleep 0.5
  done
  [[ -z "$pids" ]] || log "processes still alive: $pids"

  local m
  for m in $(our_mounts); do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"; done
  ip link del "$BRIDGE" 2>/dev/null || true
  iptables_sweep
  remove_cgroups
  restore_sysctls
  # Container log links the kubelet made for this node's pods.
  find /var/log/containers -maxdepth 1 -type l -lname "$STATE/*" -delete 2>/dev/null || true
  # What the kubelet, CNI and containerd make at fixed paths whatever they are told (the
  # device-plugin socket, the CNI result cache, shim sockets, runc state): folders only
  # once empty.
  local d
  [[ -S /var/lib/kubelet/device-plugins/kubelet.sock ]] && rm -f /var/lib/kubelet/device-plugins/kubelet.sock
  for d in /var/lib/kubelet/device-plugins /var/lib/kubelet /var/lib/cni/results /var/lib/cni /var/log/containers \
    /run/containerd/runc/k8s.io /run/containerd/runc /run/containerd/s /run/containerd; do
    rmdir "$d" 2>/dev/null || true
  done
  rm -rf "$STATE" "$KUBECONFIG_FILE"
}

down() {
  local started=$SECONDS
  [[ $(id -u) -eq 0 ]] || die "the cluster needs root (kubelet, containerd, iptables)"
  down_quiet
  if leftovers >&2; then
    log "the cluster is down ($((SECONDS - started))s); nothing is left"
  else
    die "the cluster is down, but the above is left"
  fi
}

# leftovers: prints every trace of a cluster on this machine; fails when there is one.
leftovers() {
  local found=0 pids mounts chains cmd c
  pids="$( { cgroup_pids; stray_pids; } | sort -un | tr '\n' ' ')"
  [[ -n "${pids// /}" ]] && { echo "processes: $pids"; found=1; }
  mounts="$(our_mounts)"
  [[ -n "$mounts" ]] && { echo "mounts: $mounts"; found=1; }
  [[ -d /run/netns ]] && ls /run/netns | grep -q '^cni-' && { echo "network namespaces: $(ls /run/netns | grep '^cni-' | tr '\n' ' ')"; found=1; }
  ip link show "$BRIDGE" >/dev/null 2>&1 && { echo "bridge: $BRIDGE"; found=1; }
  for cmd in $(iptables_commands); do
    command -v "$cmd-save" >/dev/null 2>&1 || continue
    chains="$("$cmd-save" 2>/dev/null | sed -n 's/^:\(\(KUBE\|CNI\)-[^ ]*\) .*/\1/p' | tr '\n' ' ')"
    [[ -n "$chains" ]] && { echo "$cmd chains: $chains"; found=1; }
  done
  for c in $(cgroup_controllers); do [[ -d "$c/$CGROUP" ]] && { echo "cgroup: $c/$CGROUP"; found=1; }; done
  [[ -f "$SYSCTL_SAVE" ]] && { echo "sysctls not restored: $(tr '\n' ' ' <"$SYSCTL_SAVE")"; found=1; }
  ((found == 0))
}

# ---------------------------------------------------------------------------- status

# memory_mb: the memory the cluster's processes use (pods and daemons), from the cgroup:
# resident memory plus page cache, and resident alone.
memory_report() {
  local c stat
  c="$(cgroup_controllers | grep '/memory$' | head -n 1)"
  [[ -n "$c" && -f "$c/$CGROUP/memory.stat" ]] || return 0
  stat="$c/$CGROUP/memory.stat"
  awk '$1 == "total_rss" { rss = $2 } $1 == "total_cache" { cache = $2 } $1 == "total_shmem" { shm = $2 }
       END { printf "memory: %d MiB resident (rss), %d MiB page cache\n", rss / 1048576, cache / 1048576 }' "$stat"
  local sys="$c/$CGROUP/system/memory.stat"
  [[ -f "$sys" ]] && awk '$1 == "total_rss" { printf "  of which daemons (etcd, control plane, kubelet, containerd, registry): %d MiB rss\n", $2 / 1048576 }' "$sys"
  [[ -f "$c/$CGROUP/kubepods/memory.stat" ]] && awk '$1 == "total_rss" { printf "  of which pods: %d MiB rss\n", $2 / 1048576 }' "$c/$CGROUP/kubepods/memory.stat"
}

status() {
  local name
  for name in containerd registry etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy; do
    if alive "$name"; then echo "$name: running (pid $(cat "$SHOSHIZAN_RUN/$name.pid"))"; else echo "$name: stopped"; fi
  done
  running || return 0
  echo
  kubectl get nodes -o wide
  echo
  kubectl get pods -A -o wide
  echo
  memory_report
}

env_json() {
  printf '{"kubernetesVersion":"%s","etcdVersion":"%s","corednsVersion":"%s","registryVersion":"%s","crictlVersion":"%s",' \
    "$KUBERNETES_VERSION" "$ETCD_VERSION" "$COREDNS_VERSION" "$REGISTRY_VERSION" "$CRICTL_VERSION"
  printf '"kubeconfig":"%s","bin":"%s","registry":"%s","nodeIp":"%s","nodeName":"%s","apiServer":"%s","dnsIp":"%s","containerdSocket":"%s","logs":"%s"}\n' \
    "$KUBECONFIG_FILE" "$BIN_DIR" "$REGISTRY" "$NODE_IP" "$NODE_NAME" "$API_URL" "$DNS_IP" "$CONTAINERD_SOCK" "$LOG_DIR"
}

case "${1:-}" in
  install) install ;;
  build-registry) install_registry ;;
  up) up ;;
  down) down ;;
  status) status ;;
  memory) memory_report ;;
  kubeconfig) echo "$KUBECONFIG_FILE" ;;
  env) env_json ;;
  leftovers) leftovers ;;
  sysctls) print_sysctls ;;
  *) die "usage: $0 install|build-registry|up|down|status|memory|kubeconfig|env|leftovers|sysctls" ;;
esac
