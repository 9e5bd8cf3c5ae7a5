#!/usr/bin/env bash
# Prometheus and promtool from Debian's `prometheus` package, unpacked into the cache (no
# root, no system service: the package's own would start one on :9090 as a daemon), and
# local mode's Prometheus: on 127.0.0.1:$PROMETHEUS_PORT, scraping the four services on
# their metrics ports with the labels the chart's ServiceMonitors give (the config comes
# from prometheus/config.ts), and evaluating the chart's alert rules when they exist.
#   prometheus.sh install   unpack the package unless it is unpacked
#   prometheus.sh bin       the folder holding `prometheus` and `promtool`
#   prometheus.sh start|stop|restart|status|url
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/prometheus" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"

PROMETHEUS_PACKAGE_VERSION="2.42.0+ds-5+deb12u1"
PROMETHEUS_HOME="$SHOSHIZAN_HOME/prometheus/$PROMETHEUS_PACKAGE_VERSION"
PROMETHEUS_BIN="$PROMETHEUS_HOME/usr/bin"
PROMETHEUS_DATA="$SHOSHIZAN_DATA/prometheus"
PROMETHEUS_LOG="$SHOSHIZAN_LOGS/prometheus.log"
PROMETHEUS_URL="http://127.0.0.1:$PROMETHEUS_PORT"
# Local mode keeps a day of samples: enough to look back on a working session, small on disk.
PROMETHEUS_RETENTION="${PROMETHEUS_RETENTION:-1d}"
# The chart's alert rules as one rules file (a Prometheus rules file, as promtool tests it).
RULES_FILE="$ROOT/charts/shoshizan/files/prometheus-rules.yaml"

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

# Written afresh on every start from the ports of scripts/env.sh.
write_config() {
  source "$ROOT/scripts/env.sh"
  local rules=()
  [[ -f "$RULES_FILE" ]] && rules=(--rules "$RULES_FILE")
  mkdir -p "$PROMETHEUS_DATA"
  node "$HERE/write-config.mjs" --interval 15s "${rules[@]}" >"$PROMETHEUS_DATA/prometheus.yml.new"
  "$PROMETHEUS_BIN/promtool" check config "$PROMETHEUS_DATA/prometheus.yml.new" >/dev/null ||
    die "the written config $PROMETHEUS_DATA/prometheus.yml.new does not pass promtool check config"
  mv -f "$PROMETHEUS_DATA/prometheus.yml.new" "$PROMETHEUS_DATA/prometheus.yml"
  [[ -f "$RULES_FILE" ]] || log "no alert rules at $RULES_FILE: Prometheus evaluates none"
}

ready() { curl -fsS --max-time 2 "$PROMETHEUS_URL/-/ready" >/dev/null 2>&1; }

start() {
  install
  if pid_alive prometheus; then
    log "Prometheus already running on $PROMETHEUS_URL"
    return 0
  fi
  port_open "$PROMETHEUS_PORT" && die "port $PROMETHEUS_PORT is taken by another process"
  write_config
  log "starting Prometheus on $PROMETHEUS_URL"
  echo "---- start $(date -u +%FT%TZ)" >>"$PROMETHEUS_LOG"
  nohup "$PROMETHEUS_BIN/prometheus" \
    --config.file="$PROMETHEUS_DATA/prometheus.yml" \
    --storage.tsdb.path="$PROMETHEUS_DATA/tsdb" \
    --storage.tsdb.retention.time="$PROMETHEUS_RETENTION" \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
    --web.local-assets="$PROMETHEUS_HOME/usr/share/prometheus/web/" \
    --web.console.templates="$PROMETHEUS_HOME/etc/prometheus/consoles" \
    --web.console.libraries="$PROMETHEUS_HOME/etc/prometheus/console_libraries" \
    >>"$PROMETHEUS_LOG" 2>&1 </dev/null 9>&- &   # 9: the install lock, not to be held on to
  echo $! >"$SHOSHIZAN_RUN/prometheus.pid"
  local deadline=$((SECONDS + 60))
  until ready; do
    if ! pid_alive prometheus || ((SECONDS >= deadline)); then
      tail -n 20 "$PROMETHEUS_LOG" >&2
      die "Prometheus did not start; its log is $PROMETHEUS_LOG"
    fi
    sleep 1
  done
  log "Prometheus is ready"
}

case "${1:-}" in
  install) install ;;
  bin) echo "$PROMETHEUS_BIN" ;;
  start) start ;;
  stop) stop_pid prometheus 30 ;;
  restart) stop_pid prometheus 30 && start ;;
  status)
    if pid_alive prometheus; then
      echo "prometheus: running on $PROMETHEUS_URL (pid $(cat "$SHOSHIZAN_RUN/prometheus.pid"), data $PROMETHEUS_DATA)"
    else
      echo "prometheus: stopped"
    fi
    ;;
  url) echo "$PROMETHEUS_URL" ;;
  *) die "usage: $0 install|bin|start|stop|restart|status|url" ;;
esac
