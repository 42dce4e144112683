//! Client schemas: the `Client` the API returns, the bodies of `POST`/`PUT` (every
//! editable field) and `PATCH` (any subset), and the page of `GET /clients`. Limits come
//! from `shared::domain::fields` and `shared::domain::client`.

use rust_decimal::prelude::ToPrimitive;
use serde_json::json;
use shared::domain::client::MonthlyIncome;
use shared::domain::fields::{BirthDate, DocumentNumber, Email, PersonName};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaType, Type};

use super::common::{id, money, money_input, timestamp, version};
use super::{closed, formatted, object, or_null, page, record, string};
use crate::examples;

/// Trimmed text with at least one visible character and no control characters.
pub(crate) const NAME_PATTERN: &str =
    r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$";

/// E.164: `+`, a country code not starting with 0, 8 to 15 digits in all.
const PHONE_PATTERN: &str = r"^\+[1-9][0-9]{7,14}$";

/// This module's component schemas, by name.
pub(super) fn schemas() -> Vec<(&'static str, Schema)> {
    vec![
        ("Client", client()),
        ("ClientInput", input()),
        ("ClientPatch", patch()),
        (
            "ClientPage",
            page("Client", examples::page_json(examples::client_json())),
        ),
    ]
}

fn name(which: &str) -> ObjectBuilder {
    string(&format!(
        "The client's {which} name: 1 to {} characters once trimmed, no control characters.",
        PersonName::MAX_CHARS
    ))
    .min_length(Some(1))
    .max_length(Some(PersonName::MAX_CHARS))
    .pattern(Some(NAME_PATTERN))
}

fn email() -> ObjectBuilder {
    formatted(
        KnownFormat::Email,
        &format!(
            "A valid email address of at most {} characters, unique among clients \
             regardless of case (another client's is `409`).",
            Email::MAX_CHARS
        ),
    )
    .max_length(Some(Email::MAX_CHARS))
}

fn document_number(letters: &str) -> ObjectBuilder {
    let (min, max) = (DocumentNumber::MIN_CHARS, DocumentNumber::MAX_CHARS);
    string(&format!(
        "National identity document number: {min} to {max} ASCII letters or digits, \
         stored upper-case, unique among clients (another client's is `409`)."
    ))
    .pattern(Some(format!("^[{letters}0-9]{{{min},{max}}}$")))
}

fn phone(kind: Type) -> ObjectBuilder {
    string("Phone number in E.164 form (`+525512345678`); optional.")
        .schema_type(or_null(kind))
        .pattern(Some(PHONE_PATTERN))
}

fn birth_date() -> ObjectBuilder {
    formatted(
        KnownFormat::Date,
        &format!(
            "Date of birth, `YYYY-MM-DD`. The client must be at least {} and younger than {}.",
            BirthDate::ADULT_AGE,
            BirthDate::MAX_AGE
        ),
    )
}

fn monthly_income_input() -> ObjectBuilder {
    money_input(&format!(
        "Monthly income in MXN, 0 to {}; optional, `null` clears it.",
        MonthlyIncome::MAX
    ))
    .schema_type(SchemaType::from_iter([
        Type::String,
        Type::Number,
        Type::Null,
    ]))
    .minimum(Some(0_usize))
    .maximum(MonthlyIncome::MAX.to_usize())
}

fn client() -> Schema {
    let income = money("Monthly income in MXN, or `null`.").schema_type(or_null(Type::String));
    record(
        "A client of the lender: a borrower, with validated personal data.",
        vec![
            ("id", id("The client's id").into()),
            ("first_name", name("first").into()),
            ("last_name", name("last").into()),
            ("email", email().into()),
            ("document_number", document_number("A-Z").into()),
            ("phone", phone(Type::String).into()),
            ("birth_date", birth_date().into()),
            ("monthly_income", income.into()),
            (
                "created_at",
                timestamp("When the client was created.").into(),
            ),
            (
                "updated_at",
                timestamp("When the client last changed.").into(),
            ),
            ("version", version().into()),
        ],
        examples::client_json(),
    )
}

fn fields() -> Vec<(&'static str, RefOr<Schema>)> {
    vec![
        ("first_name", name("first").into()),
        ("last_name", name("last").into()),
        ("email", email().into()),
        ("document_number", document_number("A-Za-z").into()),
        ("phone", phone(Type::String).into()),
        ("birth_date", birth_date().into()),
        ("monthly_income", monthly_income_input().into()),
    ]
}

fn input() -> Schema {
    closed(object(
        "Every editable field of a client, for `POST /clients` and `PUT \
             /clients/{client_id}`. On `PUT`, an optional field left out is cleared. Unknown \
             fields are `422`.",
        fields(),
        &[
            "first_name",
            "last_name",
            "email",
            "document_number",
            "birth_date",
        ],
        Some(json!({
            "first_name": "Ana",
            "last_name": "López",
            "email": "ana.lopez@example.com",
            "document_number": "LOPA900101",
            "phone": "+525512345678",
            "birth_date": "1990-01-01",
            "monthly_income": "25000.00",
        })),
    ))
}

fn patch() -> Schema {
    closed(object(
        "Any subset of a client's editable fields, for `PATCH /clients/{client_id}`: a \
         field left out keeps its value; `null` clears `phone` or `monthly_income` (and is \
         `422` for the required fields). Unknown fields are `422`.",
        fields(),
        &[],
        Some(json!({"phone": "+525598765432", "monthly_income": null})),
    ))
}
