//! The error responses (`components/responses`): one per status an operation can answer,
//! each an `application/problem+json` body with the headers that status carries. The
//! contract's `405` is not among them: it answers a method a path does not serve, which
//! no operation can declare, so each path's description names its `Allow` list instead
//! (a response component no operation refers to would only mislead generated clients). The
//! status codes and example bodies come from `shared::error::ApiError` itself: each
//! response renders a sample error through `ApiError::body`. The `Problem` schema is
//! derived on the body's type; `ValidationProblem` (the same body with `errors` always
//! there) has no type of its own, so it is built here.

use std::io;

use rust_decimal::Decimal;
use shared::domain::money::Currency;
use shared::domain::schedule::LoanTerms;
use shared::http::body::MAX_BODY_BYTES;
use shared::openapi::{named, reference};
use shared::{ApiError, FieldError};
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{AllOfBuilder, ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};

use crate::examples::{self, CLIENT_ID};
use crate::headers::{header, standard_headers};

/// An error response an operation can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Problem {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    PreconditionFailed,
    PayloadTooLarge,
    UnsupportedMediaType,
    Validation,
    TooManyRequests,
    Internal,
    Unavailable,
}

impl Problem {
    const ALL: [Self; 12] = [
        Self::BadRequest,
        Self::Unauthorized,
        Self::Forbidden,
        Self::NotFound,
        Self::Conflict,
        Self::PreconditionFailed,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::Validation,
        Self::TooManyRequests,
        Self::Internal,
        Self::Unavailable,
    ];

    /// A sample of the error, as a handler would raise it, and the path it failed on.
    fn sample(self) -> (ApiError, String) {
        let clients = "/clients".to_owned();
        match self {
            Self::BadRequest => (
                ApiError::BadRequest(
                    "the request body is not valid JSON (line 1, column 15)".into(),
                ),
                clients,
            ),
            Self::Unauthorized => (
                ApiError::Unauthorized("a valid bearer token is required".into()),
                clients,
            ),
            Self::Forbidden => (ApiError::Forbidden, clients),
            Self::NotFound => (
                ApiError::NotFound("no client exists with this id".into()),
                format!("/clients/{CLIENT_ID}"),
            ),
            Self::Conflict => (
                ApiError::Conflict("a client with this email already exists".into()),
                clients,
            ),
            Self::PreconditionFailed => (
                ApiError::PreconditionFailed,
                format!("/clients/{CLIENT_ID}"),
            ),
            Self::PayloadTooLarge => (
                ApiError::PayloadTooLarge {
                    limit: MAX_BODY_BYTES,
                },
                clients,
            ),
            Self::UnsupportedMediaType => (ApiError::UnsupportedMediaType, clients),
            Self::Validation => (invalid_quote(), "/quotes".into()),
            Self::TooManyRequests => (
                ApiError::TooManyRequests {
                    retry_after_secs: 600,
                },
                "/auth/login".into(),
            ),
            Self::Internal => (ApiError::internal(io::Error::other("example")), clients),
            Self::Unavailable => (
                ApiError::Unavailable(Box::new(io::Error::other("example"))),
                clients,
            ),
        }
    }

    /// The status code, as `ApiError` maps the sample.
    pub(crate) fn status(self) -> u16 {
        self.sample().0.status().as_u16()
    }

    /// The problem answered with `status`.
    pub(crate) fn of_status(status: u16) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|problem| problem.status() == status)
    }

    /// The name under `components/responses`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::BadRequest => "BadRequest",
            Self::Unauthorized => "Unauthorized",
            Self::Forbidden => "Forbidden",
            Self::NotFound => "NotFound",
            Self::Conflict => "Conflict",
            Self::PreconditionFailed => "PreconditionFailed",
            Self::PayloadTooLarge => "PayloadTooLarge",
            Self::UnsupportedMediaType => "UnsupportedMediaType",
            Self::Validation => "ValidationFailed",
            Self::TooManyRequests => "TooManyRequests",
            Self::Internal => "InternalError",
            Self::Unavailable => "ServiceUnavailable",
        }
    }

    /// When the API answers with this status, in general (operations say more).
    fn description(self) -> String {
        match self {
            Self::BadRequest => "Malformed JSON, a bad query string (an unknown or repeated \
                parameter), or a bad, edited or foreign pagination cursor."
                .into(),
            Self::Unauthorized => "The token is missing, malformed, expired or forged.".into(),
            Self::Forbidden => "Authenticated, but the role may not call this operation.".into(),
            Self::NotFound => "No such resource, or one the caller may not see (its \
                existence is never revealed)."
                .into(),
            Self::Conflict => "A uniqueness clash, an illegal state change, a delete \
                blocked by dependants, or an idempotent request still in progress."
                .into(),
            Self::PreconditionFailed => "`If-Match` does not match the current version; \
                nothing changed. Read the resource again and retry with its new `ETag`."
                .into(),
            Self::PayloadTooLarge => format!("The body exceeds {MAX_BODY_BYTES} bytes."),
            Self::UnsupportedMediaType => {
                "The body was not sent as `Content-Type: application/json`.".into()
            }
            Self::Validation => "Well-formed JSON (or query parameters) whose fields break \
                the rules; `errors` has one entry per invalid field."
                .into(),
            Self::TooManyRequests => "Too many failed logins for this username: wait \
                `Retry-After` seconds."
                .into(),
            Self::Internal => "An unexpected failure; the body reveals nothing of it.".into(),
            Self::Unavailable => "The database is unavailable or throttling after retries: \
                retry after `Retry-After` seconds."
                .into(),
        }
    }

    /// Headers this status carries besides the ones every response has.
    fn headers(self) -> &'static [&'static str] {
        match self {
            Self::Unauthorized => &["WWW-Authenticate"],
            Self::TooManyRequests | Self::Unavailable => &["Retry-After"],
            _ => &[],
        }
    }

    /// A reference to this response, described for one operation when `why` is given.
    pub(crate) fn reference(self, why: Option<String>) -> RefOr<Response> {
        let mut reference = Ref::from_response_name(self.name());
        if let Some(why) = why {
            reference.description = why;
        }
        RefOr::Ref(reference)
    }

    fn response(self) -> Response {
        let schema = match self {
            Self::Validation => "ValidationProblem",
            _ => "Problem",
        };
        let (error, instance) = self.sample();
        let content = ContentBuilder::new()
            .schema(Some(named(schema)))
            .example(examples::problem_json(error, &instance))
            .build();
        let mut response = standard_headers(ResponseBuilder::new())
            .description(self.description())
            .content("application/problem+json", content);
        for name in self.headers() {
            response = response.header_ref(*name, header(name));
        }
        response.build()
    }
}

/// A validation failure as `LoanTerms` reports it, for the `422` example.
fn invalid_quote() -> ApiError {
    let failures = LoanTerms::parse(Decimal::ZERO, Currency::mxn(), Decimal::new(12, 0), 0)
        .err()
        .unwrap_or_default();
    ApiError::Validation(
        failures
            .into_iter()
            .map(|(field, detail)| FieldError::body(field, detail))
            .collect(),
    )
}

/// Every error response, by component name.
pub(crate) fn responses() -> Vec<(String, RefOr<Response>)> {
    Problem::ALL
        .into_iter()
        .map(|problem| (problem.name().to_owned(), RefOr::T(problem.response())))
        .collect()
}

/// `ValidationProblem`: a `422` body, whose `errors` are never missing nor empty.
pub(crate) fn validation_problem() -> (String, RefOr<Schema>) {
    let errors = ArrayBuilder::new()
        .items(reference::<FieldError>())
        .min_items(Some(1));
    let schema = AllOfBuilder::new()
        .item(named("Problem"))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property("errors", errors)
                .required("errors"),
        )
        .description(Some(
            "A `422` Problem Details body: well-formed JSON (or query parameters) whose \
             fields break the rules, with one `errors` entry per invalid field.",
        ));
    ("ValidationProblem".to_owned(), schema.into())
}
