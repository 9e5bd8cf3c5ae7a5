#!/usr/bin/env bash
# npm run bench [-- overhead|crowd]: the benchmarks in bench/, both by default.
#   overhead  starts the system if it is not running (as npm start does) and measures what the
#             durable pipeline adds to the real model (bench/pipeline-overhead.mjs). Leaves the
#             system running (npm stop).
#   crowd     starts a pipeline of its own against a model stand-in at 1 to 256 concurrent
#             streams (bench/crowd.mjs), beside a running system without disturbing it; needs
#             only PostgreSQL and Kafka, which it starts if they are not running and then
#             stops again. Writes bench/results/crowd-latest.json and .txt.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

what="${1:-all}"
case "$what" in
  all | overhead | crowd) ;;
  *) die "usage: npm run bench [-- overhead|crowd]" ;;
esac

if [[ "$what" != crowd ]]; then
  bash "$DIR/start.sh" >/dev/null
  (source "$DIR/env.sh" && node "$DIR/../bench/pipeline-overhead.mjs")
fi

if [[ "$what" != overhead ]]; then
  if [[ "$what" == crowd ]]; then
    # The services run from their builds (start.sh builds them on the way otherwise).
    [[ -d "$DIR/../node_modules" ]] || bash "$DIR/deps.sh"
    (cd "$DIR/.." && npm run --silent build)
  fi
  # The crowd bench sizes its services for its largest level unless CAPACITY is given;
  # env.sh would set local mode's (2), which caps every level at two generations at once.
  crowd_capacity="${CAPACITY:-}"
  source "$DIR/env.sh"
  # Infrastructure: reuse what runs, start what does not, and stop that again at the end.
  started=()
  cleanup() {
    local i
    for ((i = ${#started[@]} - 1; i >= 0; i--)); do bash "$DIR/infra/${started[i]}.sh" stop || true; done
  }
  trap cleanup EXIT
  port_open "$POSTGRES_PORT" || { bash "$DIR/infra/postgres.sh" start; started+=(postgres); }
  port_open "$KAFKA_PORT" || { bash "$DIR/infra/kafka.sh" start; started+=(kafka); }
  echo
  CAPACITY="$crowd_capacity" node "$DIR/../bench/crowd.mjs"
fi
