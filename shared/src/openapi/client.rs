//! The fields of a client: of [`Client`](crate::domain::client::Client) as the API returns
//! it, and of the body that creates or changes one (`clients::wire::ClientInput`). Limits
//! come from `domain::fields` and `domain::client`.

use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Type};

use super::common::{id, money, money_input, timestamp};
use super::{fields, formatted, or_null, string};
use crate::domain::client::MonthlyIncome;
use crate::domain::fields::{BirthDate, DocumentNumber, Email, PersonName};

/// Text with at least one visible character and no control or bidirectional control
/// characters (`domain::fields::check_text`; the invisible characters listed are those of
/// `is_invisible` in the Basic Multilingual Plane).
pub const NAME_PATTERN: &str = concat!(
    r"^[^\x00-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]*",
    r"[^\s\x00-\x1F\x7F-\x9F\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F",
    r"\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF0-\uFFF8]",
    r"[^\x00-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]*$"
);

/// E.164: `+`, a country code not starting with 0, 8 to 15 digits in all.
const PHONE_PATTERN: &str = r"^\+[1-9][0-9]{7,14}$";

fn name(which: &str) -> ObjectBuilder {
    string(&format!(
        "The client's {which} name: 1 to {} characters once trimmed, something visible once \
         invisible characters (zero-width spaces and joiners...) are set aside, no control or \
         bidirectional control characters.",
        PersonName::MAX_CHARS
    ))
    .min_length(Some(1))
    .max_length(Some(PersonName::MAX_CHARS))
    .pattern(Some(NAME_PATTERN))
}

fn document_number(letters: &str) -> ObjectBuilder {
    let (min, max) = (DocumentNumber::MIN_CHARS, DocumentNumber::MAX_CHARS);
    string(&format!(
        "National identity document number: {min} to {max} ASCII letters or digits, \
         stored upper-case, unique among clients (another client's is `409`)."
    ))
    .pattern(Some(format!("^[{letters}0-9]{{{min},{max}}}$")))
}

fields! {
    /// `id`.
    client_id => id("The client's id");
    /// `first_name`.
    first_name => name("first");
    /// `last_name`.
    last_name => name("last");
    /// `email`.
    email => formatted(
        KnownFormat::Email,
        &format!(
            "A valid email address of at most {} characters, unique among clients \
             regardless of case (another client's is `409`).",
            Email::MAX_CHARS
        ),
    )
    .max_length(Some(Email::MAX_CHARS));
    /// `document_number` as stored (upper case).
    document_number_stored => document_number("A-Z");
    /// `document_number` as sent (either case).
    document_number_sent => document_number("A-Za-z");
    /// `phone`.
    phone => string("Phone number in E.164 form (`+525512345678`); optional.")
        .schema_type(or_null(Type::String))
        .pattern(Some(PHONE_PATTERN));
    /// `birth_date`.
    birth_date => formatted(
        KnownFormat::Date,
        &format!(
            "Date of birth, `YYYY-MM-DD`. The client must be at least {} and younger than {}.",
            BirthDate::ADULT_AGE,
            BirthDate::MAX_AGE
        ),
    );
    /// `monthly_income` as the API returns it.
    monthly_income => money("Monthly income in MXN, or `null`.").schema_type(or_null(Type::String));
    /// `monthly_income` as sent: a string or a number, read exactly.
    monthly_income_sent => money_input(&format!(
        "Monthly income in MXN, 0 to {}; optional, `null` clears it.",
        MonthlyIncome::MAX
    ))
    .schema_type(or_null(Type::String));
    /// `created_at`.
    created_at => timestamp("When the client was created.");
    /// `updated_at`.
    updated_at => timestamp("When the client last changed.");
}
