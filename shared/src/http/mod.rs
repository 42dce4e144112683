//! The HTTP layer every function shares: one typed router per function ([`router`]),
//! extractors that check each part of a request ([`extract`]), responses built whole
//! ([`Reply`]), and [`serve`], which every request passes through: it gives the request
//! its id and a logging span, normalizes the path, renders a failure as Problem Details
//! with the path and the id, and stamps the headers every response carries.
//!
//! A function's `main` builds its router once and hands [`lambda_service`] of it to
//! `lambda_http::run`; tests call [`respond`] with the same router.

use std::convert::Infallible;
use std::time::Instant;

use axum::body::Body;
use http::uri::PathAndQuery;
use http::{HeaderName, HeaderValue, Uri, header};
use tower::ServiceExt as _;
use tracing::Instrument as _;

use crate::error::Unrendered;

pub mod body;
pub mod conditional;
pub mod extract;
pub mod idempotency;
pub mod query;
pub mod reply;
pub mod router;

pub use body::parse_json;
pub use conditional::{IfMatch, Lost, etag, write_with_retry};
pub use extract::{Admin, Json, SourceIp, VisibleClient};
pub use idempotency::{Attempt, Idempotency};
pub use query::{Query, QueryPairs};
pub use reply::Reply;
pub use router::{Routes, delete, get, patch, post, put};

/// The header that correlates a request across the caller, the logs and the response.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id echoed back.
pub const MAX_REQUEST_ID_CHARS: usize = 128;

/// The caller's request id when it is a sane token, otherwise a new one.
pub fn request_id(headers: &http::HeaderMap) -> String {
    headers
        .get(&REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .filter(|id| {
            (1..=MAX_REQUEST_ID_CHARS).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map_or_else(crate::domain::time::new_id, str::to_owned)
}

/// `uri` with empty path segments dropped (`/clients/01J/` is `/clients/01J`), so that a
/// trailing or doubled slash names the same resource.
fn normalized(uri: &Uri) -> Option<Uri> {
    let path = uri.path();
    if !path.contains("//") && (path == "/" || !path.ends_with('/')) {
        return None;
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut text = format!("/{}", segments.join("/"));
    if let Some(query) = uri.query() {
        text.push('?');
        text.push_str(query);
    }
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(PathAndQuery::try_from(text).ok()?);
    Uri::from_parts(parts).ok()
}

/// Serves one request with `router`: see the module's documentation.
pub async fn serve<B>(router: axum::Router, request: http::Request<B>) -> http::Response<Body>
where
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<crate::BoxError>,
{
    let id = request_id(request.headers());
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let span = tracing::info_span!("request", request_id = %id, %method, %path);
    async move {
        let started = Instant::now();
        let mut request = request.map(Body::new);
        if let Some(uri) = normalized(request.uri()) {
            *request.uri_mut() = uri;
        }
        let Ok(mut response) = router.oneshot(request).await;
        if let Some(Unrendered(err)) = response.extensions_mut().remove::<Unrendered>() {
            err.log();
            response = err.render(Some(&path), Some(&id));
        }
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&id) {
            headers.insert(REQUEST_ID.clone(), value);
        }
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

/// The Lambda service of `router`, for `lambda_http::run`.
pub fn lambda_service(
    router: axum::Router,
) -> impl tower::Service<
    lambda_http::Request,
    Response = http::Response<Body>,
    Error = Infallible,
    Future = impl Future<Output = Result<http::Response<Body>, Infallible>> + Send,
> {
    tower::service_fn(move |request: lambda_http::Request| {
        let router = router.clone();
        async move { Ok::<_, Infallible>(serve(router, request).await) }
    })
}

/// Serves one request with `router` and hands back the response as the Lambda runtime
/// would send it (a text body), for tests and benchmarks that call a function in-process.
pub async fn respond(
    router: axum::Router,
    request: lambda_http::Request,
) -> http::Response<lambda_http::Body> {
    let response = serve(router, request).await;
    let (parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) if bytes.is_empty() => lambda_http::Body::Empty,
        Ok(bytes) => match String::from_utf8(bytes.to_vec()) {
            Ok(text) => lambda_http::Body::Text(text),
            Err(binary) => lambda_http::Body::Binary(binary.into_bytes()),
        },
        Err(_) => lambda_http::Body::Empty,
    };
    http::Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_segments_are_dropped_from_paths() {
        let cases = [
            ("/clients/01J/", Some("/clients/01J")),
            ("//clients//01J?limit=2", Some("/clients/01J?limit=2")),
            ("/clients/01J", None),
            ("/", None),
        ];
        for (uri, expected) in cases {
            let uri: Uri = uri.parse().unwrap();
            assert_eq!(
                normalized(&uri).map(|u| u.to_string()),
                expected.map(str::to_owned),
                "{uri}"
            );
        }
    }
}
