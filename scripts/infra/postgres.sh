#!/usr/bin/env bash
# PostgreSQL for local mode: Debian's server binaries, run as our own cluster in
# $SHOSHIZAN_DATA/postgres on $POSTGRES_PORT, so no system cluster is assumed or touched.
#   postgres.sh install|start|stop|status|env
# POSTGRES_HOST (default 127.0.0.1) adds an address to listen on, for clients in
# POSTGRES_CLIENT_CIDR who sign in with POSTGRES_PASSWORD (SCRAM): the cluster test's
# database, on the local Kubernetes node's bridge address, for the pods (its own
# SHOSHIZAN_PG_HOME and POSTGRES_PORT keep it apart from local mode's). Loopback stays trust.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

PG_MAJOR="${PG_MAJOR:-15}"
PG_USER="${POSTGRES_USER:-shoshizan}"
PG_DB="${POSTGRES_DB:-shoshizan}"
PG_HOST="${POSTGRES_HOST:-127.0.0.1}"
# PostgreSQL refuses to run as root, so as root the cluster belongs to the unprivileged
# `postgres` user and lives where that user can reach it ($HOME of root is private).
if [[ $(id -u) -eq 0 ]]; then
  PG_HOME="${SHOSHIZAN_PG_HOME:-/var/lib/shoshizan}"
else
  PG_HOME="${SHOSHIZAN_PG_HOME:-$SHOSHIZAN_DATA}"
fi
PG_DATA="$PG_HOME/postgres-$PG_MAJOR"
PG_SOCKET_DIR="$PG_HOME/socket"
PG_LOG="$PG_HOME/postgres.log"

pg_bin() {
  local dir="/usr/lib/postgresql/$PG_MAJOR/bin"
  [[ -x "$dir/pg_ctl" ]] || dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  echo "$dir"
}

# Runs a server command as the cluster's owner.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

install() {
  if [[ ! -x "$(pg_bin)/pg_ctl" ]]; then
    apt_install "postgresql-$PG_MAJOR" || apt_install postgresql
  fi
  [[ -x "$(pg_bin)/pg_ctl" ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
  if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres
  fi
}

init_cluster() {
  [[ -f "$PG_DATA/PG_VERSION" ]] && return 0
  log "initialising a PostgreSQL cluster in $PG_DATA"
  mkdir -p "$PG_DATA" "$PG_SOCKET_DIR"
  if [[ $(id -u) -eq 0 ]]; then chown -R postgres: "$PG_HOME"; fi
  chmod 700 "$PG_DATA"
  # Local-mode only: trust on loopback. Production uses an external database (see charts/).
  as_owner "$(pg_bin)/initdb" -D "$PG_DATA" -U "$PG_USER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  cat >>"$PG_DATA/postgresql.conf" <<CONF
listen_addresses = '$(if [[ "$PG_HOST" == 127.0.0.1 ]]; then echo 127.0.0.1; else echo "127.0.0.1,$PG_HOST"; fi)'
port = $POSTGRES_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
max_connections = 200
fsync = on
CONF
  if [[ "$PG_HOST" != 127.0.0.1 ]]; then
    [[ -n "${POSTGRES_CLIENT_CIDR:-}" && -n "${POSTGRES_PASSWORD:-}" ]] ||
      die "POSTGRES_HOST=$PG_HOST needs POSTGRES_CLIENT_CIDR and POSTGRES_PASSWORD"
    echo "host all $PG_USER $POSTGRES_CLIENT_CIDR scram-sha-256" >>"$PG_DATA/pg_hba.conf"
  fi
}

running() { as_owner "$(pg_bin)/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }
ready() { "$(pg_bin)/pg_isready" -h 127.0.0.1 -p "$POSTGRES_PORT" -q; }

start() {
  install
  init_cluster
  if running; then
    log "PostgreSQL already running on port $POSTGRES_PORT"
  else
    log "starting PostgreSQL on $PG_HOST:$POSTGRES_PORT"
    as_owner "$(pg_bin)/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >/dev/null
  fi
  wait_for "PostgreSQL" 60 ready
  if ! "$(pg_bin)/psql" -h 127.0.0.1 -p "$POSTGRES_PORT" -U "$PG_USER" -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1; then
    "$(pg_bin)/createdb" -h 127.0.0.1 -p "$POSTGRES_PORT" -U "$PG_USER" "$PG_DB"
    log "created database $PG_DB"
  fi
  if [[ "$PG_HOST" != 127.0.0.1 ]]; then
    # From standard input, where psql quotes the variable (-c strings are not interpolated).
    "$(pg_bin)/psql" -h 127.0.0.1 -p "$POSTGRES_PORT" -U "$PG_USER" -d postgres -q -v ON_ERROR_STOP=1 \
      -v pw="$POSTGRES_PASSWORD" >/dev/null <<SQL
SET password_encryption = 'scram-sha-256';
ALTER USER "$PG_USER" PASSWORD :'pw';
SQL
  fi
}

stop() {
  if [[ -f "$PG_DATA/PG_VERSION" ]] && running; then
    as_owner "$(pg_bin)/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
    log "stopped PostgreSQL"
  fi
}

status() {
  if [[ -f "$PG_DATA/PG_VERSION" ]] && running; then
    echo "postgres: running on 127.0.0.1:$POSTGRES_PORT (data $PG_DATA)"
  else
    echo "postgres: stopped"
  fi
}

env_lines() {
  echo "DATABASE_URL=postgres://$PG_USER@127.0.0.1:$POSTGRES_PORT/$PG_DB"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) env_lines ;;
  *) die "usage: $0 install|start|stop|status|env" ;;
esac
