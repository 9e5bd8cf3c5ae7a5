#!/usr/bin/env bash
# npm stop: stops Prometheus, the chat UI and the services, then Ollama, Kafka and PostgreSQL. Data is kept.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

bash "$DIR/infra/prometheus.sh" stop
bash "$DIR/services.sh" stop
bash "$DIR/infra/ollama.sh" stop
bash "$DIR/infra/kafka.sh" stop
bash "$DIR/infra/postgres.sh" stop
