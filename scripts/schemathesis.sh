#!/usr/bin/env bash
# Runs Schemathesis (property-based and stateful API tests) with docs/openapi.json against
# $BASE_URL: once as a customer, once as the admin $ADMIN_USERNAME. Every check, positive
# and negative data, the OpenAPI links between operations; any failure fails the script.
# Run it under the local API:
#
#   scripts/with-local-api.sh scripts/schemathesis.sh
#
# Environment (all optional):
#   SCHEMATHESIS_SEED            the seed of both runs (default below); a failure found with
#                                a seed is found again with it, so pass the seed a failing
#                                run printed to reproduce it, or another to explore further
#   SCHEMATHESIS_ADMIN_EXAMPLES  examples per operation as the admin (default 100)
#   SCHEMATHESIS_USER_EXAMPLES   examples per operation as the customer (default 100)
#   SCHEMATHESIS_WORKERS         concurrent workers (default 1: with more, Python 3.11's
#                                ast.parse, which Hypothesis calls from every worker thread,
#                                now and then fails with "AST constructor recursion depth
#                                mismatch", a Runtime Error of the run)
#   SCHEMATHESIS_RUNS            which runs, in order (default "customer admin")
# Settings shared by both runs are in schemathesis.toml; reports go to .local/schemathesis/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
: "${BASE_URL:?run under scripts/with-local-api.sh}"
: "${ADMIN_USERNAME:?run under scripts/with-local-api.sh}"
: "${ADMIN_PASSWORD:?run under scripts/with-local-api.sh}"

SEED="${SCHEMATHESIS_SEED:-20261127}"
ADMIN_EXAMPLES="${SCHEMATHESIS_ADMIN_EXAMPLES:-100}"
USER_EXAMPLES="${SCHEMATHESIS_USER_EXAMPLES:-100}"
WORKERS="${SCHEMATHESIS_WORKERS:-1}"
RUNS="${SCHEMATHESIS_RUNS:-customer admin}"
REPORTS="$ROOT/.local/schemathesis"
SCHEMATHESIS="${SCHEMATHESIS:-schemathesis}"
mkdir -p "$REPORTS"
# Hypothesis keeps its caches here rather than in a .hypothesis/ of the clone.
export HYPOTHESIS_STORAGE_DIRECTORY="$ROOT/.local/hypothesis"

# POST $1 with the JSON body $2 (and the admin's token when $3 is given); prints the body,
# fails on any status but 200 and 201.
call() {
  local path="$1" body="$2" token="${3:-}" out status
  out="$(mktemp)"
  local args=(-sS -o "$out" -w '%{http_code}' -X POST "$BASE_URL$path"
    -H 'Content-Type: application/json' --data-binary "$body")
  [[ -z "$token" ]] || args+=(-H "Authorization: Bearer $token")
  status="$(curl "${args[@]}")"
  if [[ "$status" != 200 && "$status" != 201 ]]; then
    echo "schemathesis.sh: POST $path answered $status: $(cat "$out")" >&2
    rm -f "$out"
    return 1
  fi
  cat "$out"
  rm -f "$out"
}

# The value of the top-level string field $1 of the JSON on stdin.
field() {
  python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

login() {
  call /auth/login "$(python3 -c 'import json, sys; print(json.dumps({"username": sys.argv[1], "password": sys.argv[2]}))' "$1" "$2")"
}

# A fresh access token from the refresh token in the named variable, which is replaced by
# its successor (refresh tokens rotate).
fresh_token() {
  local pair
  pair="$(call /auth/refresh "{\"refresh_token\": \"${!1}\"}")"
  printf -v "$1" '%s' "$(printf '%s' "$pair" | field refresh_token)"
  printf '%s' "$pair" | field access_token
}

# A client with a customer login, so that a customer token exists.
admin_token="$(login "$ADMIN_USERNAME" "$ADMIN_PASSWORD" | field access_token)"
client_id="$(call /clients '{
  "first_name": "Schema", "last_name": "Thesis", "email": "schemathesis.customer@example.com",
  "document_number": "SCHT900101", "phone": "+525512345678",
  "birth_date": "1990-01-01", "monthly_income": "25000.00"}' "$admin_token" | field id)"
customer_password="$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')"
call /users "{\"username\": \"schemathesis-customer\", \"password\": \"$customer_password\",
  \"role\": \"user\", \"client_id\": \"$client_id\"}" "$admin_token" > /dev/null
# A loan of its own, so the customer's reads have something to find.
call "/clients/$client_id/loans" \
  '{"amount": "10000.00", "annual_interest_rate": "12", "term_months": 12}' "$admin_token" > /dev/null

# One run as the caller whose token is $2, named $1, with $3 examples per operation.
run() {
  local name="$1" token="$2" examples="$3" started status
  echo "schemathesis.sh: run as $name ($examples examples per operation, seed $SEED)"
  started="$(date +%s)"
  status=0
  "$SCHEMATHESIS" run "$ROOT/docs/openapi.json" \
    --url "$BASE_URL" \
    --header "Authorization: Bearer $token" \
    --checks all \
    --mode all \
    --max-examples "$examples" \
    --seed "$SEED" \
    --workers "$WORKERS" \
    --report junit,ndjson \
    --report-dir "$REPORTS/$name" \
    --no-color || status=$?
  echo "schemathesis.sh: run as $name took $(($(date +%s) - started)) s (exit $status)"
  return "$status"
}

# Both logins first: the runs fuzz POST /auth/login too, and their failures, all from this
# machine's address, can brake it for 15 minutes. An access token lives 5 minutes, so each
# run gets a fresh one from its refresh token (never braked) right before it starts.
customer_refresh="$(login schemathesis-customer "$customer_password" | field refresh_token)"
admin_refresh="$(login "$ADMIN_USERNAME" "$ADMIN_PASSWORD" | field refresh_token)"
failed=0
# The customer first: the admin's run deletes clients and users, this one's among them.
for name in $RUNS; do
  case "$name" in
    customer) run customer "$(fresh_token customer_refresh)" "$USER_EXAMPLES" || failed=1 ;;
    admin) run admin "$(fresh_token admin_refresh)" "$ADMIN_EXAMPLES" || failed=1 ;;
    *) echo "schemathesis.sh: unknown run $name" >&2; exit 2 ;;
  esac
done
if ((failed)); then
  echo "schemathesis.sh: FAILED (reports in $REPORTS; rerun with SCHEMATHESIS_SEED=$SEED)" >&2
  exit 1
fi
echo "schemathesis.sh: every run passed ($RUNS)"
