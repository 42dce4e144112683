//! Idempotency records, and what makes a creating write exactly-once.
//!
//! One record per caller and key (`IDEMPOTENCY#<hash>` / `IDEMPOTENCY`): the request's
//! hash, the claim of the attempt that owns it, its lease, and once done the response to
//! replay. An attempt first *claims* the record (a conditional put). Its write then
//! stores the response in the record **in the same transaction** as whatever it creates,
//! conditional on the claim still being its own ([`WriteOnce`]), so either both exist or
//! neither does. A claim whose write may or may not have happened is never released: it
//! lapses with its lease, and the next attempt either finds the completed record (and
//! replays it) or takes the claim over, which makes any write of the old attempt that is
//! still in flight fail its condition. Records expire after 24 hours (TTL).

use std::collections::HashMap;

use aws_lc_rs::digest::{SHA256, digest};
use aws_sdk_dynamodb::operation::transact_write_items::builders::TransactWriteItemsFluentBuilder;
use aws_sdk_dynamodb::types::{
    AttributeValue, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
};

use super::error::StoreError;
use super::keys::{IDEMPOTENCY_SK, PK, SK, TTL, idempotency_pk};
use super::{Item, Store, n, s, text};

/// How long a key is remembered, in seconds (24 hours).
pub const RETENTION_SECS: i64 = 24 * 60 * 60;
/// How long a claim stays "in progress" before another attempt may take it over, in
/// seconds: longer than a request can run (the SDK gives up on DynamoDB after 6 s).
pub const LEASE_SECS: i64 = 30;
/// `ClientRequestToken` is at most 36 characters.
const TOKEN_CHARS: usize = 32;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of `parts`, each followed by a NUL so that no two lists of parts collide,
/// in hex.
pub fn fingerprint(parts: &[&[u8]]) -> String {
    let mut input = Vec::new();
    for part in parts {
        input.extend_from_slice(part);
        input.push(0);
    }
    hex(digest(&SHA256, &input).as_ref())
}

/// A response kept for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The headers worth replaying (`Location`, `ETag`, `Content-Type`), by lower-case name.
    pub headers: HashMap<String, String>,
    /// The body text; empty for a response without one.
    pub body: String,
}

/// What claiming a key found.
#[derive(Debug)]
pub enum Claim {
    /// The key is ours, under this claim: run the request.
    Acquired(String),
    /// The same request finished before: replay its response.
    Done(StoredResponse),
    /// The same request is still running (or its attempt's lease has not lapsed yet).
    InProgress,
    /// The key was used for a different request.
    Mismatch,
}

/// The record of one caller's key: `scope` names the caller (and whatever else must
/// match for a replay), `key` is the caller's `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordKey(String);

impl RecordKey {
    /// The record of `key` for the caller `scope`; both are hashed, so the record's key
    /// reveals neither.
    pub fn new(scope: &[&str], key: &str) -> Self {
        let mut parts: Vec<&[u8]> = scope.iter().map(|part| part.as_bytes()).collect();
        parts.push(key.as_bytes());
        Self(idempotency_pk(&fingerprint(&parts)))
    }
}

/// What makes one write exactly-once: the `ClientRequestToken` its transaction carries
/// (the same on every attempt the SDK makes of it, so that a retry of a transaction that
/// did commit is answered as a success), and, under an `Idempotency-Key`, the completion
/// of the claimed record, written in the same transaction.
#[derive(Debug, Clone)]
pub struct WriteOnce {
    token: String,
    completion: Option<Completion>,
}

/// The record of a claimed key as it stands once its request has succeeded.
#[derive(Debug, Clone)]
struct Completion {
    record: RecordKey,
    claim: String,
    request_hash: String,
    response: StoredResponse,
    expires_at: i64,
}

impl WriteOnce {
    /// A write no key protects: a fresh token, so only the SDK's own retries are
    /// recognised as the same write.
    pub fn fresh() -> Self {
        Self {
            token: crate::domain::time::new_id(),
            completion: None,
        }
    }

    /// The write of a request that holds `claim` on `record`, which will answer
    /// `response`; its token is derived from the claim.
    pub fn completing(
        record: &RecordKey,
        claim: &str,
        request_hash: &str,
        response: StoredResponse,
        now: i64,
    ) -> Self {
        let mut token = fingerprint(&[record.0.as_bytes(), claim.as_bytes()]);
        token.truncate(TOKEN_CHARS);
        Self {
            token,
            completion: Some(Completion {
                record: record.clone(),
                claim: claim.to_owned(),
                request_hash: request_hash.to_owned(),
                response,
                expires_at: now + RETENTION_SECS,
            }),
        }
    }

    /// The `ClientRequestToken` of the write.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Adds the record's completion (if any) as the transaction's last action, and the
    /// token. Returns the builder and the index of the record's action, so that a
    /// cancellation can tell whether the claim was lost.
    pub(crate) fn apply(
        &self,
        table: &str,
        request: TransactWriteItemsFluentBuilder,
        actions: usize,
    ) -> Result<(TransactWriteItemsFluentBuilder, Option<usize>), StoreError> {
        let request = request.client_request_token(&self.token);
        let Some(completion) = &self.completion else {
            return Ok((request, None));
        };
        let headers: HashMap<String, AttributeValue> = completion
            .response
            .headers
            .iter()
            .map(|(name, value)| (name.clone(), s(value.clone())))
            .collect();
        let put = Put::builder()
            .table_name(table)
            .item(PK, s(completion.record.0.clone()))
            .item(SK, s(IDEMPOTENCY_SK))
            .item("request_hash", s(completion.request_hash.clone()))
            .item("claim", s(completion.claim.clone()))
            .item("response_status", n(completion.response.status))
            .item("response_body", s(completion.response.body.clone()))
            .item("response_headers", AttributeValue::M(headers))
            .item(TTL, n(completion.expires_at))
            .condition_expression("claim = :claim AND attribute_not_exists(response_status)")
            .expression_attribute_values(":claim", s(completion.claim.clone()))
            .build()
            .map_err(StoreError::invalid_request)?;
        Ok((
            request.transact_items(TransactWriteItem::builder().put(put).build()),
            Some(actions),
        ))
    }
}

fn classify(item: &Item, request_hash: &str) -> Claim {
    if text(item, "request_hash").as_deref() != Some(request_hash) {
        return Claim::Mismatch;
    }
    let status = item
        .get("response_status")
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse::<u16>().ok());
    match (status, text(item, "response_body")) {
        (Some(status), Some(body)) => {
            let headers = item
                .get("response_headers")
                .and_then(|v| v.as_m().ok())
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| v.as_s().ok().map(|v| (k.clone(), v.clone())))
                        .collect()
                })
                .unwrap_or_default();
            Claim::Done(StoredResponse {
                status,
                headers,
                body,
            })
        }
        _ => Claim::InProgress,
    }
}

impl Store {
    /// Claims `record` for a request with `request_hash`, unless a live record exists;
    /// then says what that record holds. A claim abandoned by an attempt whose lease has
    /// lapsed is taken over.
    pub async fn claim_idempotency_key(
        &self,
        record: &RecordKey,
        request_hash: &str,
        now: i64,
    ) -> Result<Claim, StoreError> {
        let claim = crate::domain::time::new_id();
        let result = self
            .client()
            .put_item()
            .table_name(self.table())
            .item(PK, s(record.0.clone()))
            .item(SK, s(IDEMPOTENCY_SK))
            .item("request_hash", s(request_hash))
            .item("claim", s(claim.clone()))
            .item("lease_expires", n(now + self.idempotency_lease_secs()))
            .item(TTL, n(now + RETENTION_SECS))
            // Free, expired (TTL deletion lags), or an abandoned claim of the same request.
            .condition_expression(
                "attribute_not_exists(PK) OR #ttl < :now OR \
                 (attribute_not_exists(response_status) AND lease_expires < :now AND request_hash = :hash)",
            )
            .expression_attribute_names("#ttl", TTL)
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":hash", s(request_hash))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        let err = match result {
            Ok(_) => return Ok(Claim::Acquired(claim)),
            Err(err) => err,
        };
        let Some(failed) = err.as_service_error().and_then(|e| match e {
            aws_sdk_dynamodb::operation::put_item::PutItemError::ConditionalCheckFailedException(c) => Some(c),
            _ => None,
        }) else {
            return Err(StoreError::sdk("claim idempotency key", err));
        };
        let existing = match failed.item() {
            Some(item) => Some(item.clone()),
            None => {
                self.get_item(record.0.clone(), IDEMPOTENCY_SK, "read idempotency key")
                    .await?
            }
        };
        Ok(existing.map_or(Claim::InProgress, |item| classify(&item, request_hash)))
    }

    /// Gives up `claim` on `record` after its request failed without writing anything,
    /// so that a retry runs it again at once. A claim that has been completed or taken
    /// over since is left alone.
    pub async fn release_idempotency_key(
        &self,
        record: &RecordKey,
        claim: &str,
    ) -> Result<(), StoreError> {
        self.client()
            .delete_item()
            .table_name(self.table())
            .key(PK, s(record.0.clone()))
            .key(SK, s(IDEMPOTENCY_SK))
            .condition_expression("claim = :claim AND attribute_not_exists(response_status)")
            .expression_attribute_values(":claim", s(claim))
            .send()
            .await
            .map(|_| ())
            .or_else(|err| {
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception())
                {
                    Ok(())
                } else {
                    Err(StoreError::sdk("release idempotency key", err))
                }
            })
    }
}

/// Whether a transaction was cancelled because the action at `record` (this attempt's
/// completion of its idempotency record, see [`WriteOnce`]) failed its condition: the
/// claim was taken over by another attempt, and this one wrote nothing.
pub(crate) fn claim_lost(
    err: &aws_sdk_dynamodb::error::SdkError<
        aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError,
    >,
    record: Option<usize>,
) -> bool {
    record.is_some_and(|index| super::error::failed_condition(err, index))
}
