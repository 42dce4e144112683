"""Writes the Postman collection (v2.1) of the lending API.

The collection is committed as JSON (postman/lending-api.postman_collection.json); this
script is its source, so requests and their tests are written once, readably, here.
Run: python3 scripts/postman_collection.py
"""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def js(*lines):
    return {"listen": "test", "script": {"type": "text/javascript", "exec": list(lines)}}


def request(name, method, path, tests, body=None, headers=None, auth="admin", prerequest=None):
    header = [{"key": k, "value": v} for k, v in (headers or {}).items()]
    if body is not None:
        header.append({"key": "Content-Type", "value": "application/json"})
    if auth:
        header.append({"key": "Authorization", "value": "Bearer {{%sToken}}" % auth})
    item = {
        "name": name,
        "event": [js(*tests)],
        "request": {
            "method": method,
            "header": header,
            "url": {
                "raw": "{{baseUrl}}" + path,
                "host": ["{{baseUrl}}"],
                "path": [p for p in path.split("?")[0].split("/") if p],
            },
        },
    }
    if "?" in path:
        query = path.split("?", 1)[1]
        item["request"]["url"]["query"] = [
            {"key": k, "value": v} for k, v in (pair.split("=", 1) for pair in query.split("&"))
        ]
    if body is not None:
        item["request"]["body"] = {
            "mode": "raw",
            "raw": json.dumps(body, indent=2, ensure_ascii=False),
            "options": {"raw": {"language": "json"}},
        }
    if prerequest:
        item["event"].append({"listen": "prerequest", "script": {"type": "text/javascript", "exec": prerequest}})
    return item


def status(code):
    return f"pm.test('status is {code}', () => pm.response.to.have.status({code}));"


def problem(code):
    return [
        status(code),
        "pm.test('body is Problem Details', () => {",
        "  pm.expect(pm.response.headers.get('Content-Type')).to.include('application/problem+json');",
        "  const p = pm.response.json();",
        f"  pm.expect(p.status).to.eql({code});",
        "  pm.expect(p).to.have.keys('type', 'title', 'status', 'detail', 'instance', 'request_id', ...(p.errors ? ['errors'] : []));",
        "});",
    ]


def save(var, expr):
    return f"pm.collectionVariables.set('{var}', {expr});"


def etag(var):
    return save(var, "pm.response.headers.get('ETag')")


CLIENT = {
    "first_name": "Ana",
    "last_name": "López",
    "email": "ana.{{runId}}@example.com",
    "document_number": "LOPA{{runId}}",
    "phone": "+525512345678",
    "birth_date": "1990-01-01",
    "monthly_income": "25000.00",
}
SECOND_CLIENT = dict(CLIENT, first_name="Bruno", email="bruno.{{runId}}@example.com", document_number="BRUN{{runId}}")
TERMS = {"amount": "10000.00", "annual_interest_rate": "12", "term_months": 12, "purpose": "car"}
PRODUCT = {"name": "Personal {{runId}}", "currency": "MXN", "annual_interest_rate": "12",
           "min_amount": "1000.00", "max_amount": "500000.00", "min_term_months": 6, "max_term_months": 60}
APPLICATION = {"product_id": "{{productId}}", "amount": "10000.00", "term_months": 12, "purpose": "car"}

auth = [
    request(
        "Log in as admin", "POST", "/auth/login",
        [status(200),
         "const body = pm.response.json();",
         "pm.test('a bearer token and a refresh token', () => { pm.expect(body.token_type).to.eql('Bearer'); pm.expect(body.expires_in).to.eql(300); pm.expect(body.refresh_token).to.have.lengthOf(43); pm.expect(body.refresh_expires_in).to.eql(43200); });",
         save("adminToken", "body.access_token")],
        body={"username": "{{adminUsername}}", "password": "{{adminPassword}}"}, auth=None,
        prerequest=["pm.collectionVariables.set('runId', String(Date.now()));"],
    ),
    request("Wrong password is 401", "POST", "/auth/login",
            problem(401) + ["pm.test('WWW-Authenticate', () => pm.expect(pm.response.headers.get('WWW-Authenticate')).to.eql('Bearer'));"],
            body={"username": "{{adminUsername}}", "password": "not the password"}, auth=None),
    request("No token is 401", "GET", "/clients", problem(401), auth=None),
    request("Who am I (admin)", "GET", "/auth/me",
            [status(200), "pm.test('admin', () => pm.expect(pm.response.json().role).to.eql('admin'));"]),
]

clients = [
    request("Create a client", "POST", "/clients",
            [status(201),
             "const c = pm.response.json();",
             "pm.test('Location and ETag', () => { pm.expect(pm.response.headers.get('Location')).to.eql('/clients/' + c.id); pm.expect(pm.response.headers.get('ETag')).to.eql('\"1\"'); });",
             "pm.test('money has minor units', () => pm.expect(c.monthly_income).to.eql('25000.00'));",
             save("clientId", "c.id"), etag("clientEtag")],
            body=CLIENT),
    request("Duplicate email is 409", "POST", "/clients", problem(409), body=dict(CLIENT, document_number="OTHER{{runId}}")),
    request("Invalid fields are 422", "POST", "/clients",
            problem(422) + ["pm.test('one error per field', () => pm.expect(pm.response.json().errors.map(e => e.pointer)).to.include.members(['/email', '/birth_date']));"],
            body=dict(CLIENT, email="not-an-email", birth_date="2020-01-01")),
    request("Create a second client", "POST", "/clients", [status(201), save("secondClientId", "pm.response.json().id")], body=SECOND_CLIENT),
    request("Read the client", "GET", "/clients/{{clientId}}",
            [status(200), "pm.test('same client', () => pm.expect(pm.response.json().id).to.eql(pm.collectionVariables.get('clientId')));"]),
    request("Find the client by email", "GET", "/clients?email=ANA.{{runId}}@EXAMPLE.COM",
            [status(200), "pm.test('exactly one', () => pm.expect(pm.response.json().items.length).to.eql(1));"]),
    request("List clients, one per page", "GET", "/clients?limit=1",
            [status(200), "const page = pm.response.json();",
             "pm.test('a full page and a cursor', () => { pm.expect(page.items.length).to.eql(1); pm.expect(page.next_cursor).to.be.a('string'); });",
             save("clientsCursor", "page.next_cursor")]),
    request("Next page of clients", "GET", "/clients?limit=1&cursor={{clientsCursor}}",
            [status(200), "pm.test('the next client', () => pm.expect(pm.response.json().items.length).to.eql(1));"]),
    request("A cursor from another query is 400", "GET", "/clients?limit=2&cursor={{clientsCursor}}", problem(400)),
    request("Update the client with If-Match", "PATCH", "/clients/{{clientId}}",
            [status(200), "pm.test('version 2', () => pm.expect(pm.response.json().version).to.eql(2));", etag("clientEtag")],
            body={"phone": "+525598765432"}, headers={"If-Match": "{{clientEtag}}"}),
    request("A stale If-Match is 412", "PATCH", "/clients/{{clientId}}", problem(412),
            body={"phone": "+525500000000"}, headers={"If-Match": "\"1\""}),
    request("Wrong method is 405", "DELETE", "/clients",
            problem(405) + ["pm.test('Allow', () => pm.expect(pm.response.headers.get('Allow')).to.eql('GET, POST'));"]),
]

customer = [
    request("Create a customer login", "POST", "/users",
            [status(201), "pm.test('bound to the client', () => pm.expect(pm.response.json().client_id).to.eql(pm.collectionVariables.get('clientId')));"],
            body={"username": "ana{{runId}}", "password": "quiet-harbour-lantern-42", "role": "user", "client_id": "{{clientId}}"}),
    request("List users", "GET", "/users?limit=5", [status(200), "pm.test('a page', () => pm.expect(pm.response.json()).to.have.keys('items', 'next_cursor'));"]),
    request("Log in as the customer", "POST", "/auth/login",
            [status(200), save("customerToken", "pm.response.json().access_token"),
             save("customerRefresh", "pm.response.json().refresh_token"),
             "pm.test('a 30-day refresh token', () => pm.expect(pm.response.json().refresh_expires_in).to.eql(2592000));"],
            body={"username": "ana{{runId}}", "password": "quiet-harbour-lantern-42"}, auth=None),
    request("Refresh the customer's tokens", "POST", "/auth/refresh",
            [status(200), "const pair = pm.response.json();",
             "pm.test('a new refresh token', () => pm.expect(pair.refresh_token).to.not.eql(pm.collectionVariables.get('customerRefresh')));",
             save("spentRefresh", "pm.collectionVariables.get('customerRefresh')"),
             save("customerToken", "pair.access_token"), save("customerRefresh", "pair.refresh_token")],
            body={"refresh_token": "{{customerRefresh}}"}, auth=None),
    request("A spent refresh token is 401", "POST", "/auth/refresh", problem(401),
            body={"refresh_token": "{{spentRefresh}}"}, auth=None),
    request("Its family is revoked with it", "POST", "/auth/refresh", problem(401),
            body={"refresh_token": "{{customerRefresh}}"}, auth=None),
    request("Read the customer login", "GET", "/users/ana{{runId}}",
            [status(200), "pm.test('enabled, with its ETag', () => { pm.expect(pm.response.json().disabled).to.eql(false); pm.expect(pm.response.headers.get('ETag')).to.eql('\"1\"'); });"]),
    request("A common password is 422", "POST", "/auth/password",
            problem(422) + ["pm.test('names the new password', () => pm.expect(pm.response.json().errors.map(e => e.pointer)).to.eql(['/new_password']));"],
            body={"current_password": "quiet-harbour-lantern-42", "new_password": "1qaz2wsx3edc"}, auth="customer"),
    request("The customer changes its password", "POST", "/auth/password", [status(204)],
            body={"current_password": "quiet-harbour-lantern-42", "new_password": "a brand new passphrase"}, auth="customer"),
    request("Log in with the new password", "POST", "/auth/login",
            [status(200), save("customerToken", "pm.response.json().access_token"),
             save("customerRefresh", "pm.response.json().refresh_token")],
            body={"username": "ana{{runId}}", "password": "a brand new passphrase"}, auth=None),
    request("Log out", "POST", "/auth/logout", [status(204)],
            body={"refresh_token": "{{customerRefresh}}"}, auth=None),
    request("A logged-out refresh token is 401", "POST", "/auth/refresh", problem(401),
            body={"refresh_token": "{{customerRefresh}}"}, auth=None),
    request("Who am I (customer)", "GET", "/auth/me",
            [status(200), "pm.test('a user of the client', () => { const me = pm.response.json(); pm.expect(me.role).to.eql('user'); pm.expect(me.client_id).to.eql(pm.collectionVariables.get('clientId')); });"],
            auth="customer"),
    request("A customer cannot list clients", "GET", "/clients", problem(403), auth="customer"),
    request("Another client is 404 to a customer", "GET", "/clients/{{secondClientId}}", problem(404), auth="customer"),
]

products = [
    request("Create a loan product", "POST", "/products",
            [status(201), "const p = pm.response.json();",
             "pm.test('priced and bounded', () => { pm.expect(p.annual_interest_rate).to.eql('12'); pm.expect(p.min_amount).to.eql('1000.00'); pm.expect(p.active).to.eql(true); });",
             save("productId", "p.id"), etag("productEtag")],
            body=PRODUCT),
    request("Bounds that leave loans without a schedule are 422", "POST", "/products",
            problem(422) + ["pm.test('names the bound', () => pm.expect(pm.response.json().errors.map(e => e.pointer)).to.include('/max_term_months'));"],
            body=dict(PRODUCT, annual_interest_rate="48", max_term_months=360)),
    request("A customer sees the active products", "GET", "/products",
            [status(200), "pm.test('ours among them', () => pm.expect(pm.response.json().items.map(p => p.id)).to.include(pm.collectionVariables.get('productId')));"],
            auth="customer"),
    request("A customer cannot create a product", "POST", "/products", problem(403), body=PRODUCT, auth="customer"),
]

loans = [
    request("Quote a loan", "POST", "/quotes",
            [status(200), "const q = pm.response.json();",
             "pm.test('12 installments of 888.49', () => { pm.expect(q.installments.length).to.eql(12); pm.expect(q.monthly_payment).to.eql('888.49'); pm.expect(q.total_interest).to.eql('661.86'); pm.expect(q.loan_id).to.eql(null); });"],
            body={k: TERMS[k] for k in ("amount", "annual_interest_rate", "term_months")}, auth="customer"),
    request("A customer cannot choose its own rate", "POST", "/clients/{{clientId}}/loans",
            problem(422) + ["pm.test('the rate comes from the product', () => pm.expect(pm.response.json().errors.map(e => e.pointer)).to.include('/annual_interest_rate'));"],
            body=dict(APPLICATION, annual_interest_rate="0"), auth="customer"),
    request("Money as a JSON number is 422", "POST", "/clients/{{clientId}}/loans",
            problem(422) + ["pm.test('asks for a decimal string', () => pm.expect(pm.response.json().detail).to.include('decimal string'));"],
            body=dict(APPLICATION, amount=10000), auth="customer"),
    request("Apply for a loan through the product (customer)", "POST", "/clients/{{clientId}}/loans",
            [status(201), "const loan = pm.response.json();",
             "pm.test('pending, priced by the product', () => { pm.expect(loan.status).to.eql('pending'); pm.expect(loan.product_id).to.eql(pm.collectionVariables.get('productId')); pm.expect(loan.monthly_payment).to.eql('888.49'); pm.expect(loan.total_payable).to.eql('10661.86'); });",
             save("loanId", "loan.id"), etag("loanEtag")],
            body=APPLICATION, auth="customer"),
    request("A customer sees its loans", "GET", "/loans",
            [status(200), "pm.test('its loan', () => pm.expect(pm.response.json().items.map(l => l.id)).to.include(pm.collectionVariables.get('loanId')));"],
            auth="customer"),
    request("A customer cannot approve", "PATCH", "/loans/{{loanId}}", problem(403), body={"status": "approved"}, auth="customer"),
    request("Change the terms while pending", "PATCH", "/loans/{{loanId}}",
            [status(200), "pm.test('recomputed', () => pm.expect(pm.response.json().term_months).to.eql(12));", etag("loanEtag")],
            body={"term_months": 12, "purpose": "a used car"}, headers={"If-Match": "{{loanEtag}}"}),
    request("Approve the loan", "PATCH", "/loans/{{loanId}}",
            [status(200), "const loan = pm.response.json();",
             "pm.test('approved, stamped', () => { pm.expect(loan.status).to.eql('approved'); pm.expect(loan.approved_at).to.be.a('string'); });",
             etag("loanEtag")],
            body={"status": "approved"}, headers={"If-Match": "{{loanEtag}}"}),
    request("Disburse the loan on a value date", "PATCH", "/loans/{{loanId}}",
            [status(200), "pm.test('active from its value date', () => { const l = pm.response.json(); pm.expect(l.status).to.eql('active'); pm.expect(l.disbursed_at).to.be.a('string'); pm.expect(l.disbursed_on).to.eql('2025-01-15'); });"],
            body={"status": "active", "disbursed_on": "2025-01-15"}),
    request("An illegal change is 409", "PATCH", "/loans/{{loanId}}",
            problem(409) + ["pm.test('names both states', () => pm.expect(pm.response.json().detail).to.include('active').and.to.include('pending'));"],
            body={"status": "pending"}),
    request("Terms of an active loan cannot change", "PUT", "/loans/{{loanId}}", problem(409), body=TERMS),
    request("Read the schedule", "GET", "/loans/{{loanId}}/schedule",
            [status(200), "const s = pm.response.json();",
             "pm.test('French amortization', () => { pm.expect(s.installments.length).to.eql(12); pm.expect(s.installments[0]).to.include({number: 1, payment: '888.49', interest: '100.00', principal: '788.49', balance: '9211.51'}); pm.expect(s.installments[11].balance).to.eql('0.00'); });"],
            auth="customer"),
    request("Active loans", "GET", "/loans?status=active&limit=100",
            [status(200), "pm.test('only active ones, ours among them', () => { const items = pm.response.json().items; pm.expect(items.every(l => l.status === 'active')).to.be.true; pm.expect(items.map(l => l.id)).to.include(pm.collectionVariables.get('loanId')); });"]),
    request("The client's loans", "GET", "/clients/{{clientId}}/loans",
            [status(200), "pm.test('one loan', () => pm.expect(pm.response.json().items.length).to.eql(1));"]),
    request("A client with an active loan cannot be deleted", "DELETE", "/clients/{{clientId}}", problem(409)),
    request("An active loan cannot be deleted", "DELETE", "/loans/{{loanId}}", problem(409)),
    request("Paid is not set by hand", "PATCH", "/loans/{{loanId}}", problem(409), body={"status": "paid"}),
    request("Post the first installment", "POST", "/loans/{{loanId}}/repayments",
            [status(201), "const t = pm.response.json();",
             "pm.test('interest first, then principal', () => { pm.expect(t.type).to.eql('repayment'); pm.expect(t.allocation).to.eql({interest: '100.00', principal: '788.49'}); });",
             save("txnId", "t.id")],
            body={"amount": "888.49", "paid_on": "2025-02-15", "reference": "SPEI 0001"},
            headers={"Idempotency-Key": "repay-{{runId}}"}),
    request("A retried repayment posts its money once", "POST", "/loans/{{loanId}}/repayments",
            [status(201), "pm.test('replayed', () => { pm.expect(pm.response.headers.get('Idempotent-Replayed')).to.eql('true'); pm.expect(pm.response.json().id).to.eql(pm.collectionVariables.get('txnId')); });"],
            body={"amount": "888.49", "paid_on": "2025-02-15", "reference": "SPEI 0001"},
            headers={"Idempotency-Key": "repay-{{runId}}"}),
    request("A customer cannot post repayments", "POST", "/loans/{{loanId}}/repayments", problem(403),
            body={"amount": "10.00"}, auth="customer"),
    request("The balance as it stood on a day", "GET", "/loans/{{loanId}}/balance?on=2025-03-20",
            [status(200), "pm.test('five days past due', () => { const b = pm.response.json(); pm.expect(b.days_past_due).to.eql(5); pm.expect(b.delinquency).to.eql('1-30'); pm.expect(b.total_paid).to.eql('888.49'); });"],
            auth="customer"),
    request("The arrears list", "GET", "/loans?days_past_due_min=1&limit=100",
            [status(200), "pm.test('ours is overdue', () => pm.expect(pm.response.json().items.map(l => l.id)).to.include(pm.collectionVariables.get('loanId')));"]),
    request("Reverse the first installment", "POST", "/loans/{{loanId}}/transactions/{{txnId}}/reversal",
            [status(201), "pm.test('a reversal', () => { const t = pm.response.json(); pm.expect(t.type).to.eql('reversal'); pm.expect(t.reverses).to.eql(pm.collectionVariables.get('txnId')); });"],
            body={"reason": "Payment returned by the bank"}),
    request("A repayment is reversed once", "POST", "/loans/{{loanId}}/transactions/{{txnId}}/reversal", problem(409),
            body={"reason": "Twice"}),
    request("The ledger, newest first", "GET", "/loans/{{loanId}}/transactions",
            [status(200), "pm.test('disbursement, repayment, reversal', () => pm.expect(pm.response.json().items.map(t => t.type)).to.eql(['reversal', 'repayment', 'disbursement']));"],
            auth="customer"),
    request("A repayment above the payoff is 422", "POST", "/loans/{{loanId}}/repayments",
            problem(422) + ["pm.test('names the payoff', () => pm.expect(pm.response.json().errors[0].detail).to.include('payoff amount'));"],
            body={"amount": "9999999.00"}),
    request("Quote the payoff", "GET", "/loans/{{loanId}}/payoff",
            [status(200), save("payoffAmount", "pm.response.json().payoff_amount")]),
    request("Pay the loan off", "POST", "/loans/{{loanId}}/repayments", [status(201)],
            body={"amount": "{{payoffAmount}}", "reference": "SPEI 0002"}),
    request("The loan is paid", "GET", "/loans/{{loanId}}",
            [status(200), "pm.test('paid', () => { const l = pm.response.json(); pm.expect(l.status).to.eql('paid'); pm.expect(l.paid_at).to.be.a('string'); });"]),
    request("Apply for a second loan", "POST", "/clients/{{clientId}}/loans",
            [status(201), save("secondLoanId", "pm.response.json().id")], body=dict(APPLICATION, amount="5000.00"), auth="customer"),
    request("The customer cancels it", "PATCH", "/loans/{{secondLoanId}}",
            [status(200), "pm.test('cancelled', () => pm.expect(pm.response.json().status).to.eql('cancelled'));"],
            body={"status": "cancelled"}, auth="customer"),
    request("Delete the cancelled loan", "DELETE", "/loans/{{secondLoanId}}", [status(204)]),
]

cleanup = [
    request("Delete the client, its closed loans and its customer login", "DELETE", "/clients/{{clientId}}",
            [status(204)]),
    request("The client is gone", "GET", "/clients/{{clientId}}", problem(404)),
    request("Its loans are gone", "GET", "/loans/{{loanId}}", problem(404)),
    request("Its customer login is gone", "DELETE", "/users/ana{{runId}}", problem(404)),
    request("Delete the second client", "DELETE", "/clients/{{secondClientId}}", [status(204)]),
    request("A product loans were made from cannot be deleted", "DELETE", "/products/{{productId}}", problem(409)),
    request("Retire the product", "PATCH", "/products/{{productId}}",
            [status(200), "pm.test('retired', () => pm.expect(pm.response.json().active).to.eql(false));"],
            body={"active": False}, headers={"If-Match": "{{productEtag}}"}),
]

collection = {
    "info": {
        "name": "Lending API",
        "description": "Every route of the lending API in a working order: log in, clients, a customer login, a loan product, a loan from application to paid, and clean-up. Set `baseUrl`, `adminUsername` and `adminPassword` in the environment (`make dev` prints the local admin).",
        "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    },
    "item": [
        {"name": "Authentication", "item": auth},
        {"name": "Clients", "item": clients},
        {"name": "Customer login", "item": customer},
        {"name": "Products", "item": products},
        {"name": "Loans", "item": loans},
        {"name": "Clean-up", "item": cleanup},
    ],
    "variable": [{"key": k, "value": ""} for k in (
        "runId", "adminToken", "customerToken", "clientId", "clientEtag", "secondClientId",
        "clientsCursor", "loanId", "loanEtag", "secondLoanId", "productId", "productEtag", "txnId",
        "payoffAmount")],
}

environment = {
    "name": "Lending API (local)",
    "values": [
        {"key": "baseUrl", "value": "http://127.0.0.1:9000", "enabled": True},
        {"key": "adminUsername", "value": "admin", "enabled": True},
        {"key": "adminPassword", "value": "", "type": "secret", "enabled": True},
    ],
}

(ROOT / "postman" / "lending-api.postman_collection.json").write_text(json.dumps(collection, indent=2, ensure_ascii=False) + "\n")
(ROOT / "postman" / "local.postman_environment.json").write_text(json.dumps(environment, indent=2) + "\n")
