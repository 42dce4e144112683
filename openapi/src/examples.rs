//! Examples rendered by the API's own code: domain values built with the domain
//! constructors and serialized by their real `Serialize` impls, and problems rendered by
//! `ApiError::body`. An example therefore shows exactly what the API sends, and the
//! crate's tests check each one against its schema (and the request examples against the
//! real parsers). [`schemas`] says which schema each example illustrates.
//!
//! Ids and instants are fixed so the document is the same on every run. Each builder
//! returns `None` if a domain rule ever rejects the sample; the tests require them all.

use chrono::{DateTime, NaiveDate};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use shared::ApiError;
use shared::auth::token::TOKEN_LIFETIME_SECS;
use shared::auth::{Caller, Role};
use shared::domain::client::{Client, ClientDetails, MonthlyIncome};
use shared::domain::fields::{DocumentNumber, Email, PersonName, Phone};
use shared::domain::ids::{ClientId, LoanId};
use shared::domain::loan::{Loan, Purpose};
use shared::domain::loan_status::LoanStatus;
use shared::domain::money::Currency;
use shared::domain::schedule::LoanTerms;
use shared::domain::time::Timestamp;
use shared::domain::user::{User, Username};

/// The example client's id.
pub(crate) const CLIENT_ID: &str = "01KB3F8Q9M6T2N4R5S7V8W9X0Y";
/// The example loan's id.
pub(crate) const LOAN_ID: &str = "01KB3FA2C4E6G8J0K2M4P6R8T0";
/// The example request id.
pub(crate) const REQUEST_ID: &str = "01KB3FC5D7F9H1K3M5N7Q9S1V3";
/// An example `next_cursor` (real ones are sealed with AES-256-GCM).
pub(crate) const CURSOR: &str = "bG9uZy1vcGFxdWUtY3Vyc29yLXNlYWxlZC13aXRoLWFlcy1nY20";

fn at(rfc3339: &str) -> Option<Timestamp> {
    DateTime::parse_from_rfc3339(rfc3339)
        .ok()
        .map(|instant| Timestamp::from(instant.to_utc()))
}

fn client() -> Option<Client> {
    let details = ClientDetails {
        first_name: PersonName::parse("Ana").ok()?,
        last_name: PersonName::parse("López").ok()?,
        email: Email::parse("ana.lopez@example.com").ok()?,
        document_number: DocumentNumber::parse("LOPA900101").ok()?,
        phone: Some(Phone::parse("+525512345678").ok()?),
        birth_date: NaiveDate::from_ymd_opt(1990, 1, 1)?,
        monthly_income: Some(MonthlyIncome::parse(Decimal::new(25_000, 0)).ok()?),
    };
    Some(Client::new(
        ClientId::parse(CLIENT_ID)?,
        details,
        at("2026-11-27T10:15:00Z")?,
    ))
}

fn loan_terms() -> Option<LoanTerms> {
    LoanTerms::parse(
        Decimal::new(10_000, 0),
        Currency::mxn(),
        Decimal::new(12, 0),
        12,
    )
    .ok()
}

fn loan() -> Option<Loan> {
    let purpose = Purpose::parse("car").ok()?;
    let loan = Loan::apply(
        LoanId::parse(LOAN_ID)?,
        &ClientId::parse(CLIENT_ID)?,
        &loan_terms()?,
        purpose,
        at("2026-11-27T10:20:00Z")?,
    )
    .ok()?;
    loan.with_status(LoanStatus::Approved, at("2026-11-28T09:00:00Z")?)
        .ok()
}

fn user() -> Option<User> {
    User::new(
        Username::parse("ana").ok()?,
        Role::User,
        Some(ClientId::parse(CLIENT_ID)?),
        at("2026-11-27T10:30:00Z")?,
    )
    .ok()
}

/// A client as the API returns it.
pub(crate) fn client_json() -> Option<Value> {
    serde_json::to_value(client()?).ok()
}

/// A loan as the API returns it (approved, so one status timestamp is set).
pub(crate) fn loan_json() -> Option<Value> {
    serde_json::to_value(loan()?).ok()
}

/// The schedule of the example loan (`Some(id)`) or of a quote for its terms (`None`).
pub(crate) fn schedule_json(loan_id: Option<&str>) -> Option<Value> {
    let start = NaiveDate::from_ymd_opt(2026, 11, 28)?;
    let schedule = shared::domain::schedule::build(&loan_terms()?, start).ok()?;
    let mut value = serde_json::to_value(schedule).ok()?;
    value
        .as_object_mut()?
        .insert("loan_id".into(), json!(loan_id));
    Some(value)
}

/// A customer login as the API returns it.
pub(crate) fn user_json() -> Option<Value> {
    serde_json::to_value(user()?).ok()
}

/// `GET /auth/me` for the example customer.
pub(crate) fn me_json() -> Option<Value> {
    serde_json::to_value(Caller::from(&user()?)).ok()
}

/// A login's answer (the tokens themselves are made up).
pub(crate) fn token_json() -> Value {
    json!({
        "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbmEifQ.c2lnbmF0dXJl",
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME_SECS,
        "refresh_token": "q3Zx0m3bWl9Yc8oKfE2tH7uJ1sN5rV6aG4dP0iL2yTw",
        "refresh_expires_in": shared::auth::token::CUSTOMER_REFRESH_SECS,
    })
}

/// A page holding one `item` and a cursor to the next page.
pub(crate) fn page_json(item: Option<Value>) -> Option<Value> {
    Some(json!({"items": [item?], "next_cursor": CURSOR}))
}

/// The example of each component schema that has one, by schema name: responses as the
/// serializers render them, requests as a caller would write them.
pub(crate) fn schemas() -> Vec<(&'static str, Option<Value>)> {
    vec![
        (
            "FieldError",
            Some(json!({"pointer": "/amount", "detail": "must be greater than 0"})),
        ),
        ("Client", client_json()),
        ("ClientPage", page_json(client_json())),
        (
            "ClientInput",
            Some(json!({
                "first_name": "Ana",
                "last_name": "López",
                "email": "ana.lopez@example.com",
                "document_number": "LOPA900101",
                "phone": "+525512345678",
                "birth_date": "1990-01-01",
                "monthly_income": "25000.00",
            })),
        ),
        (
            "ClientPatch",
            Some(json!({"phone": "+525598765432", "monthly_income": null})),
        ),
        ("Loan", loan_json()),
        ("LoanPage", page_json(loan_json())),
        (
            "LoanInput",
            Some(json!({
                "amount": "10000.00",
                "annual_interest_rate": "12",
                "term_months": 12,
                "purpose": "car",
            })),
        ),
        ("LoanPatch", Some(json!({"status": "approved"}))),
        (
            "QuoteInput",
            Some(json!({"amount": "10000.00", "annual_interest_rate": "12", "term_months": 12})),
        ),
        ("Schedule", schedule_json(Some(LOAN_ID))),
        (
            "Credentials",
            Some(json!({"username": "admin", "password": "correct-horse-battery"})),
        ),
        ("TokenPair", Some(token_json())),
        (
            "RefreshRequest",
            Some(json!({"refresh_token": "q3Zx0m3bWl9Yc8oKfE2tH7uJ1sN5rV6aG4dP0iL2yTw"})),
        ),
        (
            "PasswordChange",
            Some(json!({"current_password": "quiet-harbour-lantern-42",
                "new_password": "a brand new passphrase"})),
        ),
        ("UserChange", Some(json!({"disabled": true}))),
        ("Me", me_json()),
        ("User", user_json()),
        ("UserPage", page_json(user_json())),
        (
            "NewAdmin",
            Some(
                json!({"username": "ops", "password": "a-long-admin-passphrase", "role": "admin"}),
            ),
        ),
        (
            "NewCustomer",
            Some(json!({
                "username": "ana",
                "password": "quiet-harbour-lantern-42",
                "role": "user",
                "client_id": CLIENT_ID,
            })),
        ),
    ]
}

/// The example of a success response whose body differs from its schema's example.
pub(crate) fn response(operation_id: &str, status: &str) -> Option<Value> {
    match (operation_id, status) {
        ("createQuote", "200") => schedule_json(None),
        _ => None,
    }
}

/// The Problem Details body `error` renders for a request to `instance`.
pub(crate) fn problem_json(error: ApiError, instance: &str) -> Option<Value> {
    serde_json::from_str(&error.body(Some(instance), Some(REQUEST_ID))).ok()
}
