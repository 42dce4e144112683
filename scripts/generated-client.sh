#!/usr/bin/env bash
# Generates the Python client of docs/openapi.json with openapi-python-client (pinned in the
# Makefile, installed into .venv by `make tools`), failing on any warning, and drives the API
# at $BASE_URL through it (scripts/client_scenario.py). Run it under scripts/with-local-api.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# No post-generation hooks: they would format the code with ruff, which the scenario does
# not need.
printf 'post_hooks: []\n' > "$out/config.yaml"
.venv/bin/openapi-python-client generate --path docs/openapi.json --config "$out/config.yaml" \
  --meta none --output-path "$out/lending_api_client" --fail-on-warning
.venv/bin/python scripts/client_scenario.py "$out"
