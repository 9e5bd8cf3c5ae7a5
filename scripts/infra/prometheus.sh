#!/usr/bin/env bash
# Prometheus and promtool from Debian's `prometheus` package, unpacked into the cache (no
# root, no system service: the package's own would start one on :9090 as a daemon).
#   prometheus.sh install   unpack the package unless it is unpacked
#   prometheus.sh bin       the folder holding `prometheus` and `promtool`
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

PROMETHEUS_PACKAGE_VERSION="2.42.0+ds-5+deb12u1"
PROMETHEUS_HOME="$SHOSHIZAN_HOME/prometheus/$PROMETHEUS_PACKAGE_VERSION"
PROMETHEUS_BIN="$PROMETHEUS_HOME/usr/bin"

unpack() {
  [[ -x "$PROMETHEUS_BIN/prometheus" && -x "$PROMETHEUS_BIN/promtool" ]] && return 0
  local work
  work="$(mktemp -d)"
  log "unpacking Debian's prometheus $PROMETHEUS_PACKAGE_VERSION into $PROMETHEUS_HOME"
  # apt-get download needs no root; it writes the .deb into the current folder.
  (cd "$work" && apt-get download -qq "prometheus=$PROMETHEUS_PACKAGE_VERSION" 2>/dev/null) ||
    (cd "$work" && apt-get update -qq >/dev/null 2>&1 && apt-get download -qq "prometheus=$PROMETHEUS_PACKAGE_VERSION") ||
    { rm -rf "$work"; die "could not download Debian's prometheus $PROMETHEUS_PACKAGE_VERSION"; }
  rm -rf "$PROMETHEUS_HOME.partial"
  mkdir -p "$PROMETHEUS_HOME.partial"
  dpkg -x "$work"/prometheus_*.deb "$PROMETHEUS_HOME.partial"
  rm -rf "$work" "$PROMETHEUS_HOME"
  mv "$PROMETHEUS_HOME.partial" "$PROMETHEUS_HOME"
  "$PROMETHEUS_BIN/promtool" --version >/dev/null || die "the unpacked promtool does not run"
}

install() { with_install_lock prometheus unpack; }

case "${1:-}" in
  install) install ;;
  bin) echo "$PROMETHEUS_BIN" ;;
  *) die "usage: $0 install|bin" ;;
esac
