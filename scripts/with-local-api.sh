#!/usr/bin/env bash
# Serves the API locally, as `make dev` does, on a free port and a fresh table, runs the
# given command against it, and stops it again. The command sees BASE_URL,
# ADMIN_USERNAME and ADMIN_PASSWORD (a new admin with a random password).
#
#   scripts/with-local-api.sh <command> [args...]
#
# Needs AWS_ENDPOINT_URL_DYNAMODB pointing at a running DynamoDB Local, and cargo-lambda
# on PATH (`make tools` puts it in .venv/bin).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
: "${AWS_ENDPOINT_URL_DYNAMODB:?set AWS_ENDPOINT_URL_DYNAMODB to a running DynamoDB Local}"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p .local
env_file=".local/e2e-$port.env"
log=".local/e2e-$port.log"
cat > "$env_file" <<ENV
AWS_ENDPOINT_URL_DYNAMODB=$AWS_ENDPOINT_URL_DYNAMODB
AWS_REGION=us-east-1
AWS_ACCESS_KEY_ID=local
AWS_SECRET_ACCESS_KEY=local
AWS_EC2_METADATA_DISABLED=true
TABLE_NAME=e2e-$port-$(date +%s)
TOKEN_SECRET=e2e-only-token-secret-never-use-outside-tests-0001
CURSOR_SECRET=e2e-only-cursor-secret-never-use-outside-tests-001
RUST_LOG=warn
ENV
set -a
# shellcheck disable=SC1090
source "$env_file"
set +a
export ADMIN_USERNAME=admin
ADMIN_PASSWORD="$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')"
export ADMIN_PASSWORD

cargo build -q -p clients -p loans -p auth -p infra --bins
target/debug/lending-admin create-table
target/debug/lending-admin create-admin > /dev/null

# Its own session, so stopping it stops the functions it started too.
setsid cargo-lambda lambda watch --disable-cors --ignore-changes -A 127.0.0.1 -P "$port" \
  --env-file "$env_file" > "$log" 2>&1 &
watch_pid=$!
stop() {
  kill -TERM -- "-$watch_pid" 2>/dev/null || true
  wait "$watch_pid" 2>/dev/null || true
  rm -f "$env_file"
}
trap stop EXIT

export BASE_URL="http://127.0.0.1:$port"
for _ in $(seq 1 120); do
  if curl -s -o /dev/null "$BASE_URL/auth/me"; then break; fi
  if ! kill -0 "$watch_pid" 2>/dev/null; then
    echo "with-local-api: cargo lambda watch exited; its log:" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
  sleep 1
done
# The first call to each function starts it; make those calls before the real run.
for path in /auth/me /clients /quotes; do
  curl -s -o /dev/null --max-time 300 "$BASE_URL$path" || true
done
echo "with-local-api: API on $BASE_URL (table $TABLE_NAME)"
"$@"
