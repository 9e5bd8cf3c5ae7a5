#!/usr/bin/env bash
# The environment of local mode: where each part listens and the dev JWT secret.
# Sourced after lib.sh (which puts a Node.js 24 on PATH) by start.sh, services.sh, test.sh,
# test-cluster.sh, bench.sh and infra/prometheus.sh.

export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:$KAFKA_PORT}"
export DATABASE_URL="${DATABASE_URL:-postgres://shoshizan@127.0.0.1:$POSTGRES_PORT/shoshizan}"
export OLLAMA_HOST="${OLLAMA_HOST:-http://127.0.0.1:$OLLAMA_PORT}"
# The model of a request that names none: SmolLM2, the chat-tuned one of the models
# scripts/infra/ollama.sh makes (smollm2:135m, gemma3:270m, gemma3:270m-precise).
export OLLAMA_MODEL="${OLLAMA_MODEL:-smollm2:135m}"
export DEFAULT_MODEL="${DEFAULT_MODEL:-$OLLAMA_MODEL}"

# Capacity, set in one place: generations the system runs at once. Ollama's parallel slots
# (OLLAMA_NUM_PARALLEL, read when Ollama starts), gpt-api's concurrency limit and the
# worker's in-flight limit all follow it, so they cannot disagree.
export CAPACITY="${CAPACITY:-2}"
export OLLAMA_NUM_PARALLEL="$CAPACITY" OLLAMA_MAX_CONCURRENCY="$CAPACITY" WORKER_MAX_IN_FLIGHT="$CAPACITY"

# Where each service listens: its API (GATEWAY_PORT, ...) and GET /metrics on a port of its
# own (GATEWAY_METRICS_PORT, ...), and the chat UI (UI_PORT), each overridable from the
# environment. The defaults come from shared-interfaces/src/ports.json, which the services'
# config defaults and the manifests read too; it is JSON so that the `node` lib.sh put on
# PATH reads it before any package is installed or built.
local_ports="$(node -e '
  const p = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  const services = { GATEWAY: p.gateway, PRODUCER: p.kafkaProducer, CONSUMER: p.kafkaConsumer, GPT_API: p.gptApi };
  for (const [name, s] of Object.entries(services)) console.log(`${name}_PORT ${s.port}\n${name}_METRICS_PORT ${s.metricsPort}`);
  console.log(`UI_PORT ${p.ui.port}`);
' "$(dirname "${BASH_SOURCE[0]}")/../shared-interfaces/src/ports.json")" || die "could not read the default ports"
while read -r port_variable port_default; do export "$port_variable=${!port_variable:-$port_default}"; done <<<"$local_ports"
unset local_ports port_variable port_default
export PRODUCER_URL="${PRODUCER_URL:-http://127.0.0.1:$PRODUCER_PORT}"
export GPT_API_URL="${GPT_API_URL:-http://127.0.0.1:$GPT_API_PORT}"

# The origins the gateway lets browsers call it from: the chat UI's server
# (ui/server/serve.mjs over ui/dist), and Vite's dev server (npm run -w ui dev) on 5173.
export CORS_ORIGINS="${CORS_ORIGINS:-http://127.0.0.1:$UI_PORT,http://localhost:$UI_PORT,http://127.0.0.1:5173,http://localhost:5173}"

# A random dev signing secret, made once per machine and kept outside the repo.
dev_secret_file="$SHOSHIZAN_HOME/dev-jwt-secret"
if [[ -z "${JWT_SECRET:-}" ]]; then
  if [[ ! -s "$dev_secret_file" ]]; then
    (umask 077 && node -e "process.stdout.write(require('crypto').randomBytes(48).toString('base64url'))" >"$dev_secret_file")
  fi
  JWT_SECRET="$(cat "$dev_secret_file")"
fi
export JWT_SECRET

# The first admin of local mode: `admin` with a random password, made once per machine.
dev_admin_file="$SHOSHIZAN_HOME/dev-admin-password"
if [[ -z "${ADMIN_PASSWORD:-}" ]]; then
  if [[ ! -s "$dev_admin_file" ]]; then
    (umask 077 && node -e "process.stdout.write(require('crypto').randomBytes(18).toString('base64url'))" >"$dev_admin_file")
  fi
  ADMIN_PASSWORD="$(cat "$dev_admin_file")"
fi
export ADMIN_USERNAME="${ADMIN_USERNAME:-admin}" ADMIN_PASSWORD
