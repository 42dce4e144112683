//! Reusable response headers (`components/headers`) and the ones every response carries.

use serde_json::json;
use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Type};
use utoipa::openapi::{Ref, RefOr};

use crate::examples;
use shared::http::MAX_REQUEST_ID_CHARS;
use shared::openapi::{formatted, string};

/// `#/components/headers/<name>`.
pub(crate) fn header(name: &str) -> Ref {
    Ref::new(format!("#/components/headers/{name}"))
}

fn response_header(
    description: &str,
    schema: ObjectBuilder,
    example: serde_json::Value,
) -> RefOr<Header> {
    HeaderBuilder::new()
        .schema(Some(schema))
        .description(Some(description))
        .example(Some(example))
        .build()
        .into()
}

/// Every reusable response header, by name.
pub(crate) fn headers() -> Vec<(String, RefOr<Header>)> {
    let seconds = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(0_usize));
    [
        (
            "X-Request-Id",
            response_header(
                "The request's id: the caller's `X-Request-Id` when it was sane, else a new one.",
                string("").pattern(Some(format!(
                    "^[A-Za-z0-9._:-]{{1,{MAX_REQUEST_ID_CHARS}}}$"
                ))),
                json!(examples::REQUEST_ID),
            ),
        ),
        (
            "Cache-Control",
            response_header(
                "Responses are never cached.",
                string("").enum_values(Some(["no-store"])),
                json!("no-store"),
            ),
        ),
        (
            "X-Content-Type-Options",
            response_header(
                "Responses are never content-sniffed.",
                string("").enum_values(Some(["nosniff"])),
                json!("nosniff"),
            ),
        ),
        (
            "Idempotent-Replayed",
            response_header(
                "`true` when this response replays the first response to a request with the \
                 same `Idempotency-Key` (nothing was created this time); absent otherwise.",
                string("").enum_values(Some(["true"])),
                json!("true"),
            ),
        ),
        (
            "ETag",
            response_header(
                "The resource's version in quotes; send it back in `If-Match`.",
                string("").pattern(Some("^\"[0-9]+\"$")),
                json!("\"1\""),
            ),
        ),
        (
            "Location",
            response_header(
                "The path of the new resource.",
                formatted(KnownFormat::UriReference, ""),
                json!(format!("/clients/{}", examples::CLIENT_ID)),
            ),
        ),
        (
            "Retry-After",
            response_header("Seconds to wait before retrying.", seconds, json!(1)),
        ),
        (
            "WWW-Authenticate",
            response_header(
                "The authentication scheme to use.",
                string(""),
                json!("Bearer"),
            ),
        ),
    ]
    .into_iter()
    .map(|(name, header)| (name.to_owned(), header))
    .collect()
}

/// A reference to the reusable header `name`, if there is one.
pub(crate) fn reference(name: &str) -> Option<RefOr<Header>> {
    headers()
        .iter()
        .any(|(known, _)| known == name)
        .then(|| RefOr::Ref(header(name)))
}

/// `response` with the headers every response carries.
pub(crate) fn standard_headers(response: ResponseBuilder) -> ResponseBuilder {
    ["X-Request-Id", "Cache-Control", "X-Content-Type-Options"]
        .into_iter()
        .fold(response, |response, name| {
            response.header_ref(name, header(name))
        })
}
