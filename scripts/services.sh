#!/usr/bin/env bash
# Starts and stops the four services of local mode as background processes.
#   services.sh start|stop|status
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Start order follows the dependencies: gpt-api <- kafka-consumer; kafka-producer <- gateway.
SERVICES=(gpt-api kafka-producer kafka-consumer gateway)

port_of() {
  case "$1" in
    gateway) echo "$GATEWAY_PORT" ;;
    kafka-producer) echo "$PRODUCER_PORT" ;;
    kafka-consumer) echo "$CONSUMER_PORT" ;;
    gpt-api) echo "$GPT_API_PORT" ;;
  esac
}

ready() { curl -fsS "http://127.0.0.1:$1/health/ready" >/dev/null 2>&1; }

start_one() {
  local name="$1" port
  port="$(port_of "$name")"
  if pid_alive "$name"; then
    log "$name already running (pid $(cat "$SHOSHIZAN_RUN/$name.pid"))"
    return 0
  fi
  port_open "$port" && die "port $port (for $name) is taken by another process"
  PORT="$port" nohup node "$ROOT/services/$name/dist/main.js" >>"$SHOSHIZAN_LOGS/$name.log" 2>&1 &
  echo $! >"$SHOSHIZAN_RUN/$name.pid"
  if ! wait_for "$name on port $port" 90 ready "$port"; then
    tail -n 30 "$SHOSHIZAN_LOGS/$name.log" >&2
    die "$name did not become ready; its log is $SHOSHIZAN_LOGS/$name.log"
  fi
}

case "${1:-}" in
  start)
    for s in "${SERVICES[@]}"; do
      [[ -f "$ROOT/services/$s/dist/main.js" ]] || die "services/$s is not built; run npm run build"
    done
    for s in "${SERVICES[@]}"; do start_one "$s"; done
    ;;
  stop)
    # Reverse order: stop taking requests first, let workers finish, then the rest.
    for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do stop_pid "${SERVICES[i]}" 60; done
    ;;
  status)
    for s in "${SERVICES[@]}"; do
      if pid_alive "$s"; then
        state="running"; ready "$(port_of "$s")" && state="ready"
        echo "$s: $state on 127.0.0.1:$(port_of "$s") (pid $(cat "$SHOSHIZAN_RUN/$s.pid"))"
      else
        echo "$s: stopped"
      fi
    done
    ;;
  *) die "usage: $0 start|stop|status" ;;
esac
