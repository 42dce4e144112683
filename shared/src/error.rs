//! The one error type of the API and its mapping to RFC 9457 Problem Details.
//!
//! Every failure a handler can meet ends up as an [`ApiError`]: the store's
//! [`StoreError`]s and the domain's refusals convert into it here, with `From`, and
//! nowhere else. [`ApiError::status`] and [`ApiError::render`] are the only places that
//! decide status codes, headers and bodies. Server-side failures (5xx) keep their cause
//! chain for the logs and send the caller a generic detail only.

use std::error::Error as StdError;
use std::fmt::Write as _;
use std::sync::Arc;

use axum::response::IntoResponse;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use serde::Serialize;

pub use crate::BoxError;
use crate::domain::loan_change::ChangeError;
use crate::domain::loan_status::TransitionError;
use crate::domain::schedule::ScheduleError;
use crate::domain::user::UserError;
use crate::store::error::{StoreError, Unique};

#[cfg(feature = "openapi")]
use crate::openapi::problem as doc;

/// Seconds a caller should wait before retrying after a `503`.
pub const RETRY_AFTER_UNAVAILABLE_SECS: u64 = 1;

/// One invalid field of a request: a JSON Pointer into the body (or `#/query/<name>`)
/// and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(description = doc::FIELD_ERROR)
)]
pub struct FieldError {
    /// Where the problem is: `/email`, `/nested/0/field` (RFC 6901, `~` and `/`
    /// escaped), `#/query/limit` for a query parameter or `#/header/<name>` for a header.
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::pointer))]
    pub pointer: String,
    /// What is wrong, phrased to follow the pointer (`"must be a valid email address"`).
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::field_detail))]
    pub detail: String,
}

impl FieldError {
    /// An error on a top-level body field, e.g. `FieldError::body("email", "...")`.
    pub fn body(field: &str, detail: impl Into<String>) -> Self {
        Self {
            pointer: format!("/{}", escape_pointer(field)),
            detail: detail.into(),
        }
    }

    /// An error on a query parameter, pointed at as `#/query/<name>`.
    pub fn query(name: &str, detail: impl Into<String>) -> Self {
        Self {
            pointer: format!("#/query/{}", escape_pointer(name)),
            detail: detail.into(),
        }
    }
}

fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Everything that can go wrong while serving a request.
///
/// Each variant fixes the HTTP status (see [`ApiError::status`]); the `String` a variant
/// carries is the Problem Details `detail` and is shown to the caller, so it must never
/// hold internals. Causes that must stay private go in [`ApiError::Unavailable`] or
/// [`ApiError::Internal`], whose details are generic.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// `400`: the request cannot be read at all: a body that is empty or not JSON, an
    /// unknown or repeated query parameter, a malformed `Idempotency-Key`, or a cursor that
    /// is invalid, expired or issued for another query.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// `400`: a query parameter whose form is wrong (not a number, not a date), listed in
    /// the body's `errors` under `#/query/<name>`. A well-formed value that breaks a rule is
    /// [`ApiError::Validation`] instead.
    #[error("malformed query parameter")]
    InvalidQuery(FieldError),
    /// `401` with `WWW-Authenticate: Bearer`: no valid bearer token, or a login with a wrong
    /// username or password (the detail never says which).
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// `403`: the caller is authenticated but its role may not perform the operation (a
    /// customer on an admin-only route, or asking for a loan change other than cancelling).
    #[error("forbidden")]
    Forbidden,
    /// `404`: no such resource, a resource the caller may not see (customers get the same
    /// answer for both, so ids cannot be probed), or a path no operation serves.
    #[error("not found: {0}")]
    NotFound(String),
    /// `405` with an `Allow` header: the path exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed {
        /// The methods the path does support, in the order the `Allow` header lists them.
        allow: Vec<Method>,
    },
    /// `409`: the request clashes with the current state: a taken email, document number or
    /// username, an illegal status change, a change the loan's status forbids, a client with
    /// open loans, an `Idempotency-Key` still in use, or a concurrent write that won (retry).
    #[error("conflict: {0}")]
    Conflict(String),
    /// `412`: `If-Match` names a version that is no longer current; nothing was changed.
    #[error("precondition failed")]
    PreconditionFailed,
    /// `413`: the request body is larger than `limit`.
    #[error("payload too large")]
    PayloadTooLarge {
        /// The largest body accepted, in bytes.
        limit: usize,
    },
    /// `415`: a request with a body that does not declare `Content-Type: application/json`.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// `422`: well-formed input that breaks the rules (unknown fields included), with one
    /// [`FieldError`] per offending field in the body's `errors`.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// `429` with `Retry-After`: logins for the username are locked by the brute-force
    /// brake.
    #[error("too many requests")]
    TooManyRequests {
        /// Seconds until the lock ends, sent as `Retry-After`.
        retry_after_secs: u64,
    },
    /// `503` with `Retry-After` ([`RETRY_AFTER_UNAVAILABLE_SECS`]): DynamoDB is
    /// unreachable, too slow or throttling. The cause is logged, never sent.
    #[error("service unavailable")]
    Unavailable(#[source] BoxError),
    /// `500`: a bug or an unexpected failure. The cause is logged, never sent.
    #[error("internal error")]
    Internal(#[source] BoxError),
}

/// The RFC 9457 body.
#[derive(Debug, Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(description = doc::PROBLEM)
)]
pub(crate) struct Problem<'a> {
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::kind))]
    kind: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::title))]
    title: &'a str,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::status))]
    status: u16,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::detail))]
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::instance))]
    instance: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::request_id))]
    request_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::errors))]
    errors: Option<&'a [FieldError]>,
}

/// Base URI of the problem types this API documents.
pub const PROBLEM_BASE: &str = "https://lending.example/problems/";

impl ApiError {
    /// A single-field validation failure.
    pub fn invalid(field: &str, detail: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::body(field, detail)])
    }

    /// Wraps an unexpected failure as a 500.
    pub fn internal(err: impl Into<BoxError>) -> Self {
        Self::Internal(err.into())
    }

    /// The HTTP status this error becomes; the one place that decides it.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) | Self::InvalidQuery(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem type slug (appended to [`PROBLEM_BASE`]) and title.
    fn kind(&self) -> (&'static str, &'static str) {
        match self {
            Self::BadRequest(_) | Self::InvalidQuery(_) => ("bad-request", "Bad request"),
            Self::Unauthorized(_) => ("unauthorized", "Unauthorized"),
            Self::Forbidden => ("forbidden", "Forbidden"),
            Self::NotFound(_) => ("not-found", "Not found"),
            Self::MethodNotAllowed { .. } => ("method-not-allowed", "Method not allowed"),
            Self::Conflict(_) => ("conflict", "Conflict"),
            Self::PreconditionFailed => ("precondition-failed", "Precondition failed"),
            Self::PayloadTooLarge { .. } => ("payload-too-large", "Payload too large"),
            Self::UnsupportedMediaType => ("unsupported-media-type", "Unsupported media type"),
            Self::Validation(_) => ("validation-error", "Validation failed"),
            Self::TooManyRequests { .. } => ("too-many-requests", "Too many requests"),
            Self::Unavailable(_) => ("service-unavailable", "Service unavailable"),
            Self::Internal(_) => ("internal-error", "Internal server error"),
        }
    }

    fn detail(&self) -> String {
        match self {
            Self::BadRequest(d) | Self::Unauthorized(d) | Self::NotFound(d) | Self::Conflict(d) => {
                d.clone()
            }
            Self::InvalidQuery(error) => format!("{} {}", error.pointer, error.detail),
            Self::Forbidden => "your role may not perform this operation".into(),
            Self::MethodNotAllowed { allow } => {
                let methods: Vec<&str> = allow.iter().map(Method::as_str).collect();
                format!("this resource supports {}", methods.join(", "))
            }
            Self::PreconditionFailed => {
                "the resource has changed since you read it; fetch it again and retry with its new ETag".into()
            }
            Self::PayloadTooLarge { limit } => {
                format!("the request body exceeds {limit} bytes")
            }
            Self::UnsupportedMediaType => "the request body must be sent as application/json".into(),
            Self::Validation(errors) => match errors.as_slice() {
                [one] => format!("{} {}", one.pointer, one.detail),
                many => format!("{} fields are invalid", many.len()),
            },
            Self::TooManyRequests { .. } => "too many attempts; retry later".into(),
            Self::Unavailable(_) => "the service is temporarily unavailable; retry shortly".into(),
            Self::Internal(_) => "an unexpected error occurred".into(),
        }
    }

    /// Logs the failure (5xx with the full cause chain), once per request.
    pub fn log(&self) {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), error = %self, cause = %cause_chain(self), "request failed");
        } else {
            tracing::info!(status = status.as_u16(), error = %self, "request rejected");
        }
    }

    /// The Problem Details body; `instance` (the request path) and `request_id` are
    /// echoed when given.
    pub fn body(&self, instance: Option<&str>, request_id: Option<&str>) -> String {
        let status = self.status();
        let (slug, title) = self.kind();
        let errors = match self {
            Self::Validation(errors) => Some(errors.as_slice()),
            Self::InvalidQuery(error) => Some(std::slice::from_ref(error)),
            _ => None,
        };
        let problem = Problem {
            kind: format!("{PROBLEM_BASE}{slug}"),
            title,
            status: status.as_u16(),
            detail: self.detail(),
            instance,
            request_id,
            errors,
        };
        serde_json::to_string(&problem).unwrap_or_else(|_| {
            format!(
                r#"{{"type":"about:blank","title":"{title}","status":{}}}"#,
                status.as_u16()
            )
        })
    }

    /// The response headers this error sets: the Problem Details media type, and
    /// `WWW-Authenticate`, `Allow` or `Retry-After` where the status calls for one.
    pub fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        match self {
            Self::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::MethodNotAllowed { allow } => {
                let methods: Vec<&str> = allow.iter().map(Method::as_str).collect();
                if let Ok(value) = HeaderValue::from_str(&methods.join(", ")) {
                    headers.insert(header::ALLOW, value);
                }
            }
            Self::TooManyRequests { retry_after_secs } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            Self::Unavailable(_) => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(RETRY_AFTER_UNAVAILABLE_SECS),
                );
            }
            _ => {}
        }
        headers
    }

    /// The whole Problem Details response.
    pub fn render(
        &self,
        instance: Option<&str>,
        request_id: Option<&str>,
    ) -> http::Response<axum::body::Body> {
        let mut response =
            http::Response::new(axum::body::Body::from(self.body(instance, request_id)));
        *response.status_mut() = self.status();
        *response.headers_mut() = self.headers();
        response
    }
}

/// An error a handler returned, riding on its response until the HTTP layer
/// (`crate::http::serve`) renders it with the request's path and id and logs it.
#[derive(Debug, Clone)]
pub struct Unrendered(pub Arc<ApiError>);

impl IntoResponse for ApiError {
    fn into_response(self) -> axum::response::Response {
        let mut response = self.render(None, None);
        response.extensions_mut().insert(Unrendered(Arc::new(self)));
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Stale => {
                Self::Conflict("the resource was changed by another request; retry".into())
            }
            StoreError::Taken(Unique::Email) => {
                Self::Conflict("a client with this email already exists".into())
            }
            StoreError::Taken(Unique::DocumentNumber) => {
                Self::Conflict("a client with this document number already exists".into())
            }
            StoreError::Taken(Unique::Username) => {
                Self::Conflict("a user with this username already exists".into())
            }
            StoreError::MissingClient => Self::NotFound("no client exists with this id".into()),
            StoreError::ClientDeleting => Self::Conflict("the client is being deleted".into()),
            StoreError::PendingLimit => Self::Conflict(format!(
                "the client already has {} pending applications; one must be approved, \
                 rejected or cancelled first",
                crate::domain::loan_status::MAX_PENDING_LOANS
            )),
            StoreError::ProductInactive => {
                Self::invalid("product_id", "no active product has this id")
            }
            StoreError::LastAdmin => Self::Conflict(
                "this is the last enabled admin: it cannot be deleted, disabled or demoted".into(),
            ),
            StoreError::InUse => Self::Conflict(
                "loans were made from this product, so it cannot be deleted; retire it with \
                 `active: false`"
                    .into(),
            ),
            StoreError::ClaimLost => Self::Conflict(
                "a request with this Idempotency-Key is still being processed; retry shortly"
                    .into(),
            ),
            StoreError::Conflict => {
                Self::Conflict("a concurrent request is changing the same data; retry".into())
            }
            StoreError::Unavailable(cause) => Self::Unavailable(Box::new(cause)),
            StoreError::Internal(cause) => Self::Internal(Box::new(cause)),
        }
    }
}

impl From<ScheduleError> for ApiError {
    fn from(err: ScheduleError) -> Self {
        Self::invalid(
            "term_months",
            format!("these terms cannot be scheduled: {err}"),
        )
    }
}

impl From<TransitionError> for ApiError {
    fn from(err: TransitionError) -> Self {
        Self::Conflict(err.to_string())
    }
}

impl From<UserError> for ApiError {
    fn from(err: UserError) -> Self {
        Self::invalid("client_id", err.to_string())
    }
}

impl From<ChangeError> for ApiError {
    fn from(err: ChangeError) -> Self {
        match err {
            ChangeError::Forbidden => Self::Forbidden,
            ChangeError::CustomerFields(fields) => Self::Validation(
                fields
                    .into_iter()
                    .map(|field| FieldError::body(field, "a customer may only change the status"))
                    .collect(),
            ),
            ChangeError::TermsFixed(_)
            | ChangeError::NotForActor { .. }
            | ChangeError::PaidByRepayments => Self::Conflict(err.to_string()),
            ChangeError::Transition(transition) => transition.into(),
            ChangeError::Invalid(errors) => Self::Validation(
                errors
                    .into_iter()
                    .map(|(field, detail)| FieldError::body(field, detail))
                    .collect(),
            ),
            ChangeError::Unschedulable(schedule) => schedule.into(),
            ChangeError::FromProduct(field) => Self::invalid(field, err.to_string()),
        }
    }
}

impl From<crate::domain::ledger::PostingError> for ApiError {
    fn from(err: crate::domain::ledger::PostingError) -> Self {
        use crate::domain::ledger::PostingError;
        match err {
            PostingError::NotOpen(..) | PostingError::NotReversible(_) => {
                Self::Conflict(err.to_string())
            }
            PostingError::PaidOn(detail) => Self::invalid("paid_on", detail),
            PostingError::Amount(detail) => Self::invalid("amount", detail),
            PostingError::ExceedsPayoff { on, payoff } => Self::invalid(
                "amount",
                format!(
                    "exceeds the payoff amount of {payoff} on {on}; a repayment of exactly \
                     {payoff} pays the loan off"
                ),
            ),
            PostingError::OverpaysLater { .. } => Self::invalid("paid_on", err.to_string()),
            PostingError::NoSuchTransaction => Self::NotFound(err.to_string()),
            PostingError::Servicing(cause) => Self::internal(cause),
        }
    }
}

impl From<crate::domain::servicing::ServicingError> for ApiError {
    fn from(err: crate::domain::servicing::ServicingError) -> Self {
        Self::internal(err)
    }
}

/// Renders `err: cause: cause...` for the logs.
pub fn cause_chain(err: &(dyn StdError + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let _ = write!(out, ": {cause}");
        source = cause.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_json(
        err: &ApiError,
        instance: Option<&str>,
        request_id: Option<&str>,
    ) -> serde_json::Value {
        serde_json::from_str(&err.body(instance, request_id)).unwrap_or_default()
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let err = ApiError::internal(std::io::Error::other("secret table arn:aws:dynamodb"));
        let body = body_json(&err, None, None);
        assert_eq!(err.status(), 500);
        assert!(
            !body.to_string().contains("arn:aws"),
            "cause leaked: {body}"
        );
    }

    #[test]
    fn validation_errors_list_every_field() {
        let err = ApiError::Validation(vec![
            FieldError::body("email", "must be a valid email address"),
            FieldError::query("limit", "must be between 1 and 100"),
        ]);
        let body = body_json(&err, Some("/clients"), Some("req-1"));
        let response = err.render(Some("/clients"), Some("req-1"));
        assert_eq!(response.status(), 422);
        assert_eq!(body["errors"][0]["pointer"], "/email");
        assert_eq!(body["errors"][1]["pointer"], "#/query/limit");
        assert_eq!(body["request_id"], "req-1");
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
    }

    #[test]
    fn pointer_segments_are_escaped() {
        assert_eq!(FieldError::body("a/b~c", "x").pointer, "/a~1b~0c");
    }

    #[test]
    fn unavailable_carries_retry_after() {
        let err = ApiError::Unavailable(std::io::Error::other("timeout").into());
        let response = err.render(None, None);
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    }
}
