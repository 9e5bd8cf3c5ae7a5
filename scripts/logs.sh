#!/usr/bin/env bash
# npm run logs [-- NAME]: follows the logs of local mode (all, or one process).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [[ -n "${1:-}" ]]; then
  exec tail -n 50 -F "$SHOSHIZAN_LOGS/$1.log"
fi
exec tail -n 20 -F "$SHOSHIZAN_LOGS"/*.log
