//! `lending-admin event-fixtures`: the data the API Gateway events in `events/` refer to,
//! under fixed ids, so that `sam local invoke` with an event finds its client, loan,
//! product or user (and the event test finds the same on its own table).
//!
//! Everything goes in through the store's own writes (uniqueness guards, pending counts,
//! the products' loan counts), as the API would leave it. Loading is idempotent: once the
//! first client exists, nothing more is written. The ids, names, passwords and the refresh
//! token are public and for local use only.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use shared::auth::token::refresh_lifetime_secs;
use shared::auth::{Role, TokenKeys, password};
use shared::domain::client::{Client, ClientDetails, MonthlyIncome};
use shared::domain::fields::{DocumentNumber, Email, PersonName, Phone};
use shared::domain::ids::{ClientId, LoanId, ProductId, TxnId};
use shared::domain::ledger::{Ledger, TxnType};
use shared::domain::loan::{Loan, Purpose};
use shared::domain::loan_status::LoanStatus;
use shared::domain::money::Currency;
use shared::domain::product::{Product, ProductName, ProductTerms};
use shared::domain::schedule::LoanTerms;
use shared::domain::time::Timestamp;
use shared::domain::user::{User, Username};
use shared::store::idempotency::WriteOnce;
use shared::{ApiError, Store};

/// The client most events act on: it has one pending and one cancelled loan.
pub const CLIENT_ID: &str = "01KBBKB100EVENTS0C11ENT00A";
/// A client with no loans, which `DELETE /clients/{client_id}` removes.
pub const CLIENT_TO_DELETE_ID: &str = "01KBBKB100EVENTS0C11ENT00B";
/// A pending loan of [`CLIENT_ID`], booked with explicit terms (not through a product).
pub const LOAN_ID: &str = "01KBE5QR00EVENTS000000AN00";
/// A cancelled loan of [`CLIENT_ID`], which `DELETE /loans/{loan_id}` removes.
pub const LOAN_TO_DELETE_ID: &str = "01KBE5QR00EVENTS000000AN01";
/// An active loan of [`CLIENT_ID`], disbursed on 2025-12-03 and repaid once
/// ([`TXN_ID`], 500.00 on 2026-01-03), which the servicing events act on.
pub const ACTIVE_LOAN_ID: &str = "01KBE5QR00EVENTS000000AN02";
/// The repayment of [`ACTIVE_LOAN_ID`], which the reversal event reverses.
pub const TXN_ID: &str = "01KBE5QR00EVENTS00000TXN02";
/// An active product, which applications go through.
pub const PRODUCT_ID: &str = "01KBBKB100EVENTSPR0DVCT00A";
/// A product no loan was made from, which `DELETE /products/{product_id}` removes.
pub const PRODUCT_TO_DELETE_ID: &str = "01KBBKB100EVENTSPR0DVCT00B";
/// The customer login of [`CLIENT_ID`], which `POST /auth/login` logs in as.
pub const CUSTOMER_USERNAME: &str = "ana.lopez";
/// Its password (dev only).
pub const CUSTOMER_PASSWORD: &str = "dev-only-password-ana-lopez";
/// A second customer login of [`CLIENT_ID`], which `DELETE /users/{username}` removes
/// and `PATCH /users/{username}` disables.
pub const USER_TO_DELETE: &str = "leaving.customer";
/// A refresh token of a login of [`CUSTOMER_USERNAME`], which `POST /auth/refresh` spends
/// and `POST /auth/logout` revokes. It has a refresh token's shape (43 base64url
/// characters) but is public: it works only against a table holding these fixtures, and
/// only once for a refresh (presenting it again revokes its login, as any spent token).
pub const REFRESH_TOKEN: &str = "dev-only-refresh-token-of-ana-lopez-0000001";

/// The fixtures' creation instant: 2025-12-01T00:00:00Z, the time in their ids.
const CREATED_MS: i64 = 1_764_547_200_000;

fn invalid(what: &str, err: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("event fixture: invalid {what}: {err}"))
}

fn at(offset_ms: i64) -> Result<Timestamp, ApiError> {
    DateTime::<Utc>::from_timestamp_millis(CREATED_MS + offset_ms)
        .map(Timestamp::from)
        .ok_or_else(|| invalid("timestamp", "out of range"))
}

fn client_id(text: &str) -> Result<ClientId, ApiError> {
    ClientId::parse(text).ok_or_else(|| invalid("client id", text))
}

fn loan_id(text: &str) -> Result<LoanId, ApiError> {
    LoanId::parse(text).ok_or_else(|| invalid("loan id", text))
}

fn client(
    id: &str,
    (first, last): (&str, &str),
    email: &str,
    document: &str,
) -> Result<Client, ApiError> {
    let details = ClientDetails {
        first_name: PersonName::parse(first).map_err(|e| invalid("first name", e))?,
        last_name: PersonName::parse(last).map_err(|e| invalid("last name", e))?,
        email: Email::parse(email).map_err(|e| invalid("email", e))?,
        document_number: DocumentNumber::parse(document).map_err(|e| invalid("document", e))?,
        phone: Some(Phone::parse("+525512345678").map_err(|e| invalid("phone", e))?),
        birth_date: NaiveDate::from_ymd_opt(1990, 1, 1)
            .ok_or_else(|| invalid("birth date", "out of range"))?,
        monthly_income: Some(
            MonthlyIncome::parse(Decimal::new(2_500_000, 2)).map_err(|e| invalid("income", e))?,
        ),
    };
    Ok(Client::new(client_id(id)?, details, at(0)?))
}

fn product(id: &str, name: &str) -> Result<Product, ApiError> {
    let terms = ProductTerms::parse(
        Currency::mxn(),
        Decimal::new(185, 1),
        (Decimal::new(100_000, 2), Decimal::new(50_000_000, 2)),
        (6, 60),
    )
    .map_err(|e| invalid("product terms", format!("{e:?}")))?;
    let id = ProductId::parse(id).ok_or_else(|| invalid("product id", id))?;
    let name = ProductName::parse(name).map_err(|e| invalid("product name", e))?;
    Ok(Product::new(id, name, terms, true, at(0)?))
}

fn loan(id: &str, client: &Client, status: Option<LoanStatus>) -> Result<Loan, ApiError> {
    let terms = LoanTerms::parse(
        Decimal::new(1_000_000, 2),
        Currency::mxn(),
        Decimal::new(12, 0),
        12,
    )
    .map_err(|e| invalid("loan terms", format!("{e:?}")))?;
    let purpose = Purpose::parse("car").map_err(|e| invalid("purpose", e))?;
    let loan = Loan::apply(loan_id(id)?, client.id(), &terms, purpose, at(86_400_000)?)
        .map_err(|e| invalid("loan", e))?;
    match status {
        Some(status) => loan
            .with_status(status, at(2 * 86_400_000)?)
            .map_err(|e| invalid("status", e)),
        None => Ok(loan),
    }
}

/// Stores [`ACTIVE_LOAN_ID`]: approved, then disbursed and repaid through the store's own
/// postings, as the API would.
async fn active_loan(store: &Store, client: &Client) -> Result<(), ApiError> {
    const DAY_MS: i64 = 86_400_000;
    let approved = loan(ACTIVE_LOAN_ID, client, Some(LoanStatus::Approved))?;
    store.create_loan(&approved, &WriteOnce::fresh()).await?;
    let disbursed_at = at(2 * DAY_MS)?;
    let active = approved
        .with_status(LoanStatus::Active, disbursed_at)
        .map_err(|e| invalid("status", e))?;
    let on = active
        .disbursed_on()
        .ok_or_else(|| invalid("loan", "no disbursed_on"))?;
    let before = Ledger {
        loan: approved,
        txns: Vec::new(),
    };
    let disbursement = before.next_txn(
        TxnType::Disbursement,
        active.amount(),
        on,
        "admin",
        disbursed_at,
    );
    let (disbursed, position) = Ledger {
        loan: active.clone(),
        txns: Vec::new(),
    }
    .with(disbursement.clone())?;
    let arrears = position.oldest_unpaid_due_date();
    store
        .post(
            &before,
            &active,
            &disbursement,
            arrears,
            &WriteOnce::fresh(),
        )
        .await?;
    let paid_at = at(33 * DAY_MS)?;
    let mut repayment = disbursed.next_txn(
        TxnType::Repayment,
        Decimal::new(50_000, 2),
        on + chrono::Days::new(31),
        "admin",
        paid_at,
    );
    repayment.id = TxnId::parse(TXN_ID).ok_or_else(|| invalid("transaction id", TXN_ID))?;
    let (_, position) = disbursed.with(repayment.clone())?;
    let repaid = active.after_posting(position.closed_on().is_some(), paid_at);
    store
        .post(
            &disbursed,
            &repaid,
            &repayment,
            position.oldest_unpaid_due_date(),
            &WriteOnce::fresh(),
        )
        .await?;
    Ok(())
}

/// Starts a login of `username` whose refresh token is [`REFRESH_TOKEN`], as
/// `POST /auth/login` would, valid for a customer's refresh lifetime from now.
async fn session(store: &Store, tokens: &TokenKeys, username: &str) -> Result<(), ApiError> {
    let account = store
        .get_account(username)
        .await?
        .ok_or_else(|| invalid("session", "its user is missing"))?;
    let expires_at = TokenKeys::now() + refresh_lifetime_secs(account.user.role());
    store
        .start_session(&account, &tokens.refresh_digest(REFRESH_TOKEN), expires_at)
        .await?;
    Ok(())
}

async fn customer(store: &Store, name: &str, client: &Client, hash: &str) -> Result<(), ApiError> {
    let username = Username::parse(name).map_err(|e| invalid("username", e))?;
    let user = User::new(username, Role::User, Some(client.id().clone()), at(0)?)
        .map_err(|e| invalid("user", e))?;
    store.create_user(&user, hash, &WriteOnce::fresh()).await?;
    Ok(())
}

/// Loads the fixtures into `store`'s table unless they are there already; says which.
/// `tokens` are the functions' keys, under which [`REFRESH_TOKEN`] is stored.
pub async fn load(store: &Store, tokens: &TokenKeys) -> Result<bool, ApiError> {
    let ana = client(
        CLIENT_ID,
        ("Ana", "López"),
        "ana.lopez@example.com",
        "LOPA900101",
    )?;
    if store.get_client(ana.id()).await?.is_some() {
        return Ok(false);
    }
    let leaving = client(
        CLIENT_TO_DELETE_ID,
        ("Bruno", "Díaz"),
        "bruno.diaz@example.com",
        "DIAB850505",
    )?;
    for client in [&ana, &leaving] {
        store.create_client(client, &WriteOnce::fresh()).await?;
    }
    for product in [
        product(PRODUCT_ID, "Personal loan")?,
        product(PRODUCT_TO_DELETE_ID, "Car loan (never used)")?,
    ] {
        store.create_product(&product, &WriteOnce::fresh()).await?;
    }
    for loan in [
        loan(LOAN_ID, &ana, None)?,
        loan(LOAN_TO_DELETE_ID, &ana, Some(LoanStatus::Cancelled))?,
    ] {
        store.create_loan(&loan, &WriteOnce::fresh()).await?;
    }
    active_loan(store, &ana).await?;
    // One hash for both logins: Argon2id is slow on purpose.
    let hash = password::hash(CUSTOMER_PASSWORD.to_owned()).await?;
    customer(store, CUSTOMER_USERNAME, &ana, &hash).await?;
    customer(store, USER_TO_DELETE, &ana, &hash).await?;
    session(store, tokens, CUSTOMER_USERNAME).await?;
    Ok(true)
}
