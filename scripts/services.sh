#!/usr/bin/env bash
# Starts and stops the four services of local mode, and the chat UI's server, as background
# processes.
#   services.sh start|stop|status
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Start order follows the dependencies: gpt-api <- kafka-consumer; kafka-producer <- gateway.
SERVICES=(gpt-api kafka-producer kafka-consumer gateway)
# The UI's static server: the built app (ui/dist) and /config.json pointing at the gateway.
UI_SERVER="$ROOT/ui/server/serve.mjs"
UI_BUILD="$ROOT/ui/dist/index.html"

port_of() {
  case "$1" in
    gateway) echo "$GATEWAY_PORT" ;;
    kafka-producer) echo "$PRODUCER_PORT" ;;
    kafka-consumer) echo "$CONSUMER_PORT" ;;
    gpt-api) echo "$GPT_API_PORT" ;;
    ui) echo "$UI_PORT" ;;
  esac
}

# metrics_port_of NAME: where the service serves GET /metrics (the UI serves none).
metrics_port_of() {
  case "$1" in
    gateway) echo "$GATEWAY_METRICS_PORT" ;;
    kafka-producer) echo "$PRODUCER_METRICS_PORT" ;;
    kafka-consumer) echo "$CONSUMER_METRICS_PORT" ;;
    gpt-api) echo "$GPT_API_METRICS_PORT" ;;
  esac
}

# ready NAME: the service's readiness probe answers 2xx.
ready() {
  local path=/health/ready
  [[ "$1" == ui ]] && path=/healthz
  curl -fsS --max-time 5 "http://127.0.0.1:$(port_of "$1")$path" >/dev/null 2>&1
}

# start_one NAME COMMAND...: runs COMMAND in the background with PORT (and METRICS_PORT) set,
# waits until ready.
start_one() {
  local name="$1" port metrics_port; shift
  port="$(port_of "$name")"
  metrics_port="$(metrics_port_of "$name")"
  if pid_alive "$name"; then
    log "$name already running (pid $(cat "$SHOSHIZAN_RUN/$name.pid"))"
    return 0
  fi
  port_open "$port" && die "port $port (for $name) is taken by another process"
  [[ -n "$metrics_port" ]] && port_open "$metrics_port" && die "port $metrics_port (for $name's metrics) is taken by another process"
  PORT="$port" METRICS_PORT="$metrics_port" nohup "$@" >>"$SHOSHIZAN_LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$SHOSHIZAN_RUN/$name.pid"
  if ! wait_for "$name on port $port" 90 ready "$name"; then
    tail -n 30 "$SHOSHIZAN_LOGS/$name.log" >&2
    die "$name did not become ready; its log is $SHOSHIZAN_LOGS/$name.log"
  fi
}

start_ui() {
  if [[ ! -f "$UI_BUILD" ]]; then
    log "the chat UI is not built (ui/dist is missing; npm run -w ui build makes it); the API runs without it"
    return 0
  fi
  GATEWAY_URL="http://127.0.0.1:$GATEWAY_PORT" HOST=127.0.0.1 start_one ui node "$UI_SERVER"
}

case "${1:-}" in
  start)
    for s in "${SERVICES[@]}"; do
      [[ -f "$ROOT/services/$s/dist/main.js" ]] || die "services/$s is not built; run npm run build"
    done
    for s in "${SERVICES[@]}"; do start_one "$s" node "$ROOT/services/$s/dist/main.js"; done
    start_ui
    ;;
  stop)
    # Reverse order: the UI and the gateway stop taking requests first, let workers finish, then the rest.
    stop_pid ui 15
    for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do stop_pid "${SERVICES[i]}" 60; done
    ;;
  status)
    for s in "${SERVICES[@]}" ui; do
      if pid_alive "$s"; then
        state="running"; ready "$s" && state="ready"
        metrics=""; [[ -n "$(metrics_port_of "$s")" ]] && metrics=", metrics on 127.0.0.1:$(metrics_port_of "$s")/metrics"
        echo "$s: $state on 127.0.0.1:$(port_of "$s")$metrics (pid $(cat "$SHOSHIZAN_RUN/$s.pid"))"
      elif [[ "$s" == ui && ! -f "$UI_BUILD" ]]; then
        echo "ui: not built (npm run -w ui build)"
      else
        echo "$s: stopped"
      fi
    done
    ;;
  *) die "usage: $0 start|stop|status" ;;
esac
