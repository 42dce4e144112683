//! `Idempotency-Key` on creating `POST`s: a retry with the same key and body replays the
//! first response and creates nothing, whatever happened to the first attempt.
//!
//! The key (1–255 visible ASCII characters) is scoped to the caller as it is now: its
//! username, role and client. [`Idempotency::once`] claims the key, then hands the
//! operation an [`Attempt`]; the operation builds its response *before* writing, and its
//! write stores that response in the key's record in the same transaction as what it
//! creates ([`Attempt::write_for`]). So a write that commits always leaves its response to
//! replay, and one that does not leaves nothing. A retry replays a finished request; the
//! same key with another body is `422`; a retry while the first attempt holds its claim
//! is `409`. An attempt that fails without writing gives its claim up at once; one whose
//! write may have happened (a timeout, a dropped connection, a 5xx) keeps it until its
//! lease lapses, and the retry after that finds either the completed record or nothing.
//! Handlers authorize a request before calling [`Idempotency::once`], so a replay is only
//! ever given to a caller that may make the request now.

use axum::extract::FromRequestParts;
use http::request::Parts;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};

use super::extract::Target;
use super::reply::Reply;
use crate::App;
use crate::auth::Caller;
use crate::error::{ApiError, FieldError};
use crate::store::StoreError;
use crate::store::idempotency::{Claim, RecordKey, StoredResponse, WriteOnce, fingerprint};

/// The request header.
pub static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Longest key accepted.
pub const MAX_KEY_LEN: usize = 255;
/// Response headers replayed with the body.
const REPLAYED: [HeaderName; 3] = [header::LOCATION, header::ETAG, header::CONTENT_TYPE];

/// The caller's key, if any; `400` when it is empty, too long or not visible ASCII.
pub fn key_of(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(&IDEMPOTENCY_KEY) else {
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
fn request_hash(target: &Target, body: &[u8]) -> String {
    fingerprint(&[
        target.method.as_str().as_bytes(),
        target.path.as_bytes(),
        body,
    ])
}

fn stored(reply: &Reply) -> StoredResponse {
    let headers = REPLAYED
        .iter()
        .filter_map(|name| {
            let value = reply.headers().get(name)?.to_str().ok()?;
            Some((name.as_str().to_owned(), value.to_owned()))
        })
        .collect();
    StoredResponse {
        status: reply.status().as_u16(),
        headers,
        body: reply.body().to_owned(),
    }
}

fn replay(stored: StoredResponse) -> Result<Reply, ApiError> {
    let status = StatusCode::from_u16(stored.status).map_err(ApiError::internal)?;
    let mut headers = HeaderMap::new();
    for (name, value) in stored.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::from_str(&value)) {
            headers.insert(name, value);
        }
    }
    headers.insert(
        HeaderName::from_static("idempotent-replayed"),
        HeaderValue::from_static("true"),
    );
    Ok(Reply::from_parts(status, headers, stored.body))
}

/// The claim a request holds on its key, if it sent one.
#[derive(Debug)]
struct Held {
    record: RecordKey,
    claim: String,
    request_hash: String,
}

/// One attempt at a creating request, handed to the operation [`Idempotency::once`] runs.
#[derive(Debug)]
pub struct Attempt {
    held: Option<Held>,
}

impl Attempt {
    /// What the operation's write must carry to be exactly-once, given the response it
    /// will answer: under a key, that response goes into the key's record in the same
    /// transaction; without one, the write still gets a token of its own, so the SDK's
    /// retries of a transaction that committed count as success.
    pub fn write_for(&self, reply: &Reply) -> WriteOnce {
        match &self.held {
            Some(held) => WriteOnce::completing(
                &held.record,
                &held.claim,
                &held.request_hash,
                stored(reply),
                chrono::Utc::now().timestamp(),
            ),
            None => WriteOnce::fresh(),
        }
    }
}

/// Whether a failure leaves the write's outcome unknown: a database that did not answer
/// or answered with a server error may have applied it.
fn outcome_unknown(err: &ApiError) -> bool {
    matches!(err, ApiError::Unavailable(_) | ApiError::Internal(_))
}

/// A creating request's `Idempotency-Key` (if any) and what the request asks for.
#[derive(Debug)]
pub struct Idempotency {
    key: Option<String>,
    target: Target,
}

impl<S: Send + Sync> FromRequestParts<S> for Idempotency {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let key = key_of(&parts.headers)?;
        let Ok(target) = Target::from_request_parts(parts, state).await;
        Ok(Self { key, target })
    }
}

impl Idempotency {
    /// Runs `operation` at most once per caller and key, for a request whose body is
    /// `body`. Without a key it simply runs. The caller must already be authorized for
    /// the request.
    pub async fn once<F, Fut>(
        self,
        app: &App,
        caller: &Caller,
        body: &[u8],
        operation: F,
    ) -> Result<Reply, ApiError>
    where
        F: FnOnce(Attempt) -> Fut,
        Fut: Future<Output = Result<Reply, ApiError>>,
    {
        let Some(key) = self.key else {
            return operation(Attempt { held: None }).await;
        };
        let role = caller.role.as_str();
        let client = caller.client_id.as_ref().map_or("", |id| id.as_str());
        let record = RecordKey::new(&[&caller.username, role, client], &key);
        let hash = request_hash(&self.target, body);
        let now = chrono::Utc::now().timestamp();
        let claim = match app.store.claim_idempotency_key(&record, &hash, now).await? {
            Claim::Acquired(claim) => claim,
            Claim::Done(stored) => return replay(stored),
            Claim::InProgress => return Err(StoreError::ClaimLost.into()),
            Claim::Mismatch => {
                return Err(ApiError::Validation(vec![FieldError {
                    pointer: "#/header/Idempotency-Key".into(),
                    detail: "was already used with a different request".into(),
                }]));
            }
        };
        let held = Held {
            record,
            claim,
            request_hash: hash,
        };
        let (record, claim) = (held.record.clone(), held.claim.clone());
        let result = operation(Attempt { held: Some(held) }).await;
        if let Err(err) = &result {
            if outcome_unknown(err) {
                tracing::warn!(
                    "the write's outcome is unknown; the idempotency claim stays until its lease lapses"
                );
            } else if let Err(release) = app.store.release_idempotency_key(&record, &claim).await {
                tracing::warn!(error = %release, "idempotency claim not released; it lapses with its lease");
            }
        }
        result
    }
}
