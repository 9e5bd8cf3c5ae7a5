#!/usr/bin/env bash
# Proves that KEDA (scripts/infra/cluster/keda.sh) scales a real Deployment in the local
# cluster, through its own path: ScaledObject -> the HPA KEDA makes -> the external metrics
# API served by keda-metrics-apiserver -> the operator's scaler.
#   1. KEDA is deployed (by this test when it was not, and then removed again at the end);
#      /apis/external.metrics.k8s.io/v1beta1 answers through the aggregation layer;
#   2. in a namespace of its own, a Deployment "work" (min 1, max 4) is scaled by a
#      kubernetes-workload trigger that counts the pods of a Deployment "load" (one replica
#      of work per load pod), so the test needs nothing outside the cluster;
#   3. load 0 -> 3: work goes to 3 replicas; the metric reads 3 through the API;
#   4. load 3 -> 0: work goes back to 1 (the minimum), within seconds, not the HPA's default
#      300 s: the ScaledObject sets advanced.horizontalPodAutoscalerConfig.behavior.scaleDown
#      (stabilizationWindowSeconds 0, a policy of 100 % per 15 s) and pollingInterval 5.
# Replicas are read from the API (deploy .spec.replicas, what the HPA sets). Exits non-zero
# on failure; removes its namespace in any case. Needs the cluster up (cluster.sh up).
source "$(dirname "${BASH_SOURCE[0]}")/../../lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KEDA="$HERE/keda.sh"

json_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
ENV_JSON="$(bash "$HERE/../cluster.sh" env)"
KUBE_BIN="$(json_field bin <<<"$ENV_JSON")"
KUBECONFIG_FILE="$(json_field kubeconfig <<<"$ENV_JSON")"
NS="keda-smoke"
# An image every node of this cluster has: the sandbox image cluster.sh imports.
IMAGE="registry.k8s.io/pause:3.10.2"
TIMEOUT=120

kubectl() { "$KUBE_BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
step() { printf '\n[keda-smoke] == %s\n' "$*" >&2; }
check() { printf '[keda-smoke] ok: %s\n' "$*" >&2; }

deployed_here=0
cleanup() {
  local rc=$?
  if ((rc != 0)); then
    log "the KEDA smoke test failed; what KEDA said:"
    kubectl -n "$NS" get scaledobject,hpa,deploy,pods 2>/dev/null >&2 || true
    kubectl -n keda logs deploy/keda-operator --tail=30 2>/dev/null >&2 || true
  fi
  kubectl delete ns "$NS" --ignore-not-found --wait --timeout=60s >/dev/null 2>&1 || true
  ((deployed_here)) && { bash "$KEDA" undeploy || rc=1; }
  exit "$rc"
}
trap cleanup EXIT

replicas() { kubectl -n "$NS" get deploy work -o jsonpath='{.spec.replicas}'; }

# wait_replicas N: until work's replicas are N; prints the seconds it took.
wait_replicas() {
  local want="$1" t0=$SECONDS now
  while now="$(replicas)"; [[ "$now" != "$want" ]]; do
    ((SECONDS - t0 < TIMEOUT)) || die "work has $now replicas after ${TIMEOUT}s, not $want"
    sleep 1
  done
  echo $((SECONDS - t0))
}

step "KEDA deployed, the external metrics API served"
kubectl get --raw /readyz >/dev/null 2>&1 || die "the cluster does not answer; start it with scripts/infra/cluster.sh up"
if ! kubectl -n keda get deploy keda-operator >/dev/null 2>&1; then
  deployed_here=1
  bash "$KEDA" deploy
fi
kubectl wait --for=condition=Available --timeout=60s apiservice/v1beta1.external.metrics.k8s.io >/dev/null
kubectl get --raw /apis/external.metrics.k8s.io/v1beta1 | grep -q '"kind":"APIResourceList"' ||
  die "/apis/external.metrics.k8s.io/v1beta1 did not answer with an APIResourceList"
check "/apis/external.metrics.k8s.io/v1beta1 serves an APIResourceList"

step "a Deployment scaled by a ScaledObject on the pod count of another"
kubectl delete ns "$NS" --ignore-not-found --wait --timeout=60s >/dev/null
kubectl create ns "$NS" >/dev/null
kubectl -n "$NS" apply -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: work}
spec:
  replicas: 1
  selector: {matchLabels: {app: work}}
  template:
    metadata: {labels: {app: work}}
    spec:
      terminationGracePeriodSeconds: 0
      containers: [{name: pause, image: "$IMAGE", imagePullPolicy: IfNotPresent}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: load}
spec:
  replicas: 0
  selector: {matchLabels: {app: load}}
  template:
    metadata: {labels: {app: load}}
    spec:
      terminationGracePeriodSeconds: 0
      containers: [{name: pause, image: "$IMAGE", imagePullPolicy: IfNotPresent}]
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: work}
spec:
  scaleTargetRef: {name: work}
  minReplicaCount: 1
  maxReplicaCount: 4
  pollingInterval: 5
  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        scaleDown:
          stabilizationWindowSeconds: 0
          policies: [{type: Percent, value: 100, periodSeconds: 15}]
  triggers:
  - type: kubernetes-workload
    metadata: {podSelector: "app=load", value: "1"}
EOF
kubectl -n "$NS" wait --for=condition=Ready --timeout="${TIMEOUT}s" scaledobject/work >/dev/null ||
  die "the ScaledObject did not become Ready"
hpa="$(kubectl -n "$NS" get scaledobject work -o jsonpath='{.status.hpaName}')"
[[ -n "$hpa" ]] && kubectl -n "$NS" get hpa "$hpa" >/dev/null || die "KEDA made no HPA for the ScaledObject"
metric="$(kubectl -n "$NS" get hpa "$hpa" -o jsonpath='{.spec.metrics[0].external.metric.name}')"
check "ScaledObject Ready; KEDA made HPA $hpa on external metric $metric; work has $(replicas) replica"

# metric_value: the metric as the HPA reads it, through the aggregation layer.
metric_value() {
  kubectl get --raw "/apis/external.metrics.k8s.io/v1beta1/namespaces/$NS/$metric?labelSelector=scaledobject.keda.sh%2Fname%3Dwork" |
    sed -n 's/.*"value":"\([^"]*\)".*/\1/p'
}

step "load 0 -> 3: work scales up"
kubectl -n "$NS" scale deploy load --replicas=3 >/dev/null
took="$(wait_replicas 3)"
check "work went 1 -> 3 replicas ${took}s after load went to 3 (external metric now $(metric_value))"

step "load 3 -> 0: work scales back to its minimum"
kubectl -n "$NS" scale deploy load --replicas=0 >/dev/null
took="$(wait_replicas 1)"
check "work went 3 -> 1 replica ${took}s after load went to 0 (external metric now $(metric_value))"
kubectl -n "$NS" wait --for=condition=Available --timeout=60s deploy/work >/dev/null

step "passed"
