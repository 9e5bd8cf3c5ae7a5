#!/usr/bin/env bash
# Proves Traefik (scripts/infra/cluster/traefik.sh) routes Ingresses on the local cluster,
# then removes everything it made, Traefik included:
#   1. deploy Traefik (the cluster is brought up when it is down, never taken down);
#   2. a backend (the probe image cluster.sh builds, pushed to the cluster's registry) behind a
#      Service and an Ingress with className traefik and a host of its own;
#   3. from the host, with that Host header, through the hostPort and through the Service's
#      ClusterIP: the backend's answer; another host: 404; the Ingress's status names the
#      node's address;
#   4. Server-Sent Events pass unbuffered: a server on the node's bridge address (a Service
#      without selector points at it) sends one event, waits 3 s, sends another; the first
#      must reach curl through Traefik long before the second;
#   5. undeploy, and nothing is left: namespaces, IngressClass, RBAC, the hostPort's rules.
# Exits non-zero on any failure. Not part of npm test. Needs root, like the cluster.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CLUSTER="$HERE/../cluster.sh"
TRAEFIK="$HERE/traefik.sh"
source "$HERE/oci.sh"

json_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
ENV_JSON="$(bash "$CLUSTER" env)"
BIN_DIR="$(json_field bin <<<"$ENV_JSON")"
REGISTRY="$(json_field registry <<<"$ENV_JSON")"
NODE_IP="$(json_field nodeIp <<<"$ENV_JSON")"
KUBECONFIG_FILE="$(json_field kubeconfig <<<"$ENV_JSON")"
TRAEFIK_JSON="$(bash "$TRAEFIK" env)"
URL="$(json_field url <<<"$TRAEFIK_JSON")"
SERVICE_URL="$(json_field serviceUrl <<<"$TRAEFIK_JSON")"
NS="traefik-smoke"
HOST="smoke.localhost"
SSE_PORT=18781                                  # on the node's bridge address only
WORK="$SHOSHIZAN_HOME/build/traefik-smoke"
# The probe binary as an image; its content fixes the tag, so a rerun pushes nothing new.
PROBE_TAG="probe-$(sha256sum "$BIN_DIR/probe" | cut -c1-12)"
IMAGE="$REGISTRY/shoshizan/probe:$PROBE_TAG"
SSE_PID=""

kubectl() { "$BIN_DIR/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
step() { printf '\n[traefik-smoke] == %s\n' "$*" >&2; }
check() { printf '[traefik-smoke] ok: %s\n' "$*" >&2; }

cleanup() {
  local rc=$?
  [[ -n "$SSE_PID" ]] && kill "$SSE_PID" 2>/dev/null || true
  if ((rc != 0)); then
    log "the Traefik smoke test failed; removing what it made"
    kubectl -n traefik logs deployment/traefik --tail=20 >&2 2>/dev/null || true
    kubectl delete --ignore-not-found --wait=false namespace "$NS" >/dev/null 2>&1 || true
    bash "$TRAEFIK" undeploy >&2 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

step "the cluster, then Traefik"
if ! kubectl get --raw /readyz >/dev/null 2>&1; then bash "$CLUSTER" up; fi
t0=$SECONDS
bash "$TRAEFIK" deploy
deploy_seconds=$((SECONDS - t0))
check "Traefik deployed in ${deploy_seconds}s"

step "a backend behind a Service and an Ingress (className traefik, host $HOST)"
rm -rf "$WORK" && mkdir -p "$WORK/rootfs/etc" "$WORK/rootfs/tmp"
chmod 1777 "$WORK/rootfs/tmp"
cp "$BIN_DIR/probe" "$WORK/rootfs/probe"
oci_layout "$WORK/layout" "$IMAGE" "$WORK/rootfs" /probe
oci_push "$WORK/layout" "$REGISTRY" shoshizan/probe "$PROBE_TAG" || die "could not push $IMAGE"
kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Namespace
metadata: { name: $NS }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: $NS }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: $IMAGE
          imagePullPolicy: IfNotPresent
          args: [serve, ":8080", "hello through traefik"]
          ports: [{ containerPort: 8080 }]
          readinessProbe: { httpGet: { path: /, port: 8080 }, periodSeconds: 1 }
          securityContext: { runAsNonRoot: true, runAsUser: 65532, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: $NS }
spec:
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: 8080 }]
---
# A server on the node (started below), reached as a Service without selector.
apiVersion: v1
kind: Service
metadata: { name: events, namespace: $NS }
spec:
  ports: [{ name: http, port: 80, targetPort: $SSE_PORT }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: events-node, namespace: $NS, labels: { kubernetes.io/service-name: events } }
addressType: IPv4
ports: [{ name: http, port: $SSE_PORT, protocol: TCP }]
endpoints: [{ addresses: ["$NODE_IP"], conditions: { ready: true } }]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web, namespace: $NS }
spec:
  ingressClassName: traefik
  rules:
    - host: $HOST
      http:
        paths:
          - { path: /events, pathType: Prefix, backend: { service: { name: events, port: { name: http } } } }
          - { path: /, pathType: Prefix, backend: { service: { name: web, port: { name: http } } } }
EOF
kubectl -n "$NS" rollout status deployment/web --timeout=120s >&2 || die "the backend did not become ready"
check "backend ready ($IMAGE)"

step "through Traefik from the host"
answer() { curl -sS --max-time 5 -H "Host: $2" "$1/" 2>/dev/null; }
t1=$SECONDS
until [[ "$(answer "$URL" "$HOST")" == "hello through traefik from web-"* ]]; do
  ((SECONDS - t1 < 30)) || die "$URL with Host $HOST did not answer with the backend's text: '$(answer "$URL" "$HOST")'"
  sleep 0.5
done
check "$URL (Host: $HOST) answered after $((SECONDS - t1))s: $(answer "$URL" "$HOST")"
body="$(answer "$SERVICE_URL" "$HOST")"
[[ "$body" == "hello through traefik from web-"* ]] || die "$SERVICE_URL with Host $HOST answered '$body'"
check "$SERVICE_URL (Host: $HOST), the Service's ClusterIP, answered: $body"
code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Host: other.localhost" "$URL/")"
[[ "$code" == 404 ]] || die "a host without an Ingress got $code, not 404"
check "Host other.localhost: 404"
status_ip=""
for _ in $(seq 1 20); do
  status_ip="$(kubectl -n "$NS" get ingress web -o jsonpath='{.status.loadBalancer.ingress[0].ip}')"
  [[ -n "$status_ip" ]] && break
  sleep 0.5
done
[[ "$status_ip" == "$NODE_IP" ]] || die "the Ingress's status names '$status_ip', not $NODE_IP"
check "the Ingress's status names $status_ip"

step "Server-Sent Events are not buffered"
# One event, 3 s of silence, another: the way the gateway streams tokens.
node -e '
  const http = require("http");
  http.createServer((req, res) => {
    if (req.url === "/ready") return res.end("ready\n");
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.write("data: first\n\n");
    setTimeout(() => { res.end("data: second\n\n"); }, 3000);
  }).listen(Number(process.argv[1]), process.argv[2]);
' "$SSE_PORT" "$NODE_IP" &
SSE_PID=$!
wait_for "the event server on $NODE_IP:$SSE_PORT" 10 curl -fsS --max-time 1 -o /dev/null "http://$NODE_IP:$SSE_PORT/ready" || die "the event server did not start"
events="$(curl -sS -N --max-time 10 -H "Host: $HOST" "$URL/events" |
  while IFS= read -r line; do if [[ -n "$line" ]]; then printf '%s %s\n' "$(date +%s.%N)" "$line"; fi; done)" ||
  die "no event stream through Traefik"
read -r t_first first <<<"$(sed -n 1p <<<"$events")"
read -r t_second second <<<"$(sed -n 2p <<<"$events")"
[[ "$first" == "data: first" && "$second" == "data: second" ]] || die "the event stream through Traefik was: $events"
gap="$(awk -v a="$t_first" -v b="$t_second" 'BEGIN { printf "%.2f", b - a }')"
awk -v g="$gap" 'BEGIN { exit !(g >= 2.5) }' || die "the first event came only ${gap}s before the second: the stream was buffered"
check "the first event arrived ${gap}s before the second (the server waits 3 s between them)"
kill "$SSE_PID" 2>/dev/null || true
wait "$SSE_PID" 2>/dev/null || true
SSE_PID=""

step "memory"
bash "$TRAEFIK" status | sed -n '/^memory/,$p' >&2

step "undeploy, and nothing left"
t2=$SECONDS
# Both namespaces at once: each takes the namespace controller several seconds.
kubectl delete --wait=false namespace "$NS" >/dev/null
bash "$TRAEFIK" undeploy
kubectl wait --for=delete namespace/"$NS" --timeout=120s >/dev/null 2>&1 || true
undeploy_seconds=$((SECONDS - t2))
left="$(kubectl get namespace "$NS" traefik --ignore-not-found -o name; kubectl get ingressclass traefik --ignore-not-found -o name
  kubectl get clusterrole,clusterrolebinding traefik-ingress-controller --ignore-not-found -o name)"
[[ -z "$left" ]] || die "left behind: $left"
iptables -t nat -S 2>/dev/null | grep -q -- "--dport 80 .*$NODE_IP\|$NODE_IP.* --dport 80 " && die "the hostPort's iptables rules are still there"
code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 -H "Host: $HOST" "$URL/" || true)"
[[ "$code" == 000 ]] || die "$URL still answers ($code) after undeploy"
check "no namespace, IngressClass, ClusterRole or hostPort rule left; $URL answers nothing"
log "Traefik smoke test passed: deploy ${deploy_seconds}s, undeploy ${undeploy_seconds}s"
