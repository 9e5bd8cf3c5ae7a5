#!/usr/bin/env bash
# npm run test:cluster: the chart on a real single-node Kubernetes, end to end.
#   1. the node (scripts/infra/cluster.sh: Kubernetes, containerd, CoreDNS, a local registry),
#      KEDA and Traefik built from source and deployed (scripts/infra/cluster/keda.sh,
#      traefik.sh);
#   2. a Kafka broker and a PostgreSQL of the test's own on the node's address 10.244.0.1
#      (ports 29092 and 25432), the chart's external ones, fresh each run;
#   3. the five images built from their Dockerfiles by skaffold (profile local-cluster) and
#      the Ollama image with its model, pushed to the node's registry
#      (scripts/infra/cluster/images.sh);
#   4. a volume for Ollama's models (the node has no storage provisioner);
#   5. the specs in test/cluster (jest project `cluster`): helm install --wait, helm test, a
#      chat through the Ingress, the UI in Chromium, a worker killed, KEDA scaling, the
#      dashboards and alerts on a Prometheus beside the node, helm upgrade under load, helm
#      uninstall.
# Everything it started is stopped again; a cluster that was already up stays up (without
# the test's namespace, volume, broker and database).
#   test-cluster.sh [--json-output FILE]   FILE: jest's JSON results, for npm test's summary
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$DIR/.." && pwd)"
cd "$ROOT"

json_output=""
while (($# > 0)); do
  case "$1" in
    --json-output) json_output="$2"; shift 2 ;;
    *) die "usage: $0 [--json-output FILE]" ;;
  esac
done

started=$SECONDS
phase() { log "test:cluster: $1 ($((SECONDS - started)) s so far)"; }
CLUSTER="$DIR/infra/cluster.sh"

# The node's facts: kubeconfig, binaries, registry and address.
bash "$CLUSTER" install
cluster_env="$(bash "$CLUSTER" env)"
field() { node -e 'process.stdout.write(String(JSON.parse(process.argv[1])[process.argv[2]]))' "$cluster_env" "$1"; }
export KUBECONFIG CLUSTER_BIN CLUSTER_CONTAINERD_SOCKET
KUBECONFIG="$(field kubeconfig)"
CLUSTER_BIN="$(field bin)"
CLUSTER_CONTAINERD_SOCKET="$(field containerdSocket)"
NODE_IP="$(field nodeIp)"
kubectl() { "$CLUSTER_BIN/kubectl" "$@"; }

NAMESPACE=shoshizan
VOLUME_DIR="$SHOSHIZAN_HOME/cluster/state/volumes/ollama-0"
PV_NAME=shoshizan-test-ollama-0
KAFKA_ENV=(KAFKA_INSTANCE=cluster-kafka KAFKA_PORT=29092 KAFKA_CONTROLLER_PORT=29093 "KAFKA_HOST=$NODE_IP")
PG_PASSWORD="$(node -e "process.stdout.write(require('crypto').randomBytes(24).toString('base64url'))")"
PG_ENV=(SHOSHIZAN_PG_HOME="${SHOSHIZAN_CLUSTER_PG_HOME:-/var/lib/shoshizan/cluster-postgres}" POSTGRES_PORT=25432
  "POSTGRES_HOST=$NODE_IP" POSTGRES_CLIENT_CIDR=10.244.0.0/24 "POSTGRES_PASSWORD=$PG_PASSWORD")

cluster_started=0
ollama_started=0
cleanup() {
  local code=$?
  set +e
  phase "cleaning up"
  if bash "$CLUSTER" status >/dev/null 2>&1 && kubectl get --raw /readyz >/dev/null 2>&1; then
    if ((cluster_started == 0)); then
      kubectl delete namespace "$NAMESPACE" --ignore-not-found --wait --timeout=120s >/dev/null
      kubectl delete pv "$PV_NAME" --ignore-not-found >/dev/null
    fi
  fi
  bash "$DIR/infra/cluster/docker.sh" stop >/dev/null
  env "${KAFKA_ENV[@]}" bash "$DIR/infra/kafka.sh" reset >/dev/null
  env "${PG_ENV[@]}" bash "$DIR/infra/postgres.sh" stop >/dev/null
  rm -rf "${PG_ENV[0]#SHOSHIZAN_PG_HOME=}" "$VOLUME_DIR"
  ((ollama_started == 1)) && bash "$DIR/infra/ollama.sh" stop >/dev/null
  ((cluster_started == 1)) && bash "$CLUSTER" down
  phase "done, exit code $code"
  exit "$code"
}
trap cleanup EXIT

phase "bringing up the node"
if kubectl get --raw /readyz >/dev/null 2>&1; then
  log "the cluster is already up; it stays up afterwards"
else
  cluster_started=1
  bash "$CLUSTER" up
fi
kubectl delete namespace "$NAMESPACE" --ignore-not-found --wait --timeout=120s >/dev/null
kubectl delete pv "$PV_NAME" --ignore-not-found >/dev/null

phase "KEDA and Traefik"
bash "$DIR/infra/cluster/keda.sh" install
bash "$DIR/infra/cluster/keda.sh" deploy
bash "$DIR/infra/cluster/traefik.sh" install
bash "$DIR/infra/cluster/traefik.sh" deploy
export CLUSTER_INGRESS_ADDRESS
CLUSTER_INGRESS_ADDRESS="$(bash "$DIR/infra/cluster/traefik.sh" env | node -e 'process.stdout.write(new URL(JSON.parse(require("fs").readFileSync(0, "utf8")).url).host)')"

phase "the Prometheus Operator's CRDs and a Prometheus beside the node"
# The chart's ServiceMonitors and PrometheusRule need their CRDs (as on a cluster that runs the
# Operator); the specs run Debian's Prometheus on the host with the scrape jobs the Operator
# would make of them (test/cluster/support/service-monitor-scrape.ts).
crds="$(bash "$DIR/infra/k8s-tools.sh" path crds)"
kubectl apply --server-side --force-conflicts \
  -f "$crds/monitoring.coreos.com_servicemonitors.yaml" -f "$crds/monitoring.coreos.com_prometheusrules.yaml" >/dev/null
kubectl wait --for=condition=Established --timeout=60s crd/servicemonitors.monitoring.coreos.com crd/prometheusrules.monitoring.coreos.com >/dev/null
bash "$DIR/infra/prometheus.sh" install

phase "Kafka and PostgreSQL on $NODE_IP"
env "${KAFKA_ENV[@]}" bash "$DIR/infra/kafka.sh" reset >/dev/null
env "${KAFKA_ENV[@]}" bash "$DIR/infra/kafka.sh" start
env "${PG_ENV[@]}" bash "$DIR/infra/postgres.sh" stop >/dev/null
rm -rf "${PG_ENV[0]#SHOSHIZAN_PG_HOME=}"
env "${PG_ENV[@]}" bash "$DIR/infra/postgres.sh" start
export CLUSTER_KAFKA_BROKERS="$NODE_IP:29092"
export CLUSTER_DATABASE_URL="postgres://shoshizan@127.0.0.1:25432/shoshizan"
export CLUSTER_POD_DATABASE_URL="postgres://shoshizan:$PG_PASSWORD@$NODE_IP:25432/shoshizan"

phase "images"
build_output="$SHOSHIZAN_HOME/cluster/state/skaffold-build.json"
bash "$DIR/infra/cluster/images.sh" build --file-output "$build_output"
export CLUSTER_BUILD_OUTPUT="$build_output"
# Images are built: docker stops (its data root, the layer cache, is kept).
bash "$DIR/infra/cluster/docker.sh" stop

phase "a volume for Ollama's models"
# The node has no storage provisioner: a hostPath volume made for the chart's one claim.
mkdir -p "$VOLUME_DIR" && chown 1000:1000 "$VOLUME_DIR"
kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: PersistentVolume
metadata:
  name: $PV_NAME
spec:
  capacity: { storage: 2Gi }
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  claimRef: { namespace: $NAMESPACE, name: models-shoshizan-ollama-0 }
  hostPath: { path: $VOLUME_DIR, type: Directory }
YAML

phase "a model to pull"
# The specs push the model from the local Ollama into a registry of their own on $NODE_IP
# (test/e2e/support/model-lab.ts); the chart's OllamaModel pulls it from there.
bash "$DIR/infra/model-registry.sh" install
source "$DIR/env.sh"
if ! port_open "$OLLAMA_PORT"; then
  bash "$DIR/infra/ollama.sh" start
  ollama_started=1
fi

phase "the cluster specs"
export CLUSTER_NODE_IP="$NODE_IP"
bash "$DIR/infra/chromium.sh" install
export HELM CLUSTER_CHART="$ROOT/charts/shoshizan" CLUSTER_VALUES="$ROOT/charts/shoshizan/ci/local-cluster-values.yaml"
HELM="$(bash "$DIR/infra/k8s-tools.sh" path helm)"
jest_args=(--selectProjects cluster --runInBand)
[[ -n "$json_output" ]] && jest_args+=(--json "--outputFile=$json_output")
status=0
npx jest "${jest_args[@]}" || status=$?
exit "$status"
