#!/usr/bin/env bash
# Runs the Postman collection with newman against $BASE_URL as $ADMIN_USERNAME.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$ROOT/tools/e2e/node_modules/.bin/newman" run "$ROOT/postman/lending-api.postman_collection.json" \
  --environment "$ROOT/postman/local.postman_environment.json" \
  --env-var "baseUrl=$BASE_URL" \
  --env-var "adminUsername=$ADMIN_USERNAME" \
  --env-var "adminPassword=$ADMIN_PASSWORD" \
  --reporters cli --color off
