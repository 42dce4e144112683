//! HTTP glue shared by the functions: the [`serve`] wrapper every request passes through
//! (request id, logging, error rendering) and small builders for success responses.

use std::future::Future;
use std::time::Instant;

use http::{HeaderName, HeaderValue, StatusCode, header};
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use tracing::Instrument as _;

use crate::error::ApiError;

pub mod body;
pub mod conditional;
pub mod query;
pub mod route;

pub use body::parse_json;
pub use conditional::{IfMatch, etag};
pub use query::Query;
pub use route::segments;

/// The header that correlates a request across the caller, the logs and the response.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The caller's request id when it is a sane token, otherwise a new one.
pub fn request_id(request: &Request) -> String {
    request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .filter(|id| {
            (1..=128).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map_or_else(crate::domain::time::new_id, str::to_owned)
}

/// Runs `handler` inside a span carrying the request id, renders its error (if any) as
/// Problem Details, and stamps `X-Request-Id` on the response.
pub async fn serve<F, Fut>(request: Request, handler: F) -> Response<Body>
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Result<Response<Body>, ApiError>>,
{
    let id = request_id(&request);
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let span = tracing::info_span!("request", request_id = %id, %method, %path);
    async move {
        let started = Instant::now();
        let mut response = match handler(request).await {
            Ok(response) => response,
            Err(err) => err.into_response(Some(&path), Some(&id)),
        };
        if let Ok(value) = HeaderValue::from_str(&id) {
            response.headers_mut().insert(REQUEST_ID.clone(), value);
        }
        let headers = response.headers_mut();
        // Financial data must not be cached, nor sniffed into another content type.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
            "served"
        );
        response
    }
    .instrument(span)
    .await
}

/// A JSON response.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Result<Response<Body>, ApiError> {
    let body = serde_json::to_string(value).map_err(ApiError::internal)?;
    let mut response = Response::new(Body::Text(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

/// A single resource with its `ETag`.
pub fn resource<T: Serialize>(
    status: StatusCode,
    value: &T,
    version: u64,
) -> Result<Response<Body>, ApiError> {
    let mut response = json(status, value)?;
    response.headers_mut().insert(header::ETAG, etag(version));
    Ok(response)
}

/// `201 Created` with `Location` and `ETag`.
pub fn created<T: Serialize>(
    location: &str,
    value: &T,
    version: u64,
) -> Result<Response<Body>, ApiError> {
    let mut response = resource(StatusCode::CREATED, value, version)?;
    let location = HeaderValue::from_str(location).map_err(ApiError::internal)?;
    response.headers_mut().insert(header::LOCATION, location);
    Ok(response)
}

/// `204 No Content`.
pub fn no_content() -> Response<Body> {
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}
