//! Schemas every resource shares: identifiers, timestamps, money and currencies, and the
//! RFC 9457 Problem Details body of every error.

use serde_json::json;
use shared::error::PROBLEM_BASE;
use utoipa::openapi::schema::{AllOfBuilder, ArrayBuilder, KnownFormat, ObjectBuilder, Schema};
use utoipa::openapi::schema::{SchemaType, Type};

use super::{formatted, integer, object, reference, string};

/// What `shared::domain::time::is_valid_id` accepts: a canonical ULID (26 Crockford base-32
/// characters, upper case, the first at most `7`).
pub(crate) const ID_PATTERN: &str = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$";

/// The fixed-width RFC 3339 form `Timestamp` renders (UTC, milliseconds, `Z`).
const TIMESTAMP_PATTERN: &str =
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$";

/// A plain non-negative decimal: digits, optionally a point and more digits.
pub(crate) const DECIMAL_PATTERN: &str = r"^(0|[1-9][0-9]*)(\.[0-9]+)?$";

/// A plain decimal above zero.
pub(crate) const POSITIVE_DECIMAL_PATTERN: &str =
    r"^([1-9][0-9]*(\.[0-9]+)?|0\.[0-9]*[1-9][0-9]*)$";

/// An identifier chosen by the server.
pub(crate) fn id(what: &str) -> ObjectBuilder {
    string(&format!(
        "{what}. Opaque and sortable by creation time, chosen by the server (today a \
         26-character ULID)."
    ))
    .pattern(Some(ID_PATTERN))
    .examples(["01KB3F8Q9M6T2N4R5S7V8W9X0Y"])
}

/// An instant, as the server renders it.
pub(crate) fn timestamp(description: &str) -> ObjectBuilder {
    formatted(
        KnownFormat::DateTime,
        &format!("{description} RFC 3339 in UTC with milliseconds, fixed width."),
    )
    .pattern(Some(TIMESTAMP_PATTERN))
}

/// The version of a resource: 1 when created, one more after each change. Its `ETag` is
/// the version in quotes.
pub(crate) fn version() -> ObjectBuilder {
    integer(
        1,
        None,
        "Version of the resource: 1 when created, one more after each change. The `ETag` \
         header carries it in quotes (`\"3\"`); send that back in `If-Match`.",
    )
}

/// An amount of money in a response: a decimal string at exactly the minor units.
pub(crate) fn money(description: &str) -> ObjectBuilder {
    string(&format!(
        "{description} A decimal string with exactly the currency's minor units \
         (`\"10000.00\"`; JPY `\"500000\"`), never a JSON number."
    ))
    .pattern(Some(DECIMAL_PATTERN))
}

/// A decimal in a request: a string holding one or a JSON number, both read exactly.
pub(crate) fn decimal_input(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Number]))
        .pattern(Some(DECIMAL_PATTERN))
        .description(Some(description))
}

/// An amount in a request: a decimal string or a JSON number, read exactly.
pub(crate) fn money_input(description: &str) -> ObjectBuilder {
    decimal_input(&format!(
        "{description} A decimal string (`\"10000.50\"`) or a JSON number (`10000.50`), \
         read exactly from the JSON text (never through floating point), with at most the \
         currency's minor units (MXN and USD 2, JPY 0, KWD 3); more is `422`."
    ))
}

/// An ISO 4217 currency code.
pub(crate) fn currency(description: &str) -> ObjectBuilder {
    string(&format!(
        "{description} An upper-case ISO 4217 code of a currency with minor units (funds \
         and metals such as `XAU` are refused)."
    ))
    .pattern(Some("^[A-Z]{3}$"))
    .examples(["MXN"])
}

/// This module's component schemas, by name.
pub(super) fn schemas() -> Vec<(&'static str, Schema)> {
    vec![
        ("FieldError", field_error()),
        ("Problem", problem()),
        ("ValidationProblem", validation_problem()),
    ]
}

fn field_error() -> Schema {
    let pointer = string(
        "JSON Pointer to the invalid field: into the request body (`/amount`; empty for \
         the body as a whole), or `#/query/<name>` for a query parameter, or \
         `#/header/<name>` for a header.",
    );
    object(
        "One invalid field of a request.",
        vec![
            ("pointer", pointer.into()),
            ("detail", string("What is wrong with it.").into()),
        ],
        &["pointer", "detail"],
        Some(json!({"pointer": "/amount", "detail": "must be greater than 0"})),
    )
    .build()
    .into()
}

fn problem() -> Schema {
    let kind = formatted(
        KnownFormat::Uri,
        &format!(
            "URI of the problem type: `{PROBLEM_BASE}<slug>`, one slug per status \
             (`not-found`, `validation-error`...)."
        ),
    );
    let errors = ArrayBuilder::new()
        .items(reference("FieldError"))
        .description(Some(
            "One entry per invalid field; present on `422` responses only.",
        ));
    object(
        "An RFC 9457 Problem Details body, sent as `application/problem+json` with every \
         4xx and 5xx. A 5xx never carries internals (no database messages, no stack traces).",
        vec![
            ("type", kind.into()),
            ("title", string("Short summary of the problem type.").into()),
            (
                "status",
                integer(400, Some(599), "The HTTP status code.").into(),
            ),
            (
                "detail",
                string("What went wrong with this request, for a human.").into(),
            ),
            (
                "instance",
                string("The path of the request that failed.").into(),
            ),
            (
                "request_id",
                string("The request's `X-Request-Id`, to quote when asking for support.").into(),
            ),
            ("errors", errors.into()),
        ],
        &["type", "title", "status", "detail"],
        None,
    )
    .build()
    .into()
}

fn validation_problem() -> Schema {
    let errors = ArrayBuilder::new()
        .items(reference("FieldError"))
        .min_items(Some(1));
    AllOfBuilder::new()
        .item(reference("Problem"))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property("errors", errors)
                .required("errors"),
        )
        .description(Some(
            "A `422` Problem Details body: well-formed JSON (or query parameters) whose \
             fields break the rules, with one `errors` entry per invalid field.",
        ))
        .build()
        .into()
}
