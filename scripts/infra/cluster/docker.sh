#!/usr/bin/env bash
# A Docker engine for building the project's images on this machine: Debian's docker.io
# (20.10, with its built-in BuildKit), its dockerd started by hand beside the cluster of
# scripts/infra/cluster.sh, never as the machine's service. Used by cluster/images.sh.
#   docker.sh install   Debian's docker.io and debootstrap (a rerun that finds them does nothing)
#   docker.sh start     start dockerd (idempotent) and wait until it answers
#   docker.sh stop      stop it; checks that no dockerd or containerd-shim process, mount or
#                       network change is left behind (fails when one is)
#   docker.sh status    whether it runs, and its disk use
#   docker.sh env       the variables a shell needs to talk to it (eval "$(docker.sh env)")
#
# Where things live:
#   socket, pid file, exec root (the daemon's containerd state, netns): under the cluster's
#     one-run state, $SHOSHIZAN_HOME/cluster/state/docker.
#   data root (images, BuildKit's layer cache): $SHOSHIZAN_HOME/cluster/docker, kept between
#     runs so that a second build reuses every layer.
# Order: start after `cluster.sh up` (up clears the state folder) and stop before
# `cluster.sh down`. A down that finds dockerd still running kills it as a stray of the
# cluster (its command line names the state folder) and unmounts what it left under
# $SHOSHIZAN_HOME/cluster, so forgetting the order leaves nothing behind, but is abrupt.
#
# The daemon touches nothing of the machine's network: no bridge (--bridge=none), no
# iptables rules, no ip_forward or masquerading. Builds therefore run with the host's
# network (`docker build --network=host`; skaffold's `docker.network: host`), which is
# also how `npm ci` inside a build reaches the npm registry. The cluster's registry
# (10.244.0.1:5000, plain http) is an insecure registry to it.
#
# CLIs: /usr/local/bin/docker on this machine is a 28.x CLI whose `docker build` needs the
# buildx plugin; Debian's /usr/bin/docker (20.10) talks to the daemon's own BuildKit with
# DOCKER_BUILDKIT=1. `env` therefore puts /usr/bin first on PATH, for skaffold too.
#
# Measured here (2 cores, 2026-12-01): install 8 s; start 1 s; stop 1-4 s (after builds).
source "$(dirname "${BASH_SOURCE[0]}")/../../lib.sh"

CLUSTER_HOME="$SHOSHIZAN_HOME/cluster"
DOCKER_DATA="$CLUSTER_HOME/docker"          # images and build cache, kept between runs
DOCKER_STATE="$CLUSTER_HOME/state/docker"   # one run's: socket, pid file, exec root
DOCKER_SOCK="$DOCKER_STATE/docker.sock"
DOCKER_PIDFILE="$DOCKER_STATE/dockerd.pid"
DOCKER_EXEC_ROOT="$DOCKER_STATE/exec"
DOCKER_CONFIG_DIR="$DOCKER_STATE/cli"       # the CLI's config: none of the machine's contexts
DOCKER_LOG="$SHOSHIZAN_LOGS/cluster/dockerd.log"
DOCKER_CLI="/usr/bin/docker"                # Debian's 20.10 CLI, not /usr/local/bin/docker
REGISTRY="10.244.0.1:5000"

docker_env() {
  printf 'export DOCKER_HOST=unix://%s\n' "$DOCKER_SOCK"
  printf 'export DOCKER_BUILDKIT=1\n'
  printf 'export DOCKER_CONFIG=%s\n' "$DOCKER_CONFIG_DIR"
  printf 'export PATH=/usr/bin:$PATH\n'
}

dk() {
  DOCKER_HOST="unix://$DOCKER_SOCK" DOCKER_BUILDKIT=1 DOCKER_CONFIG="$DOCKER_CONFIG_DIR" "$DOCKER_CLI" "$@"
}

install() {
  [[ $(id -u) -eq 0 ]] || die "dockerd needs root"
  # docker.io brings dockerd and the 20.10 CLI (containerd and runc are the cluster's);
  # debootstrap makes the Debian root of the base images (cluster/images.sh).
  apt_install docker.io debootstrap
  [[ -x /usr/sbin/dockerd && -x "$DOCKER_CLI" ]] || die "docker.io installed no dockerd or $DOCKER_CLI"
}

dockerd_pid() {
  [[ -f "$DOCKER_PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$DOCKER_PIDFILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q dockerd && echo "$pid"
}

answers() { dk version --format '{{.Server.Version}}' >/dev/null 2>&1; }

start() {
  install
  if dockerd_pid >/dev/null && answers; then
    log "dockerd is already running ($DOCKER_SOCK)"
    return 0
  fi
  mkdir -p "$DOCKER_DATA" "$DOCKER_EXEC_ROOT" "$DOCKER_CONFIG_DIR" "$(dirname "$DOCKER_LOG")"
  # Its own daemon.json: a /etc/docker/daemon.json of the machine's is never read. BuildKit
  # is the builder of `docker build` (DOCKER_BUILDKIT=1 in `env` says the same to the CLI);
  # its garbage collection keeps the layer cache under 20 GB. The daemon's identity key goes
  # to the data root, not to /etc/docker/key.json.
  printf '{"features":{"buildkit":true},"builder":{"gc":{"enabled":true,"defaultKeepStorage":"20GB"}},"deprecated-key-path":"%s"}\n' \
    "$DOCKER_DATA/key.json" >"$DOCKER_STATE/daemon.json"
  # --oom-score-adjust=0: the machine's capability bounding set lacks CAP_SYS_RESOURCE, so a
  #   negative value (20.10's default is -500) cannot be written (see cluster.sh).
  # --userland-proxy=false: no docker-proxy processes (nothing publishes ports anyway).
  log "starting dockerd (data root $DOCKER_DATA)"
  nohup /usr/sbin/dockerd \
    --host "unix://$DOCKER_SOCK" --pidfile "$DOCKER_PIDFILE" \
    --data-root "$DOCKER_DATA" --exec-root "$DOCKER_EXEC_ROOT" \
    --config-file "$DOCKER_STATE/daemon.json" \
    --iptables=false --ip6tables=false --bridge=none --ip-forward=false --ip-masq=false \
    --userland-proxy=false --oom-score-adjust=0 \
    --insecure-registry "$REGISTRY" \
    --storage-driver overlay2 --exec-opt native.cgroupdriver=cgroupfs \
    >>"$DOCKER_LOG" 2>&1 </dev/null 9>&- &
  local pid=$! deadline=$((SECONDS + 60))
  until answers; do
    if ! kill -0 "$pid" 2>/dev/null || ((SECONDS >= deadline)); then
      tail -n 30 "$DOCKER_LOG" >&2
      stop
      die "dockerd did not start; see $DOCKER_LOG"
    fi
    sleep 0.5
  done
  log "dockerd $(dk version --format '{{.Server.Version}}') is ready ($DOCKER_SOCK)"
}

# our_pids: dockerd and the containerd and shims it started (their command lines name the
# exec root or the data root).
our_pids() {
  local p
  for p in /proc/[0-9]*; do
    tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF -e "$DOCKER_STATE" -e "$DOCKER_DATA" || continue
    [[ "${p#/proc/}" != "$$" ]] && echo "${p#/proc/}"
  done
}

# our_mounts: overlay and netns mounts under the data root or the exec root, deepest first.
our_mounts() { findmnt -rn -o TARGET | grep -F -e "$DOCKER_DATA" -e "$DOCKER_STATE" | sort -r || true; }

leftovers() {
  local found=0 pids mounts
  pids="$(our_pids | tr '\n' ' ')"
  [[ -n "${pids// /}" ]] && { echo "processes: $pids"; found=1; }
  mounts="$(our_mounts | tr '\n' ' ')"
  [[ -n "${mounts// /}" ]] && { echo "mounts: $mounts"; found=1; }
  ip link show docker0 >/dev/null 2>&1 && { echo "bridge: docker0"; found=1; }
  iptables-save 2>/dev/null | grep -q -i docker && { echo "iptables: DOCKER chains"; found=1; }
  ((found == 0))
}

stop() {
  local pid
  if pid="$(dockerd_pid)"; then
    kill -TERM "$pid"
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && { log "dockerd did not stop within 30s; killing it"; kill -KILL "$pid" 2>/dev/null || true; }
    log "stopped dockerd"
  fi
  # A crashed daemon's containerd and shims, and its mounts: removed.
  local left m
  left="$(our_pids | tr '\n' ' ')"
  [[ -n "${left// /}" ]] && { log "killing leftover processes: $left"; kill -KILL $left 2>/dev/null || true; sleep 0.5; }
  for m in $(our_mounts); do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"; done
  # Empty cgroups the daemon's containers made.
  local c
  for c in $(findmnt -rn -t cgroup,cgroup2 -o TARGET | grep '^/sys/fs/cgroup/'); do
    [[ -d "$c/docker" ]] && find "$c/docker" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  rm -rf "$DOCKER_EXEC_ROOT" "$DOCKER_SOCK" "$DOCKER_PIDFILE"
  local report
  if ! report="$(leftovers)"; then
    echo "$report" >&2
    die "dockerd left the above behind"
  fi
}

status() {
  if pid="$(dockerd_pid)" && answers; then
    echo "dockerd: running (pid $pid, $(dk version --format '{{.Server.Version}}'), socket $DOCKER_SOCK)"
    dk system df
  else
    echo "dockerd: stopped"
  fi
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) docker_env ;;
  leftovers) leftovers ;;
  *) die "usage: $0 install|start|stop|status|env|leftovers" ;;
esac
