#!/usr/bin/env bash
# Creates the Secrets the chart refers to, for a development cluster, when they are missing:
#   shoshizan-auth        jwt-secret (random), admin-username (admin), admin-password (random)
#   shoshizan-postgresql  password (random, URL-safe) for the bundled PostgreSQL
# Run by skaffold before it deploys; prints the admin password the first time only.
set -euo pipefail
namespace="${1:-shoshizan}"
random() { head -c "$1" /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c "$1"; }

kubectl get namespace "$namespace" >/dev/null 2>&1 || kubectl create namespace "$namespace" >/dev/null
if ! kubectl -n "$namespace" get secret shoshizan-auth >/dev/null 2>&1; then
  password="$(random 24)"
  kubectl -n "$namespace" create secret generic shoshizan-auth \
    --from-literal=jwt-secret="$(random 48)" \
    --from-literal=admin-username=admin \
    --from-literal=admin-password="$password" >/dev/null
  echo "Created secret shoshizan-auth; sign in as admin / $password"
fi
if ! kubectl -n "$namespace" get secret shoshizan-postgresql >/dev/null 2>&1; then
  kubectl -n "$namespace" create secret generic shoshizan-postgresql --from-literal=password="$(random 32)" >/dev/null
  echo "Created secret shoshizan-postgresql"
fi
