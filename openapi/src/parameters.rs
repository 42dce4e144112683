//! Reusable parameters (`components/parameters`): path ids, pagination, list filters and
//! the request headers. Limits come from the code that reads each one (`shared::list`,
//! `shared::domain`, the list handlers' filters).

use serde_json::json;
use shared::domain::fields::{DocumentNumber, Email, PersonName};
use shared::domain::user::Username;
use shared::list::{DEFAULT_LIMIT, MAX_LIMIT};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::KnownFormat;
use utoipa::openapi::{Ref, RefOr, Required, Schema};

use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Type};

use crate::schemas::{ID_PATTERN, formatted, integer, reference, string};

/// The body of [`ID_PATTERN`], without its anchors.
const ID_BODY: &str = "[0-7][0-9A-HJKMNP-TV-Z]{25}";

/// A plain non-negative decimal (digits, optionally a point and more digits), or nothing.
const BLANK_OR_DECIMAL_PATTERN: &str = r"^([0-9]+(\.[0-9]+)?)?$";

/// The longest decimal filter, as `loans::wire::MAX_DECIMAL_PARAMETER_CHARS` reads it.
const MAX_DECIMAL_PARAMETER_CHARS: usize = 28;

/// `schema`, or the empty string: a filter left blank (`?status=`) is the same as none.
fn blank_or(schema: RefOr<Schema>) -> RefOr<Schema> {
    let blank = ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(0));
    AnyOfBuilder::new().item(schema).item(blank).into()
}

/// `#/components/parameters/<name>`.
pub(crate) fn parameter(name: &str) -> Ref {
    Ref::new(format!("#/components/parameters/{name}"))
}

fn build(
    name: &str,
    location: ParameterIn,
    description: &str,
    schema: impl Into<RefOr<Schema>>,
) -> RefOr<Parameter> {
    let required = match location {
        ParameterIn::Path => Required::True,
        _ => Required::False,
    };
    ParameterBuilder::new()
        .name(name)
        .parameter_in(location)
        .required(required)
        .description(Some(description))
        .schema(Some(schema))
        .build()
        .into()
}

/// Every reusable parameter, by component name.
pub(crate) fn parameters() -> Vec<(String, RefOr<Parameter>)> {
    use ParameterIn::{Header, Path, Query};
    let id = || string("").pattern(Some(ID_PATTERN));
    let username = string("").pattern(Some(format!(
        "^[A-Za-z0-9][A-Za-z0-9._-]{{{},{}}}$",
        Username::MIN_CHARS - 1,
        Username::MAX_CHARS - 1
    )));
    let amount = |bound: &str| {
        build(
            &format!("{bound}_amount"),
            Query,
            &format!(
                "Only loans whose amount is at {bound}imum this (a plain decimal); blank is \
                 the same as none."
            ),
            string("")
                .pattern(Some(BLANK_OR_DECIMAL_PATTERN))
                .max_length(Some(MAX_DECIMAL_PARAMETER_CHARS)),
        )
    };
    let created = |name: &str, side: &str| {
        build(
            name,
            Query,
            &format!(
                "Only loans created on or {side} this day (UTC), inclusive; blank is the \
                 same as none."
            ),
            blank_or(formatted(KnownFormat::Date, "").into()),
        )
    };
    let bounded = |name: &str, max: usize, rule: &str| {
        build(name, Query, rule, string("").max_length(Some(max)))
    };
    [
        (
            "RequestId",
            build(
                "X-Request-Id",
                Header,
                "Correlates the request with its response and the server's logs. Echoed in the \
             response when it is 1 to 128 letters, digits, `-`, `_`, `.` or `:`; otherwise \
             (or when absent) the server picks a new one.",
                string(""),
            ),
        ),
        (
            "IfMatch",
            build(
                "If-Match",
                Header,
                "Apply the change only if the resource is still at this version: the `ETag` \
             you read (`\"3\"`), several comma-separated, or `*`. A stale or weak tag is \
             `412` and changes nothing. Without it the write is still atomic.",
                string(""),
            ),
        ),
        (
            "IdempotencyKey",
            build(
                "Idempotency-Key",
                Header,
                "Makes a create safe to retry: 1 to 255 visible ASCII characters, scoped to the \
             caller and kept 24 hours. A retry with the same key and body replays the first \
             response (same status and body) and creates nothing; the same key with another \
             body is `422`; while the first request is still running, `409`.",
                string("")
                    .min_length(Some(1))
                    .max_length(Some(255))
                    .pattern(Some("^[!-~]+$")),
            ),
        ),
        (
            "Limit",
            build(
                "limit",
                Query,
                "Items per page; a page holds this many whenever that many more match.",
                integer(1, Some(MAX_LIMIT), "").default(Some(json!(DEFAULT_LIMIT))),
            ),
        ),
        (
            "Cursor",
            build(
                "cursor",
                Query,
                "The `next_cursor` of the previous page. Opaque and sealed: bound to the caller, \
             the filters and `limit` of the list that issued it; anything else is `400`.",
                string(""),
            ),
        ),
        (
            "ClientId",
            build("client_id", Path, "The client's id.", id()),
        ),
        ("LoanId", build("loan_id", Path, "The loan's id.", id())),
        (
            "Username",
            build(
                "username",
                Path,
                "The username (case-insensitive).",
                username,
            ),
        ),
        (
            "EmailFilter",
            bounded(
                "email",
                Email::MAX_CHARS,
                "Only the client with this email (exact, case-insensitive).",
            ),
        ),
        (
            "DocumentNumberFilter",
            bounded(
                "document_number",
                DocumentNumber::MAX_CHARS,
                "Only the client with this document number (exact, case-insensitive).",
            ),
        ),
        (
            "NameFilter",
            bounded(
                "name",
                PersonName::MAX_CHARS,
                "Only clients whose first or last name contains this (case-insensitive).",
            ),
        ),
        (
            "StatusFilter",
            build(
                "status",
                Query,
                "Only loans in this status; blank is the same as none.",
                blank_or(reference("LoanStatus")),
            ),
        ),
        (
            "ClientIdFilter",
            build(
                "client_id",
                Query,
                "Only this client's loans (a customer always sees only its own: another client \
             gives an empty page); blank is the same as none.",
                string("").pattern(Some(format!("^({})?$", ID_BODY))),
            ),
        ),
        ("MinAmount", amount("min")),
        ("MaxAmount", amount("max")),
        ("CreatedFrom", created("created_from", "after")),
        ("CreatedTo", created("created_to", "before")),
    ]
    .into_iter()
    .map(|(name, parameter)| (name.to_owned(), parameter))
    .collect()
}
