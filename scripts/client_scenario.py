"""A short scenario through the Python client that openapi-python-client generates from
docs/openapi.json: log in, create a client and a product, apply for loans through the
product, and list them page by page with the cursor. It checks that the document is one a
generated client can use as it is, with no field to patch by hand (money as strings, no
declared default that the API would refuse).

    python3 scripts/client_scenario.py GENERATED_DIR

GENERATED_DIR holds the generated package `lending_api_client`; BASE_URL, ADMIN_USERNAME
and ADMIN_PASSWORD come from scripts/with-local-api.sh.
"""

import datetime
import os
import secrets
import sys

sys.path.insert(0, sys.argv[1])

from lending_api_client import AuthenticatedClient, Client  # noqa: E402
from lending_api_client.api.authentication import get_me, login, refresh  # noqa: E402
from lending_api_client.api.clients import create_client  # noqa: E402
from lending_api_client.api.loans import apply_for_loan, list_client_loans  # noqa: E402
from lending_api_client.api.products import create_product  # noqa: E402
from lending_api_client.models import (  # noqa: E402
    ClientInput,
    Credentials,
    Loan,
    LoanInput,
    LoanPage,
    Me,
    Product,
    ProductInput,
    RefreshRequest,
    TokenPair,
)
from lending_api_client.models import Client as ClientModel  # noqa: E402


def expect(kind, response, step):
    """The parsed body of `response` if it is a `kind`; otherwise stop with what came back."""
    if not isinstance(response.parsed, kind):
        sys.exit(
            f"client scenario: {step}: expected {kind.__name__}, got HTTP "
            f"{response.status_code}: {response.content.decode(errors='replace')}"
        )
    return response.parsed


def main():
    base_url = os.environ["BASE_URL"]
    unique = secrets.token_hex(4).upper()

    token = expect(
        TokenPair,
        login.sync_detailed(
            client=Client(base_url=base_url),
            body=Credentials(
                username=os.environ["ADMIN_USERNAME"], password=os.environ["ADMIN_PASSWORD"]
            ),
        ),
        "log in",
    )
    # The login's refresh token buys a new pair once; the scenario goes on with the new one.
    token = expect(
        TokenPair,
        refresh.sync_detailed(
            client=Client(base_url=base_url),
            body=RefreshRequest(refresh_token=token.refresh_token),
        ),
        "refresh the tokens",
    )
    api = AuthenticatedClient(base_url=base_url, token=token.access_token)
    me = expect(Me, get_me.sync_detailed(client=api), "who am I")
    assert me.role == "admin", me

    client = expect(
        ClientModel,
        create_client.sync_detailed(
            client=api,
            idempotency_key=f"scenario-client-{unique}",
            body=ClientInput(
                first_name="Ana",
                last_name="López",
                email=f"ana.lopez.{unique.lower()}@example.com",
                document_number=f"LOPA{unique}",
                birth_date=datetime.date(1990, 1, 1),
                phone="+525512345678",
                monthly_income="25000.00",
            ),
        ),
        "create a client",
    )
    assert client.monthly_income == "25000.00", client.monthly_income

    product = expect(
        Product,
        create_product.sync_detailed(
            client=api,
            body=ProductInput(
                name=f"Personal loan {unique}",
                currency="MXN",
                annual_interest_rate="12",
                min_amount="1000.00",
                max_amount="500000.00",
                min_term_months=6,
                max_term_months=60,
            ),
        ),
        "create a product",
    )

    applied = []
    for amount in ("10000.00", "20000.00", "30000.00"):
        loan = expect(
            Loan,
            apply_for_loan.sync_detailed(
                client.id,
                client=api,
                idempotency_key=f"scenario-loan-{unique}-{amount}",
                body=LoanInput(
                    product_id=product.id, amount=amount, term_months=12, purpose="car"
                ),
            ),
            f"apply for {amount} through the product",
        )
        assert loan.status == "pending", loan.status
        assert loan.product_id == product.id, loan.product_id
        assert loan.amount == amount and loan.currency == "MXN", (loan.amount, loan.currency)
        assert loan.annual_interest_rate == "12", loan.annual_interest_rate
        applied.append(loan)
    # 10,000.00 at 12 % over 12 months: 888.49 a month (the README's worked example).
    assert applied[0].monthly_payment == "888.49", applied[0].monthly_payment
    applied = [loan.id for loan in applied]

    seen, cursor, pages = [], None, 0
    while True:
        page = expect(
            LoanPage,
            list_client_loans.sync_detailed(
                client.id, client=api, limit=2, **({"cursor": cursor} if cursor else {})
            ),
            f"list the client's loans, page {pages + 1}",
        )
        pages += 1
        seen.extend(loan.id for loan in page.items)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert pages == 2, f"3 loans at 2 a page are 2 pages, not {pages}"
    assert seen == list(reversed(applied)), (seen, applied)
    print(
        f"client scenario: logged in, refreshed the tokens, created client {client.id} and "
        f"product {product.id}, applied for {len(applied)} loans and listed them in {pages} pages with the cursor"
    )


if __name__ == "__main__":
    main()
