//! Entity tags, `If-Match`, and read-modify-write: every single resource carries
//! `ETag: "<version>"`; a write that names a stale version gets `412` and changes nothing;
//! a write without `If-Match` that loses a race re-reads and tries again
//! ([`write_with_retry`]), so no concurrent change is ever lost.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::FromRequestParts;
use http::request::Parts;
use http::{HeaderMap, HeaderValue, header};

use crate::domain::loan_change::ChangeError;
use crate::error::ApiError;
use crate::store::StoreError;

/// How often a write without `If-Match` re-reads and retries after losing a race.
pub const WRITE_ATTEMPTS: usize = 8;

/// What the caller's `If-Match` header asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// No header: the write applies to whatever version is current (still atomically).
    Absent,
    /// `If-Match: *`: any current version.
    Any,
    /// One or more strong tags; weak tags (`W/"1"`) never match.
    Versions(Vec<u64>),
}

impl IfMatch {
    /// Reads every `If-Match` header (comma-separated lists included). Tags that are not
    /// a strong, quoted version number are dropped, so a header holding only such tags
    /// is `Versions(vec![])`, which no version satisfies.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let values: Vec<&str> = headers
            .get_all(header::IF_MATCH)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        if values.is_empty() {
            return Self::Absent;
        }
        let mut versions = Vec::new();
        for tag in values
            .iter()
            .flat_map(|value| value.split(','))
            .map(str::trim)
        {
            if tag == "*" {
                return Self::Any;
            }
            if let Some(version) = tag
                .strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .and_then(|t| t.parse::<u64>().ok())
            {
                versions.push(version);
            }
        }
        Self::Versions(versions)
    }

    /// Whether a condition was given at all.
    pub fn is_present(&self) -> bool {
        !matches!(self, Self::Absent)
    }

    /// `412` unless the current version satisfies the header.
    pub fn check(&self, current: u64) -> Result<(), ApiError> {
        match self {
            Self::Absent | Self::Any => Ok(()),
            Self::Versions(versions) if versions.contains(&current) => Ok(()),
            Self::Versions(_) => Err(ApiError::PreconditionFailed),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        Ok(Self::from_headers(&parts.headers))
    }
}

/// Why one attempt of a read-modify-write did not land.
#[derive(Debug)]
pub enum Lost {
    /// Another write got in between the read and the write: read again and retry.
    Stale,
    /// The write cannot happen; answer this.
    Failed(ApiError),
}

impl From<ApiError> for Lost {
    fn from(err: ApiError) -> Self {
        Self::Failed(err)
    }
}

impl From<StoreError> for Lost {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Stale => Self::Stale,
            other => Self::Failed(other.into()),
        }
    }
}

impl From<ChangeError> for Lost {
    fn from(err: ChangeError) -> Self {
        Self::Failed(err.into())
    }
}

/// Runs `attempt` (read the current version, check `if_match` against it, compute the
/// change, write it conditional on that version) until it lands. With `If-Match` a lost
/// race is a `412`; without, the attempt is retried after a pause, up to
/// [`WRITE_ATTEMPTS`] times, then `409` with `contended` as its detail.
pub async fn write_with_retry<T, F, Fut>(
    if_match: &IfMatch,
    contended: &'static str,
    mut attempt: F,
) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Lost>>,
{
    for round in 0..WRITE_ATTEMPTS {
        match attempt().await {
            Ok(done) => return Ok(done),
            Err(Lost::Stale) if !if_match.is_present() => backoff(round).await,
            Err(Lost::Stale) => return Err(ApiError::PreconditionFailed),
            Err(Lost::Failed(err)) => return Err(err),
        }
    }
    Err(ApiError::Conflict(contended.into()))
}

/// Waits before retrying a write that lost a race: a random pause that grows with each
/// attempt, so that writers contending for one item spread out instead of colliding again.
async fn backoff(attempt: usize) {
    let mut byte = [0u8; 1];
    let jitter = aws_lc_rs::rand::fill(&mut byte).map_or(0, |()| u64::from(byte[0]));
    let ceiling_ms = 4u64 << attempt.min(5);
    tokio::time::sleep(Duration::from_millis(jitter * ceiling_ms / 255)).await;
}

/// The `ETag` value for a version.
pub fn etag(version: u64) -> HeaderValue {
    // A quoted decimal number is always a valid header value.
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(values: &[&str]) -> IfMatch {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(header::IF_MATCH, HeaderValue::from_str(value).unwrap());
        }
        IfMatch::from_headers(&headers)
    }

    #[test]
    fn reads_if_match_headers() {
        let cases = [
            (vec![], IfMatch::Absent, "no header"),
            (vec!["*"], IfMatch::Any, "a wildcard"),
            (vec!["\"3\""], IfMatch::Versions(vec![3]), "one tag"),
            (
                vec!["\"3\", \"4\""],
                IfMatch::Versions(vec![3, 4]),
                "a list",
            ),
            (
                vec!["\"3\"", "\"5\""],
                IfMatch::Versions(vec![3, 5]),
                "repeated headers",
            ),
            (
                vec!["W/\"3\""],
                IfMatch::Versions(vec![]),
                "a weak tag never matches",
            ),
            (
                vec!["3"],
                IfMatch::Versions(vec![]),
                "an unquoted tag never matches",
            ),
        ];
        for (values, expected, why) in cases {
            assert_eq!(parse(&values), expected, "{why}");
        }
    }

    #[test]
    fn stale_versions_fail_the_precondition() {
        assert!(parse(&["\"3\""]).check(3).is_ok());
        assert_eq!(parse(&["\"2\""]).check(3).unwrap_err().status(), 412);
        assert_eq!(parse(&["W/\"3\""]).check(3).unwrap_err().status(), 412);
        assert!(parse(&[]).check(3).is_ok());
    }

    #[test]
    fn etags_are_quoted_versions() {
        assert_eq!(etag(7), "\"7\"");
    }
}
