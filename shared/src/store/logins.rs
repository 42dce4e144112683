//! The brute-force brake: failed logins counted per username in a fixed window.
//!
//! After [`MAX_FAILURES`] failures within [`WINDOW_SECS`], logins for that username are
//! refused with `429` until the window ends. The counter item carries a TTL so DynamoDB
//! removes it eventually, but the code checks the window itself, since TTL deletion can
//! lag by hours.

use super::error::StoreError;
use super::keys::{FAILURES_SK, PK, SK, TTL, login_failures_pk};
use super::{Store, n, s};

/// Failed logins within one window that lock the username.
pub const MAX_FAILURES: u64 = 5;
/// The length of a counting window, in seconds (15 minutes), which is also the longest
/// a lock lasts. The window starts at the first failure and does not slide.
pub const WINDOW_SECS: i64 = 15 * 60;

/// What the failure counter of a username says right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoginFailures {
    /// Seconds until logins may be tried again, when the username is locked.
    pub locked_for: Option<u64>,
    /// Whether a counter exists, so a successful login knows whether to clear it.
    pub recorded: bool,
}

impl Store {
    /// Reads the failure counter of `username` at `now`.
    pub async fn login_failures(
        &self,
        username: &str,
        now: i64,
    ) -> Result<LoginFailures, StoreError> {
        let item = self
            .get_item(
                login_failures_pk(username),
                FAILURES_SK,
                "get login failures",
            )
            .await?;
        let number = |name: &str| {
            item.as_ref()
                .and_then(|item| item.get(name))
                .and_then(|v| v.as_n().ok())
                .and_then(|v| v.parse::<i64>().ok())
        };
        let (Some(count), Some(window_ends)) = (number("failures"), number("window_ends")) else {
            return Ok(LoginFailures::default());
        };
        let locked = u64::try_from(count).unwrap_or(0) >= MAX_FAILURES && window_ends > now;
        Ok(LoginFailures {
            locked_for: locked.then(|| u64::try_from(window_ends - now).unwrap_or(1).max(1)),
            recorded: true,
        })
    }

    /// Counts a failed login: in the current window, or in a new one when it has passed.
    pub async fn record_login_failure(&self, username: &str, now: i64) -> Result<(), StoreError> {
        let window_ends = now + WINDOW_SECS;
        let increment = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(PK, s(login_failures_pk(username)))
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
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                // The window has passed: start a new one with this failure.
                self.client()
                    .put_item()
                    .table_name(self.table())
                    .item(PK, s(login_failures_pk(username)))
                    .item(SK, s(FAILURES_SK))
                    .item("failures", n(1))
                    .item("window_ends", n(window_ends))
                    .item(TTL, n(window_ends))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| StoreError::sdk("reset login failures", e))
            }
            Err(err) => Err(StoreError::sdk("count login failure", err)),
        }
    }

    /// Forgets the failures of a username after a successful login.
    pub async fn clear_login_failures(&self, username: &str) -> Result<(), StoreError> {
        self.client()
            .delete_item()
            .table_name(self.table())
            .key(PK, s(login_failures_pk(username)))
            .key(SK, s(FAILURES_SK))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| StoreError::sdk("clear login failures", e))
    }
}
