//! Idempotency records: one item per caller and key (`IDEMPOTENCY#<caller>#<key hash>`),
//! holding the request's hash, whether it is still running, and once done the response
//! to replay. Records expire after 24 hours (TTL); an in-progress claim holds a short lease
//! so that a request that died mid-way can be retried.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};

use super::{Item, Store, db_error, n, s};
use crate::error::ApiError;
use crate::table::{PK, SK, TTL_ATTRIBUTE};

/// How long a key is remembered, in seconds (24 hours).
pub const RETENTION_SECS: i64 = 24 * 60 * 60;
/// How long a claim stays "in progress" before another attempt may take it over, in
/// seconds; longer than any request can run.
pub const LEASE_SECS: i64 = 30;

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
    /// The key is ours: run the request.
    Acquired,
    /// The same request finished before: replay its response.
    Done(StoredResponse),
    /// The same request is still running.
    InProgress,
    /// The key was used for a different request.
    Mismatch,
}

fn key(record: &str) -> String {
    format!("IDEMPOTENCY#{record}")
}

fn text(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
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
    /// Claims `record` (caller and key) for a request with `request_hash`, unless a live
    /// record exists; then says what that record holds.
    pub async fn claim_idempotency_key(
        &self,
        record: &str,
        request_hash: &str,
        now: i64,
    ) -> Result<Claim, ApiError> {
        let result = self
            .client()
            .put_item()
            .table_name(self.table())
            .item(PK, s(key(record)))
            .item(SK, s("IDEMPOTENCY"))
            .item("request_hash", s(request_hash))
            .item("lease_expires", n(now + LEASE_SECS))
            .item(TTL_ATTRIBUTE, n(now + RETENTION_SECS))
            // Free, expired (TTL deletion lags), or an abandoned claim of the same request.
            .condition_expression(
                "attribute_not_exists(PK) OR #ttl < :now OR \
                 (attribute_not_exists(response_status) AND lease_expires < :now AND request_hash = :hash)",
            )
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":hash", s(request_hash))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        let err = match result {
            Ok(_) => return Ok(Claim::Acquired),
            Err(err) => err,
        };
        let Some(failed) = err.as_service_error().and_then(|e| match e {
            aws_sdk_dynamodb::operation::put_item::PutItemError::ConditionalCheckFailedException(c) => Some(c),
            _ => None,
        }) else {
            return Err(db_error("claim idempotency key", err));
        };
        let existing = match failed.item() {
            Some(item) => Some(item.clone()),
            None => {
                self.get_item(key(record), "IDEMPOTENCY", "read idempotency key")
                    .await?
            }
        };
        Ok(existing.map_or(Claim::InProgress, |item| classify(&item, request_hash)))
    }

    /// Stores the response of a claimed request for replay.
    pub async fn complete_idempotency_key(
        &self,
        record: &str,
        response: &StoredResponse,
    ) -> Result<(), ApiError> {
        let headers: HashMap<String, AttributeValue> = response
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), s(v.clone())))
            .collect();
        self.client()
            .update_item()
            .table_name(self.table())
            .key(PK, s(key(record)))
            .key(SK, s("IDEMPOTENCY"))
            .update_expression(
                "SET response_status = :status, response_body = :body, response_headers = :headers",
            )
            .expression_attribute_values(":status", n(response.status))
            .expression_attribute_values(":body", s(response.body.clone()))
            .expression_attribute_values(":headers", AttributeValue::M(headers))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| db_error("complete idempotency key", e))
    }

    /// Gives up a claim whose request failed, so that a retry runs it again.
    pub async fn release_idempotency_key(&self, record: &str) -> Result<(), ApiError> {
        self.client()
            .delete_item()
            .table_name(self.table())
            .key(PK, s(key(record)))
            .key(SK, s("IDEMPOTENCY"))
            .condition_expression("attribute_not_exists(response_status)")
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
                    Err(db_error("release idempotency key", err))
                }
            })
    }
}
