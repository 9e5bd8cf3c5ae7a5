#!/usr/bin/env bash
# Apache Kafka for local mode: a single KRaft node (broker + controller) on 127.0.0.1, run
# with Java 17 from the broker's jars, which Maven resolves once into the cache.
#   kafka.sh install|start|stop|restart|reset|status|env
# KAFKA_INSTANCE (default `kafka`) names the data folder, log and pid file, so a test can run
# a broker of its own beside the local-mode one (with its own KAFKA_PORT and
# KAFKA_CONTROLLER_PORT) and stop and start it at will. KAFKA_HOST (default 127.0.0.1) is
# the address its clients use: the cluster test's broker listens on the local Kubernetes
# node's bridge address so that pods reach it (the controller stays on loopback).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/kafka" && pwd)"

KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/pom.xml")"
KAFKA_LIBS="$SHOSHIZAN_HOME/kafka/$KAFKA_VERSION/libs"
INSTANCE="${KAFKA_INSTANCE:-kafka}"
[[ "$INSTANCE" =~ ^[A-Za-z0-9._-]+$ ]] || die "KAFKA_INSTANCE may hold only letters, digits, '.', '_' and '-'"
KAFKA_DATA="$SHOSHIZAN_DATA/$INSTANCE"
KAFKA_LOG="$SHOSHIZAN_LOGS/$INSTANCE.log"
KAFKA_HEAP="${KAFKA_HEAP:--Xms256m -Xmx768m}"
KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"

java_ok() {
  command -v java >/dev/null 2>&1 || return 1
  local major
  major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')"
  [[ "${major%%.*}" -ge 17 ]]
}

install() {
  if [[ -f "$KAFKA_LIBS/.complete" ]]; then return 0; fi
  java_ok || apt_install openjdk-17-jre-headless
  command -v mvn >/dev/null 2>&1 || apt_install maven
  log "resolving Apache Kafka $KAFKA_VERSION jars"
  local started=$SECONDS
  rm -rf "$KAFKA_LIBS" && mkdir -p "$KAFKA_LIBS"
  mvn -q -B -f "$HERE/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS" >"$SHOSHIZAN_LOGS/kafka-install.log" 2>&1 ||
    { tail -n 30 "$SHOSHIZAN_LOGS/kafka-install.log" >&2; die "could not resolve the Kafka jars"; }
  ls "$KAFKA_LIBS"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null || die "kafka_2.13-$KAFKA_VERSION.jar is missing"
  touch "$KAFKA_LIBS/.complete"
  log "Kafka $KAFKA_VERSION installed in $((SECONDS - started))s ($(ls "$KAFKA_LIBS" | wc -l) jars)"
}

kafka_java() {
  # shellcheck disable=SC2086 # KAFKA_HEAP holds several flags
  java $KAFKA_HEAP -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$HERE/log4j2.properties" \
    -cp "$KAFKA_LIBS/*" "$@"
}

write_config() {
  mkdir -p "$KAFKA_DATA/logs"
  cat >"$KAFKA_DATA/server.properties" <<CONF
# Written by scripts/infra/kafka.sh; edits are overwritten on start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DATA/logs
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# Topics are created by the services from shared-interfaces, never by accident.
auto.create.topics.enable=false
log.retention.hours=168
CONF
}

format_storage() {
  [[ -f "$KAFKA_DATA/logs/meta.properties" ]] && return 0
  local cluster_id_file="$KAFKA_DATA/cluster-id"
  [[ -s "$cluster_id_file" ]] || kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1 >"$cluster_id_file"
  log "formatting Kafka storage (cluster $(cat "$cluster_id_file"))"
  kafka_java kafka.tools.StorageTool format -t "$(cat "$cluster_id_file")" \
    -c "$KAFKA_DATA/server.properties" --ignore-formatted >>"$KAFKA_LOG" 2>&1 ||
    { tail -n 20 "$KAFKA_LOG" >&2; die "could not format Kafka storage"; }
}

# Ready when the broker finished this start-up (a line after the last start marker) and
# listens. One awk over the file: no pipe whose early exit pipefail would count as failure.
ready() {
  port_open "$KAFKA_PORT" "$KAFKA_HOST" &&
    awk '/^---- start /{up=0} /Kafka Server started/{up=1} END{exit !up}' "$KAFKA_LOG"
}

start() {
  install
  if pid_alive "$INSTANCE"; then
    log "Kafka already running on $KAFKA_HOST:$KAFKA_PORT"
    return 0
  fi
  port_open "$KAFKA_PORT" "$KAFKA_HOST" && die "port $KAFKA_PORT is taken by another process"
  write_config
  format_storage
  log "starting Kafka $KAFKA_VERSION on $KAFKA_HOST:$KAFKA_PORT"
  # The log is kept across starts; past 50 MB the old part moves aside (one generation).
  if [[ -f "$KAFKA_LOG" ]] && (($(stat -c %s "$KAFKA_LOG") > 50 * 1024 * 1024)); then
    mv -f "$KAFKA_LOG" "$KAFKA_LOG.1"
  fi
  echo "---- start $(date -u +%FT%TZ)" >>"$KAFKA_LOG"
  # shellcheck disable=SC2086 # KAFKA_HEAP holds several flags
  nohup java $KAFKA_HEAP -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$HERE/log4j2.properties" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_DATA/server.properties" >>"$KAFKA_LOG" 2>&1 &
  echo $! >"$SHOSHIZAN_RUN/$INSTANCE.pid"
  local deadline=$((SECONDS + 90))
  until ready; do
    if ! pid_alive "$INSTANCE" || ((SECONDS >= deadline)); then
      tail -n 40 "$KAFKA_LOG" >&2
      die "Kafka did not start; its log is $KAFKA_LOG"
    fi
    sleep 1
  done
  log "Kafka is ready"
}

stop() { stop_pid "$INSTANCE" 60; }

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  restart) stop && start ;;
  reset) stop && rm -rf "$KAFKA_DATA" && log "deleted $KAFKA_DATA" ;;
  status)
    if pid_alive "$INSTANCE"; then
      echo "kafka: running $KAFKA_VERSION on $KAFKA_HOST:$KAFKA_PORT (pid $(cat "$SHOSHIZAN_RUN/$INSTANCE.pid"))"
    else
      echo "kafka: stopped"
    fi
    ;;
  env) echo "KAFKA_BROKERS=$KAFKA_HOST:$KAFKA_PORT" ;;
  *) die "usage: $0 install|start|stop|restart|reset|status|env" ;;
esac
