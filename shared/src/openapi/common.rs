//! Schemas every resource shares: identifiers, timestamps, versions, money and currencies,
//! each a builder that a field's schema function describes further.

use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Type};

use super::{formatted, integer, string};

/// What `ClientId::parse` and `LoanId::parse` accept: a canonical ULID (26 Crockford
/// base-32 characters, upper case, the first at most `7`).
pub const ID_PATTERN: &str = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$";

/// The fixed-width RFC 3339 form `Timestamp` renders (UTC, milliseconds, `Z`).
const TIMESTAMP_PATTERN: &str =
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$";

/// A plain non-negative decimal: digits, optionally a point and more digits.
pub const DECIMAL_PATTERN: &str = r"^(0|[1-9][0-9]*)(\.[0-9]+)?$";

/// A plain decimal above zero.
pub const POSITIVE_DECIMAL_PATTERN: &str = r"^([1-9][0-9]*(\.[0-9]+)?|0\.[0-9]*[1-9][0-9]*)$";

/// An identifier chosen by the server.
pub fn id(what: &str) -> ObjectBuilder {
    string(&format!(
        "{what}. Opaque and sortable by creation time, chosen by the server (today a \
         26-character ULID)."
    ))
    .pattern(Some(ID_PATTERN))
    .examples(["01KB3F8Q9M6T2N4R5S7V8W9X0Y"])
}

/// An identifier, or `null`.
pub fn optional_id(what: &str) -> ObjectBuilder {
    id(what).schema_type(super::or_null(Type::String))
}

/// An instant, as the server renders it.
pub fn timestamp(description: &str) -> ObjectBuilder {
    formatted(
        KnownFormat::DateTime,
        &format!("{description} RFC 3339 in UTC with milliseconds, fixed width."),
    )
    .pattern(Some(TIMESTAMP_PATTERN))
}

/// An instant, or `null`.
pub fn optional_timestamp(description: &str) -> ObjectBuilder {
    timestamp(description).schema_type(super::or_null(Type::String))
}

/// The version of a resource: 1 when created, one more after each change. Its `ETag` is
/// the version in quotes.
pub fn version() -> ObjectBuilder {
    integer(
        1,
        None,
        "Version of the resource: 1 when created, one more after each change. The `ETag` \
         header carries it in quotes (`\"3\"`); send that back in `If-Match`.",
    )
}

/// An amount of money in a response: a decimal string at exactly the minor units.
pub fn money(description: &str) -> ObjectBuilder {
    string(&format!(
        "{description} A decimal string with exactly the currency's minor units \
         (`\"10000.00\"`; JPY `\"500000\"`), never a JSON number."
    ))
    .pattern(Some(DECIMAL_PATTERN))
}

/// A decimal in a request: always a string (a JSON number is `422`), read exactly. Its
/// bounds are in the description: JSON Schema's `minimum` and `maximum` apply to numbers
/// only.
pub fn decimal_input(description: &str) -> ObjectBuilder {
    string(description).pattern(Some(DECIMAL_PATTERN))
}

/// An amount in a request: a decimal string, read exactly.
pub fn money_input(description: &str) -> ObjectBuilder {
    decimal_input(&format!(
        "{description} A decimal string (`\"10000.50\"`), read exactly (never through \
         floating point), with at most the currency's minor units (MXN and USD 2, JPY 0, \
         KWD 3); more is `422`. A JSON number is `422`: many clients turn numbers into \
         binary floats, which cannot hold most decimal amounts exactly."
    ))
}

/// An ISO 4217 currency code.
pub fn currency(description: &str) -> ObjectBuilder {
    string(&format!(
        "{description} An upper-case ISO 4217 code of a currency with minor units (funds \
         and metals such as `XAU` are refused)."
    ))
    .pattern(Some("^[A-Z]{3}$"))
    .examples(["MXN"])
}
