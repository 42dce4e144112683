//! The login brake: failures counted per (username, source address) and per source
//! address, in fixed windows, so that no one elsewhere can lock a user out.
//!
//! - A login first claims an attempt on its (username, address) counter, in one
//!   conditional update: past [`MAX_FAILURES`] within [`WINDOW_SECS`] the claim is refused
//!   (`429`) before any password is checked, so however many logins race at the limit, at
//!   most five passwords are evaluated per pair and window. A successful login deletes
//!   the counter; a failed one leaves its claim counted.
//! - Failures are also counted per address; past [`MAX_ADDRESS_FAILURES`] within the
//!   window the address is braked for every username (password spraying).
//!
//! Counters carry a TTL so DynamoDB removes them eventually, but the code checks the
//! window itself, since TTL deletion can lag by hours.

use super::error::StoreError;
use super::keys::{FAILURES_SK, PK, SK, TTL, address_failures_pk, login_failures_pk};
use super::{Item, Store, n, s};

/// Failed logins for one username from one address within a window that brake the pair.
pub const MAX_FAILURES: u64 = 5;
/// Failed logins from one address, across usernames, within a window that brake it.
pub const MAX_ADDRESS_FAILURES: u64 = 100;
/// The length of a counting window, in seconds (15 minutes), which is also the longest
/// a brake lasts. The window starts at the first failure and does not slide.
pub const WINDOW_SECS: i64 = 15 * 60;

/// Rounds of "the window has passed, start a new one" lost to concurrent logins before
/// giving up (each round means another login just started the window).
const CLAIM_ROUNDS: usize = 3;

fn number(item: Option<&Item>, name: &str) -> Option<i64> {
    item.and_then(|item| item.get(name))
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse::<i64>().ok())
}

/// Seconds a counter brakes for at `now`, if it has reached `max` in a window still open.
fn braked_for(item: Option<&Item>, max: u64, now: i64) -> Option<u64> {
    let (count, window_ends) = (number(item, "failures")?, number(item, "window_ends")?);
    (u64::try_from(count).unwrap_or(0) >= max && window_ends > now)
        .then(|| u64::try_from(window_ends - now).unwrap_or(1).max(1))
}

fn is_condition_failure<E>(err: &aws_sdk_dynamodb::error::SdkError<E>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    err.as_service_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "ConditionalCheckFailedException")
}

impl Store {
    /// Claims one login attempt for `username` from `ip` at `now`; `Some(seconds)` when the
    /// pair is braked, for that long.
    pub async fn claim_login_attempt(
        &self,
        username: &str,
        ip: &str,
        now: i64,
    ) -> Result<Option<u64>, StoreError> {
        let pk = login_failures_pk(username, ip);
        for _ in 0..CLAIM_ROUNDS {
            let claim = self
                .client()
                .update_item()
                .table_name(self.table())
                .key(PK, s(&pk))
                .key(SK, s(FAILURES_SK))
                .update_expression(
                    "SET failures = if_not_exists(failures, :zero) + :one, \
                     window_ends = if_not_exists(window_ends, :ends), \
                     #ttl = if_not_exists(#ttl, :ends)",
                )
                .condition_expression(
                    "attribute_not_exists(window_ends) OR (window_ends > :now AND failures < :max)",
                )
                .expression_attribute_names("#ttl", TTL)
                .expression_attribute_values(":zero", n(0))
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":ends", n(now + WINDOW_SECS))
                .expression_attribute_values(":now", n(now))
                .expression_attribute_values(":max", n(MAX_FAILURES))
                .send()
                .await;
            match claim {
                Ok(_) => return Ok(None),
                Err(err) if is_condition_failure(&err) => {}
                Err(err) => return Err(StoreError::sdk("claim login attempt", err)),
            }
            let item = self
                .get_item(pk.clone(), FAILURES_SK, "get login failures")
                .await?;
            if let Some(secs) = braked_for(item.as_ref(), MAX_FAILURES, now) {
                return Ok(Some(secs));
            }
            // The window has passed: start a new one with this attempt, unless another
            // login just did (then claim again in its window).
            let restart = self
                .client()
                .put_item()
                .table_name(self.table())
                .item(PK, s(&pk))
                .item(SK, s(FAILURES_SK))
                .item("failures", n(1))
                .item("window_ends", n(now + WINDOW_SECS))
                .item(TTL, n(now + WINDOW_SECS))
                .condition_expression("attribute_not_exists(window_ends) OR window_ends <= :now")
                .expression_attribute_values(":now", n(now))
                .send()
                .await;
            match restart {
                Ok(_) => return Ok(None),
                Err(err) if is_condition_failure(&err) => {}
                Err(err) => return Err(StoreError::sdk("restart login window", err)),
            }
        }
        Err(StoreError::Conflict)
    }

    /// Forgets the failures of `username` from `ip` after a successful login.
    pub async fn forgive_login_attempts(&self, username: &str, ip: &str) -> Result<(), StoreError> {
        self.client()
            .delete_item()
            .table_name(self.table())
            .key(PK, s(login_failures_pk(username, ip)))
            .key(SK, s(FAILURES_SK))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| StoreError::sdk("clear login failures", e))
    }

    /// `Some(seconds)` when address `ip` is braked at `now`, for that long.
    pub async fn address_braked(&self, ip: &str, now: i64) -> Result<Option<u64>, StoreError> {
        let item = self
            .get_item(address_failures_pk(ip), FAILURES_SK, "get address failures")
            .await?;
        Ok(braked_for(item.as_ref(), MAX_ADDRESS_FAILURES, now))
    }

    /// Counts a failed login from address `ip`: in the current window, or in a new one
    /// when it has passed.
    pub async fn record_address_failure(&self, ip: &str, now: i64) -> Result<(), StoreError> {
        let window_ends = now + WINDOW_SECS;
        let increment = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(PK, s(address_failures_pk(ip)))
            .key(SK, s(FAILURES_SK))
            .update_expression(
                "SET failures = if_not_exists(failures, :zero) + :one, \
                 window_ends = if_not_exists(window_ends, :ends), #ttl = if_not_exists(#ttl, :ends)",
            )
            .condition_expression("attribute_not_exists(window_ends) OR window_ends > :now")
            .expression_attribute_names("#ttl", TTL)
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":ends", n(window_ends))
            .expression_attribute_values(":now", n(now))
            .send()
            .await;
        match increment {
            Ok(_) => Ok(()),
            Err(err) if is_condition_failure(&err) => self
                .client()
                .put_item()
                .table_name(self.table())
                .item(PK, s(address_failures_pk(ip)))
                .item(SK, s(FAILURES_SK))
                .item("failures", n(1))
                .item("window_ends", n(window_ends))
                .item(TTL, n(window_ends))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| StoreError::sdk("reset address failures", e)),
            Err(err) => Err(StoreError::sdk("count address failure", err)),
        }
    }
}
