#!/usr/bin/env bash
# npm run status: what runs, where.
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$DIR/infra/postgres.sh" status
bash "$DIR/infra/kafka.sh" status
bash "$DIR/infra/ollama.sh" status
bash "$DIR/services.sh" status   # the four services and the chat UI
bash "$DIR/infra/prometheus.sh" status
