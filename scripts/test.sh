#!/usr/bin/env bash
# npm test: the whole suite. Builds, lints, typechecks (specs included), runs the unit specs,
# then starts (or reuses) PostgreSQL, Kafka and Ollama and runs the end-to-end tests against
# them, then the chart on a real Kubernetes node (scripts/test-cluster.sh, npm run
# test:cluster). Infrastructure this script started is stopped again; what was already running
# is left alone.
# SHOSHIZAN_SKIP_CLUSTER=1 leaves the cluster specs out (they need root and ~10 minutes).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$DIR/.." && pwd)"
cd "$ROOT"

log "Node.js $(node --version) runs the build and every suite"
bash "$DIR/deps.sh"
bash "$DIR/infra/k8s-tools.sh" install
bash "$DIR/infra/kube-apiserver.sh" install   # etcd + kube-apiserver for the server-side dry-run spec
bash "$DIR/infra/model-registry.sh" install   # the OCI registry of the model operator's e2e specs (test/e2e/support/model-lab.ts)
bash "$DIR/infra/api-tools.sh" install        # openapi-spec-validator and Schemathesis for the API contract specs
bash "$DIR/infra/openai-python.sh" install    # the openai Python SDK of the OpenAI SDK spec (test/e2e/openai-agents.e2e-spec.ts)
bash "$DIR/infra/prometheus.sh" install       # promtool for the alert rules' unit spec (cdk8s/test/alerts.spec.ts)
log "linting"
npx eslint . --max-warnings=0
log "typechecking"
npm run typecheck

results="$(mktemp -d)"
started=()
stop_started() {
  local i
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do bash "$DIR/infra/${started[i]}.sh" stop || true; done
  started=()
}
cleanup() {
  stop_started
  rm -rf "$results"
}
trap cleanup EXIT

status=0
log "unit tests"
npx jest --selectProjects unit --json --outputFile="$results/unit.json" || status=1
log "ui unit tests"
npm run -w ui test -- --reporter=default --reporter=json --outputFile="$results/ui.json" || status=1

# Infrastructure: reuse what runs (npm start), start what does not.
source "$DIR/env.sh"
port_open "$POSTGRES_PORT" || { bash "$DIR/infra/postgres.sh" start; started+=(postgres); }
port_open "$KAFKA_PORT" || { bash "$DIR/infra/kafka.sh" start; started+=(kafka); }
if port_open "$OLLAMA_PORT"; then
  # Ours from an earlier `npm start`: start again is a no-op but for models it lacks.
  pid_alive ollama && bash "$DIR/infra/ollama.sh" start
else
  bash "$DIR/infra/ollama.sh" start; started+=(ollama)
fi
bash "$DIR/infra/chromium.sh" install   # the browser of the UI's end-to-end tests
bash "$DIR/infra/otelcol.sh" install    # the OpenTelemetry Collector of the tracing spec (test/e2e/tracing.e2e-spec.ts)

log "end-to-end tests"
npx jest --selectProjects e2e --runInBand --json --outputFile="$results/e2e.json" || status=1

# The local mode's infrastructure is done with; the cluster brings its own.
stop_started
cluster_results=()
if [[ "${SHOSHIZAN_SKIP_CLUSTER:-0}" != 1 ]]; then
  log "the chart on a real Kubernetes node"
  bash "$DIR/test-cluster.sh" --json-output "$results/cluster.json" || status=1
  cluster_results=("$results/cluster.json")
else
  log "SHOSHIZAN_SKIP_CLUSTER=1: the cluster specs are left out"
fi

# One closing line for every runner that reads it: "N passed, N failed".
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0;
  for (const f of process.argv.slice(1)) {
    if (!fs.existsSync(f)) { failed++; continue; }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
  }
  console.log(`${passed} passed, ${failed} failed`);
' "$results/unit.json" "$results/ui.json" "$results/e2e.json" "${cluster_results[@]}"
exit "$status"
