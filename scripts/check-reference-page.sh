#!/usr/bin/env bash
# Checks docs/index.html, the API reference page: it is what docs/openapi.json renders to
# (`make openapi` writes it), and a real browser shows every operation of the document
# when it opens the file offline. The browser is headless Chromium from the Debian package,
# installed here with apt-get when it is missing and this runs as root.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

node scripts/reference-page.mjs --check

if ! command -v chromium >/dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "reference page: installing chromium (Debian package)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "reference page: chromium is missing; install the Debian package: apt-get install chromium" >&2
    exit 1
  fi
fi

dom="$(mktemp)"
profile="$(mktemp -d)"
trap 'rm -rf "$dom" "$profile"' EXIT
# Offline: every host resolves to nothing and every connection goes to a closed port, so
# the page shows only what it carries. The virtual time budget lets the scripts finish
# rendering before the DOM is dumped.
chromium --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$profile" \
  --host-resolver-rules="MAP * ~NOTFOUND" --proxy-server=127.0.0.1:9 \
  --virtual-time-budget=10000 --dump-dom "file://$ROOT/docs/index.html" > "$dom" 2>/dev/null

python3 - "$dom" docs/openapi.json <<'PY'
import html, json, re, sys

dom = open(sys.argv[1], encoding="utf-8").read()
spec = json.load(open(sys.argv[2], encoding="utf-8"))
# What the browser rendered, without the scripts that carry the document itself.
rendered = re.sub(r"<script\b.*?</script>", "", dom, flags=re.S)
text = html.unescape(re.sub(r"<[^>]+>", " ", rendered))
missing = []
count = 0
for path, item in spec["paths"].items():
    for method, operation in item.items():
        if method not in ("get", "put", "post", "delete", "patch"):
            continue
        count += 1
        tag = operation["tags"][0]
        block = f'id="operations-{tag}-{operation["operationId"]}"'
        if block not in rendered or operation["summary"] not in text:
            missing.append(f"{method.upper()} {path} ({operation['operationId']})")
if count == 0:
    sys.exit("reference page: the document has no operations")
if missing:
    sys.exit("reference page: operations missing from the rendered page:\n  " + "\n  ".join(missing))
print(f"reference page: Chromium rendered all {count} operations of docs/openapi.json offline")
PY
