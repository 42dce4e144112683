"""Writes events/: one API Gateway HTTP API (payload format 2.0) event per operation, for
`sam local invoke` and for the event test (tests/tests/api/events.rs), which feeds each
file through its function's handler against DynamoDB Local and checks the status.

    python3 scripts/events.py           write events/*.json
    python3 scripts/events.py --check   fail unless events/ is what this would write

A file is named `<method>-<path>.<status>.json`, the path's segments joined by `-` without
braces (`post-clients-client_id-loans.201.json`); `<status>` is what the function answers
against a table holding the fixtures of `lending-admin event-fixtures`
(infra/src/fixtures.rs), whose ids these events use. The `Authorization` header carries
the placeholder `Bearer DEV_TOKEN` (an admin) or, for the events that act as the fixtures'
customer, `Bearer DEV_CUSTOMER_TOKEN`: `scripts/dev-token EVENT` prints an event with a
fresh token in its place. The refresh and logout events carry none: the refresh token in
their body is the credential.

To add an event: add a row to EVENTS (method, route, status, and its path parameters,
query, body and extra headers), run this script, and commit events/.
"""

import hashlib
import json
import sys
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
EVENTS_DIR = ROOT / "events"

# The fixtures' ids (infra/src/fixtures.rs).
CLIENT_ID = "01KBBKB100EVENTS0C11ENT00A"
CLIENT_TO_DELETE_ID = "01KBBKB100EVENTS0C11ENT00B"
LOAN_ID = "01KBE5QR00EVENTS000000AN00"
LOAN_TO_DELETE_ID = "01KBE5QR00EVENTS000000AN01"
ACTIVE_LOAN_ID = "01KBE5QR00EVENTS000000AN02"
TXN_ID = "01KBE5QR00EVENTS00000TXN02"
PRODUCT_ID = "01KBBKB100EVENTSPR0DVCT00A"
PRODUCT_TO_DELETE_ID = "01KBBKB100EVENTSPR0DVCT00B"
CUSTOMER_USERNAME = "ana.lopez"
CUSTOMER_PASSWORD = "dev-only-password-ana-lopez"
USER_TO_DELETE = "leaving.customer"
REFRESH_TOKEN = "dev-only-refresh-token-of-ana-lopez-0000001"

TOKEN_PLACEHOLDER = "Bearer DEV_TOKEN"
CUSTOMER_TOKEN_PLACEHOLDER = "Bearer DEV_CUSTOMER_TOKEN"
# Operations whose credential is in the body, not in an Authorization header.
NO_TOKEN = {("POST", "/auth/login"), ("POST", "/auth/refresh"), ("POST", "/auth/logout")}
# Operations an event performs as the fixtures' customer rather than as an admin.
AS_CUSTOMER = {("POST", "/auth/password")}
API_ID = "abc123defg"
DOMAIN = f"{API_ID}.execute-api.us-east-1.amazonaws.com"
SOURCE_IP = "203.0.113.24"
USER_AGENT = "lending-web/1.4.2"
# 2026-12-01T10:15:00Z, as API Gateway writes it.
TIME = "01/Dec/2026:10:15:00 +0000"
TIME_EPOCH_MS = 1_796_120_100_000

NEW_CLIENT = {
    "first_name": "Marta",
    "last_name": "Ruiz",
    "email": "marta.ruiz@example.com",
    "document_number": "RUIM880315",
    "phone": "+525511112222",
    "birth_date": "1988-03-15",
    "monthly_income": "32000.00",
}
ANA = {
    "first_name": "Ana",
    "last_name": "López Vega",
    "email": "ana.lopez@example.com",
    "document_number": "LOPA900101",
    "phone": "+525598765432",
    "birth_date": "1990-01-01",
    "monthly_income": "27500.00",
}

# (method, route, status, path parameters, query, body, extra headers)
EVENTS = [
    ("GET", "/clients", 200, {}, {"limit": "10", "name": "lópez"}, None, {}),
    ("POST", "/clients", 201, {}, {}, NEW_CLIENT, {"idempotency-key": "create-client-marta-ruiz"}),
    ("GET", "/clients/{client_id}", 200, {"client_id": CLIENT_ID}, {}, None, {}),
    ("PUT", "/clients/{client_id}", 200, {"client_id": CLIENT_ID}, {}, ANA, {}),
    ("PATCH", "/clients/{client_id}", 200, {"client_id": CLIENT_ID}, {},
     {"phone": "+525598765432", "monthly_income": None}, {}),
    ("DELETE", "/clients/{client_id}", 204, {"client_id": CLIENT_TO_DELETE_ID}, {}, None,
     {"if-match": '"1"'}),
    ("GET", "/clients/{client_id}/loans", 200, {"client_id": CLIENT_ID}, {"status": "pending"},
     None, {}),
    ("POST", "/clients/{client_id}/loans", 201, {"client_id": CLIENT_ID}, {},
     {"product_id": PRODUCT_ID, "amount": "15000.00", "term_months": 24, "purpose": "home repairs"},
     {"idempotency-key": "apply-ana-home-repairs"}),
    ("GET", "/loans", 200, {}, {"status": "pending", "min_amount": "5000.00", "limit": "5"},
     None, {}),
    ("GET", "/loans/{loan_id}", 200, {"loan_id": LOAN_ID}, {}, None, {}),
    ("PUT", "/loans/{loan_id}", 200, {"loan_id": LOAN_ID}, {},
     {"amount": "12000.00", "currency": "MXN", "annual_interest_rate": "12",
      "term_months": 18, "purpose": "car"}, {}),
    ("PATCH", "/loans/{loan_id}", 200, {"loan_id": LOAN_ID}, {}, {"term_months": 24}, {}),
    ("DELETE", "/loans/{loan_id}", 204, {"loan_id": LOAN_TO_DELETE_ID}, {}, None,
     {"if-match": '"2"'}),
    ("GET", "/loans/{loan_id}/schedule", 200, {"loan_id": LOAN_ID}, {}, None, {}),
    ("POST", "/loans/{loan_id}/repayments", 201, {"loan_id": ACTIVE_LOAN_ID}, {},
     {"amount": "888.49", "paid_on": "2026-02-03", "reference": "SPEI 7731"},
     {"idempotency-key": "spei-7731"}),
    ("GET", "/loans/{loan_id}/transactions", 200, {"loan_id": ACTIVE_LOAN_ID}, {"limit": "10"},
     None, {}),
    ("GET", "/loans/{loan_id}/transactions/{txn_id}", 200,
     {"loan_id": ACTIVE_LOAN_ID, "txn_id": TXN_ID}, {}, None, {}),
    ("POST", "/loans/{loan_id}/transactions/{txn_id}/reversal", 201,
     {"loan_id": ACTIVE_LOAN_ID, "txn_id": TXN_ID}, {}, {"reason": "Payment returned by the bank"},
     {"idempotency-key": "reverse-spei-0001"}),
    ("GET", "/loans/{loan_id}/balance", 200, {"loan_id": ACTIVE_LOAN_ID}, {"on": "2026-03-01"},
     None, {}),
    ("GET", "/loans/{loan_id}/payoff", 200, {"loan_id": ACTIVE_LOAN_ID}, {"on": "2026-03-01"},
     None, {}),
    ("POST", "/quotes", 200, {}, {},
     {"amount": "10000.00", "currency": "MXN", "annual_interest_rate": "12", "term_months": 12},
     {}),
    ("GET", "/products", 200, {}, {"active": "true"}, None, {}),
    ("POST", "/products", 201, {}, {},
     {"name": "Payroll advance", "currency": "MXN", "annual_interest_rate": "24",
      "min_amount": "500.00", "max_amount": "20000.00", "min_term_months": 1,
      "max_term_months": 6}, {"idempotency-key": "create-product-payroll-advance"}),
    ("GET", "/products/{product_id}", 200, {"product_id": PRODUCT_ID}, {}, None, {}),
    ("PATCH", "/products/{product_id}", 200, {"product_id": PRODUCT_ID}, {},
     {"annual_interest_rate": "17.5"}, {}),
    ("DELETE", "/products/{product_id}", 204, {"product_id": PRODUCT_TO_DELETE_ID}, {}, None, {}),
    ("POST", "/auth/login", 200, {}, {},
     {"username": CUSTOMER_USERNAME, "password": CUSTOMER_PASSWORD}, {}),
    ("POST", "/auth/refresh", 200, {}, {}, {"refresh_token": REFRESH_TOKEN}, {}),
    ("POST", "/auth/logout", 204, {}, {}, {"refresh_token": REFRESH_TOKEN}, {}),
    ("POST", "/auth/password", 204, {}, {},
     {"current_password": CUSTOMER_PASSWORD,
      "new_password": "a longer dev-only passphrase, changed"}, {}),
    ("GET", "/auth/me", 200, {}, {}, None, {}),
    ("GET", "/users", 200, {}, {"limit": "10"}, None, {}),
    ("GET", "/users/{username}", 200, {"username": CUSTOMER_USERNAME}, {}, None, {}),
    ("PATCH", "/users/{username}", 200, {"username": USER_TO_DELETE}, {},
     {"disabled": True}, {}),
    ("POST", "/users", 201, {}, {},
     {"username": "marta.ruiz", "password": "marta-dev-only-passphrase", "role": "user",
      "client_id": CLIENT_ID}, {"idempotency-key": "create-user-marta-ruiz"}),
    ("DELETE", "/users/{username}", 204, {"username": USER_TO_DELETE}, {}, None, {}),
]


def file_name(method, route, status):
    segments = [s.strip("{}") for s in route.split("/") if s]
    return f"{method.lower()}-{'-'.join(segments)}.{status}.json"


def event(method, route, path_params, query, body, extra_headers):
    raw_path = "/".join(
        quote(path_params[s[1:-1]], safe="") if s.startswith("{") else s
        for s in route.split("/")
    )
    raw_query = urlencode(query, quote_via=quote)
    name = f"{method} {route}"
    digest = hashlib.sha256(name.encode()).hexdigest()
    headers = {
        "accept": "application/json",
        "host": DOMAIN,
        "user-agent": USER_AGENT,
        "x-amzn-trace-id": f"Root=1-{TIME_EPOCH_MS // 1000:08x}-{digest[:24]}",
        "x-forwarded-for": SOURCE_IP,
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    }
    if (method, route) in AS_CUSTOMER:
        headers["authorization"] = CUSTOMER_TOKEN_PLACEHOLDER
    elif (method, route) not in NO_TOKEN:
        headers["authorization"] = TOKEN_PLACEHOLDER
    text = None
    if body is not None:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        headers["content-type"] = "application/json"
        headers["content-length"] = str(len(text.encode()))
    headers.update(extra_headers)
    request_context = {
        "accountId": "123456789012",
        "apiId": API_ID,
        "domainName": DOMAIN,
        "domainPrefix": API_ID,
        "http": {
            "method": method,
            "path": raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": SOURCE_IP,
            "userAgent": USER_AGENT,
        },
        # API Gateway's request ids are 16 base64 characters.
        "requestId": digest[24:40],
        "routeKey": name,
        "stage": "$default",
        "time": TIME,
        "timeEpoch": TIME_EPOCH_MS,
    }
    out = {
        "version": "2.0",
        "routeKey": name,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": dict(sorted(headers.items())),
    }
    if query:
        out["queryStringParameters"] = query
    if path_params:
        out["pathParameters"] = path_params
    out["requestContext"] = request_context
    if text is not None:
        out["body"] = text
    out["isBase64Encoded"] = False
    return out


def rendered():
    files = {}
    for method, route, status, path_params, query, body, extra in EVENTS:
        text = json.dumps(event(method, route, path_params, query, body, extra),
                          indent=2, ensure_ascii=False) + "\n"
        files[file_name(method, route, status)] = text
    return files


def main():
    files = rendered()
    if "--check" in sys.argv[1:]:
        present = {p.name: p.read_text(encoding="utf-8") for p in EVENTS_DIR.glob("*.json")}
        stale = sorted(n for n in files.keys() | present.keys() if files.get(n) != present.get(n))
        if stale:
            sys.exit("events/ is not what scripts/events.py writes (run it and commit): "
                     + ", ".join(stale))
        print(f"events/: {len(files)} events, current")
        return
    EVENTS_DIR.mkdir(exist_ok=True)
    for old in EVENTS_DIR.glob("*.json"):
        if old.name not in files:
            old.unlink()
    for name, text in files.items():
        (EVENTS_DIR / name).write_text(text, encoding="utf-8")
    print(f"events/: wrote {len(files)} events")


if __name__ == "__main__":
    main()
