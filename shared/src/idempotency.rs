//! `Idempotency-Key` on creating `POST`s: a retry with the same key and body replays the
//! first response and creates nothing.
//!
//! The key (1–255 visible ASCII characters) is scoped to the caller. The first request
//! claims it with a conditional write; a retry of the same request replays the stored
//! status, body, `Location` and `ETag`; the same key with another body is `422`; a retry
//! while the first is still running is `409`. A request that fails releases its claim, so
//! only successful creations are remembered (for 24 hours).

use aws_lc_rs::digest::{SHA256, digest};
use http::{HeaderName, HeaderValue, StatusCode, header};
use lambda_http::{Body, Request, Response};

use crate::App;
use crate::auth::Caller;
use crate::error::{ApiError, FieldError};
use crate::store::idempotency::{Claim, StoredResponse};

/// The request header.
pub static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Longest key accepted.
pub const MAX_KEY_LEN: usize = 255;
/// Response headers replayed with the body.
const REPLAYED: [HeaderName; 3] = [header::LOCATION, header::ETAG, header::CONTENT_TYPE];

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The caller's key, if any; `400` when it is empty, too long or not visible ASCII.
pub fn key_of(request: &Request) -> Result<Option<String>, ApiError> {
    let Some(value) = request.headers().get(&IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default();
    let valid = (1..=MAX_KEY_LEN).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic());
    if !valid || value.len() != key.len() {
        return Err(ApiError::BadRequest(format!(
            "Idempotency-Key must be 1 to {MAX_KEY_LEN} visible ASCII characters"
        )));
    }
    Ok(Some(key.to_owned()))
}

/// A fingerprint of what the request asks for: method, path and body.
fn request_hash(request: &Request) -> String {
    let body: &[u8] = match request.body() {
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => &[],
    };
    let mut input = format!("{}\n{}\n", request.method(), request.uri().path()).into_bytes();
    input.extend_from_slice(body);
    hex(digest(&SHA256, &input).as_ref())
}

fn stored(response: &Response<Body>) -> Option<StoredResponse> {
    let body = match response.body() {
        Body::Text(text) => text.clone(),
        Body::Empty => String::new(),
        _ => return None,
    };
    let headers = REPLAYED
        .iter()
        .filter_map(|name| {
            let value = response.headers().get(name)?.to_str().ok()?;
            Some((name.as_str().to_owned(), value.to_owned()))
        })
        .collect();
    Some(StoredResponse {
        status: response.status().as_u16(),
        headers,
        body,
    })
}

fn replay(stored: StoredResponse) -> Result<Response<Body>, ApiError> {
    let mut response = Response::new(Body::Text(stored.body));
    *response.status_mut() = StatusCode::from_u16(stored.status).map_err(ApiError::internal)?;
    for (name, value) in stored.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::from_str(&value)) {
            response.headers_mut().insert(name, value);
        }
    }
    response.headers_mut().insert(
        HeaderName::from_static("idempotent-replayed"),
        HeaderValue::from_static("true"),
    );
    Ok(response)
}

/// Runs `operation` at most once per caller and key. Without a key it simply runs.
pub async fn once<F>(
    app: &App,
    caller: &Caller,
    request: &Request,
    operation: F,
) -> Result<Response<Body>, ApiError>
where
    F: Future<Output = Result<Response<Body>, ApiError>>,
{
    let Some(key) = key_of(request)? else {
        return operation.await;
    };
    let record = format!(
        "{}#{}",
        caller.username,
        hex(digest(&SHA256, key.as_bytes()).as_ref())
    );
    let now = chrono::Utc::now().timestamp();
    match app
        .store
        .claim_idempotency_key(&record, &request_hash(request), now)
        .await?
    {
        Claim::Acquired => {}
        Claim::Done(stored) => return replay(stored),
        Claim::InProgress => {
            return Err(ApiError::Conflict(
                "a request with this Idempotency-Key is still being processed; retry shortly"
                    .into(),
            ));
        }
        Claim::Mismatch => {
            return Err(ApiError::Validation(vec![FieldError {
                pointer: "#/header/Idempotency-Key".into(),
                detail: "was already used with a different request".into(),
            }]));
        }
    }
    match operation.await {
        Ok(response) => {
            // The resource exists now: whatever happens to the record, say so.
            if let Some(stored) = stored(&response)
                && let Err(err) = app.store.complete_idempotency_key(&record, &stored).await
            {
                tracing::warn!(error = %err, "idempotency response not stored; a retry after the lease may repeat the request");
            }
            Ok(response)
        }
        Err(err) => {
            if let Err(release) = app.store.release_idempotency_key(&record).await {
                tracing::warn!(error = %release, "idempotency claim not released; it expires with its lease");
            }
            Err(err)
        }
    }
}
