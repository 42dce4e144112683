//! The request parameters the shared extractors read, as `IntoParams`: a handler's
//! `#[utoipa::path(params(ClientId, IfMatch, PageRequest))]` lists the same types its
//! arguments take. Each parameter carries its `components/parameters` name in
//! [`COMPONENT`]; limits come from the code that reads it.

use serde_json::json;
use utoipa::IntoParams;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Required, Schema};

use super::common::ID_PATTERN;
use super::{COMPONENT, integer, string};
use crate::domain::ids::{ClientId, LoanId, ProductId, TxnId};
use crate::domain::user::Username;
use crate::http::idempotency::MAX_KEY_LEN;
use crate::http::{Idempotency, IfMatch, MAX_REQUEST_ID_CHARS, VisibleClient};
use crate::list::{DEFAULT_LIMIT, MAX_LIMIT, PageRequest};

/// The parameter `name` in `location`, known in `components/parameters` as `component`.
/// Path parameters are required, the others optional.
pub fn parameter(
    component: &str,
    name: &str,
    location: ParameterIn,
    description: &str,
    schema: impl Into<RefOr<Schema>>,
) -> Parameter {
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
        .extensions(Some(
            ExtensionsBuilder::new().add(COMPONENT, component).build(),
        ))
        .build()
}

/// `schema`, or the empty string: a filter left blank (`?status=`) is the same as none.
pub fn blank_or(schema: impl Into<RefOr<Schema>>) -> RefOr<Schema> {
    let blank = ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(0));
    AnyOfBuilder::new().item(schema).item(blank).into()
}

/// `X-Request-Id`, which every operation takes (see `http::request_id`).
pub fn request_id() -> Parameter {
    parameter(
        "RequestId",
        "X-Request-Id",
        ParameterIn::Header,
        &format!(
            "Correlates the request with its response and the server's logs. Echoed in the \
             response when it is 1 to {MAX_REQUEST_ID_CHARS} letters, digits, `-`, `_`, `.` \
             or `:`; otherwise (or when absent) the server picks a new one."
        ),
        string(""),
    )
}

/// Implements `IntoParams` for an extractor type with the parameters `params()` builds.
macro_rules! params {
    ($($kind:ty => $params:expr;)*) => {
        $(
            impl IntoParams for $kind {
                fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
                    $params
                }
            }
        )*
    };
}

fn client_id() -> Parameter {
    let id = string("").pattern(Some(ID_PATTERN));
    parameter(
        "ClientId",
        "client_id",
        ParameterIn::Path,
        "The client's id.",
        id,
    )
}

params! {
    ClientId => vec![client_id()];
    VisibleClient => vec![client_id()];
    LoanId => vec![parameter(
        "LoanId",
        "loan_id",
        ParameterIn::Path,
        "The loan's id.",
        string("").pattern(Some(ID_PATTERN)),
    )];
    TxnId => vec![parameter(
        "TxnId",
        "txn_id",
        ParameterIn::Path,
        "The transaction's id.",
        string("").pattern(Some(ID_PATTERN)),
    )];
    ProductId => vec![parameter(
        "ProductId",
        "product_id",
        ParameterIn::Path,
        "The product's id.",
        string("").pattern(Some(ID_PATTERN)),
    )];
    Username => vec![parameter(
        "Username",
        "username",
        ParameterIn::Path,
        "The username (case-insensitive).",
        string("").pattern(Some(format!(
            "^[A-Za-z0-9][A-Za-z0-9._-]{{{},{}}}$",
            Username::MIN_CHARS - 1,
            Username::MAX_CHARS - 1
        ))),
    )];
    IfMatch => vec![parameter(
        "IfMatch",
        "If-Match",
        ParameterIn::Header,
        "Apply the change only if the resource is still at this version: the `ETag` you \
         read (`\"3\"`), several comma-separated, or `*`. A stale or weak tag is `412` and \
         changes nothing. Without it the write is still atomic.",
        string(""),
    )];
    Idempotency => vec![parameter(
        "IdempotencyKey",
        "Idempotency-Key",
        ParameterIn::Header,
        &format!(
            "Makes a create safe to retry: 1 to {MAX_KEY_LEN} visible ASCII characters, \
             scoped to the caller and kept 24 hours. A retry with the same key and body \
             replays the first response (same status and body) and creates nothing; the same \
             key with another body is `422`; while the first request is still running, `409`."
        ),
        string("")
            .min_length(Some(1))
            .max_length(Some(MAX_KEY_LEN))
            .pattern(Some("^[!-~]+$")),
    )];
    PageRequest => vec![
        parameter(
            "Limit",
            "limit",
            ParameterIn::Query,
            "Items per page; a page holds this many whenever that many more match. Unlike \
             a filter, a blank `limit` is not the same as none: it is `400`.",
            integer(1, Some(MAX_LIMIT), "").default(Some(json!(DEFAULT_LIMIT))),
        ),
        parameter(
            "Cursor",
            "cursor",
            ParameterIn::Query,
            "The `next_cursor` of the previous page. Opaque and sealed: bound to the caller, \
             the filters and `limit` of the list that issued it; anything else is `400`.",
            string(""),
        ),
    ];
}
