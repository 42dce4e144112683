//! The fields of the RFC 9457 Problem Details body every error carries, as
//! `error::Problem` and [`FieldError`] serialize it.

use utoipa::openapi::schema::{ArrayBuilder, KnownFormat};

use super::{fields, formatted, integer, reference, string};
use crate::error::{FieldError, PROBLEM_BASE};

/// The description of `Problem`.
pub const PROBLEM: &str = "An RFC 9457 Problem Details body, sent as \
    `application/problem+json` with every 4xx and 5xx. A 5xx never carries internals (no \
    database messages, no stack traces).";

/// The description of `FieldError`.
pub const FIELD_ERROR: &str = "One invalid field of a request.";

fields! {
    /// `type`.
    kind => formatted(
        KnownFormat::Uri,
        &format!(
            "URI of the problem type: `{PROBLEM_BASE}<slug>`, one slug per status \
             (`not-found`, `validation-error`...)."
        ),
    );
    /// `title`.
    title => string("Short summary of the problem type.");
    /// `status`.
    status => integer(400, Some(599), "The HTTP status code.");
    /// `detail`.
    detail => string("What went wrong with this request, for a human.");
    /// `instance`.
    instance => string("The path of the request that failed.");
    /// `request_id`.
    request_id => string("The request's `X-Request-Id`, to quote when asking for support.");
    /// `errors`.
    errors => ArrayBuilder::new()
        .items(reference::<FieldError>())
        .description(Some("One entry per invalid field; present on `422` responses only."));
    /// A field error's `pointer`.
    pointer => string(
        "JSON Pointer to the invalid field: into the request body (`/amount`; empty for \
         the body as a whole), or `#/query/<name>` for a query parameter, or \
         `#/header/<name>` for a header.",
    );
    /// A field error's `detail`.
    field_detail => string("What is wrong with it.");
}
