#!/usr/bin/env bash
# npm start: installs what is missing, starts PostgreSQL, Kafka and Ollama, then the four
# services and the chat UI, then Prometheus, and prints where they are. Stop everything with `npm stop`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

bash "$DIR/deps.sh"
bash "$DIR/infra/postgres.sh" start
bash "$DIR/infra/kafka.sh" start
if [[ ! -x "$(bash "$DIR/infra/ollama.sh" binary 2>/dev/null || true)" ]]; then
  log "Ollama is built from source on first start; this takes a while (later starts reuse it)"
fi
bash "$DIR/infra/ollama.sh" start
bash "$DIR/services.sh" start
bash "$DIR/infra/prometheus.sh" start

source "$DIR/env.sh"
token="$(node "$DIR/dev-token.mjs")"
ui="http://127.0.0.1:$UI_PORT"
[[ -f "$DIR/../ui/dist/index.html" ]] || ui="not built (npm run -w ui build, then npm start)"
cat <<TXT

Shoshizan is running.

  Chat UI:        $ui
  Gateway:        http://127.0.0.1:$GATEWAY_PORT
  API docs:       http://127.0.0.1:$GATEWAY_PORT/docs
  Health:         http://127.0.0.1:$GATEWAY_PORT/health/ready
  Prometheus:     $(bash "$DIR/infra/prometheus.sh" url)   (scrapes the four services every 15 s)
  Logs:           $SHOSHIZAN_LOGS   (npm run logs)
  Model:          $DEFAULT_MODEL

Admin login:    $ADMIN_USERNAME / $ADMIN_PASSWORD   (the chat UI, or POST /v1/auth/login)

A dev token (valid 12 hours; a new one: npm run --silent dev-token):

  export TOKEN=$token

Stream an answer:

  curl -N http://127.0.0.1:$GATEWAY_PORT/v1/chat \\
    -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
    -d '{"messages":[{"role":"user","content":"Why is the sky blue? Answer in two sentences."}]}'

Stop everything with: npm stop
TXT
