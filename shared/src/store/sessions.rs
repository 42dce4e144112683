//! Refresh tokens, stored only as a keyed hash, in families: a login starts a family, and
//! each refresh spends the presented token and issues the family's next one.
//!
//! - A token item (`REFRESH#<hash>`) names its family, its generation in it, its user and
//!   the user's session stamp when the family began. It stays (spent) until its TTL, so
//!   that a second use is recognised.
//! - The family item (`FAMILY#<id>`) holds the generation of the one live token, and
//!   `revoked` once revoked. A refresh advances the generation in a transaction
//!   conditional on the generation presented and on the user's stamp being unchanged, so
//!   of two refreshes with one token exactly one wins; a token whose generation is not
//!   the family's current one was spent already, and presenting it revokes the family.
//! - Changing a user replaces its stamp (see `accounts`), which kills every family of the
//!   user at once; deleting it removes the user the refresh reads.
//!
//! Both items carry the family's absolute expiry as their TTL; the code checks the expiry
//! itself, since TTL deletion can lag.

use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Put, TransactWriteItem, Update};

use super::error::{StoreError, failed_condition};
use super::keys::{
    ENTITY, FAMILY_SK, PK, REFRESH_SK, SESSION_STAMP, SK, TTL, USER_SK, USERNAME, family_pk,
    refresh_pk, user_pk,
};
use super::users::Account;
use super::{Item, Store, n, s, text};

const FAMILY: &str = "family";
const GENERATION: &str = "generation";
const STAMP: &str = "stamp";
const REVOKED: &str = "revoked";

/// What a refresh came to.
#[derive(Debug)]
pub enum Refreshed {
    /// The token was live: it is spent, and the new one (whose hash was given) is stored.
    Renewed {
        /// The user as it is now, for the new access token.
        account: Box<Account>,
        /// When the family (and so the new refresh token) expires, in epoch seconds.
        expires_at: i64,
    },
    /// The token is unknown, expired, spent (its family is now revoked), revoked, or its
    /// user changed or went since it was issued.
    Refused,
}

/// A stored refresh token, as read.
struct StoredToken {
    family: String,
    generation: i64,
    username: String,
    stamp: String,
    expires_at: i64,
}

fn number(item: &Item, name: &str) -> Option<i64> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
}

fn read_token(item: &Item) -> Option<StoredToken> {
    Some(StoredToken {
        family: text(item, FAMILY)?,
        generation: number(item, GENERATION)?,
        username: text(item, USERNAME)?,
        stamp: text(item, STAMP).unwrap_or_default(),
        expires_at: number(item, TTL)?,
    })
}

fn token_put(
    table: &str,
    digest: &str,
    token: &StoredToken,
) -> Result<TransactWriteItem, StoreError> {
    let put = Put::builder()
        .table_name(table)
        .item(PK, s(refresh_pk(digest)))
        .item(SK, s(REFRESH_SK))
        .item(ENTITY, s("refresh_token"))
        .item(FAMILY, s(&token.family))
        .item(GENERATION, n(token.generation))
        .item(USERNAME, s(&token.username))
        .item(STAMP, s(&token.stamp))
        .item(TTL, n(token.expires_at))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .map_err(StoreError::invalid_request)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

impl Store {
    /// Starts a family for `account` whose first token has the keyed hash `digest`,
    /// expiring at `expires_at` (epoch seconds).
    pub async fn start_session(
        &self,
        account: &Account,
        digest: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let token = StoredToken {
            family: crate::domain::time::new_id(),
            generation: 1,
            username: account.user.username().as_str().to_owned(),
            stamp: account.session_stamp.clone(),
            expires_at,
        };
        let family = Put::builder()
            .table_name(self.table())
            .item(PK, s(family_pk(&token.family)))
            .item(SK, s(FAMILY_SK))
            .item(ENTITY, s("refresh_family"))
            .item(USERNAME, s(&token.username))
            .item(GENERATION, n(1))
            .item(TTL, n(expires_at))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(StoreError::invalid_request)?;
        let actions = vec![
            TransactWriteItem::builder().put(family).build(),
            token_put(self.table(), digest, &token)?,
        ];
        self.transact(actions)
            .await
            .map_err(|err| StoreError::transaction("start session", err))
    }

    /// Spends the token with keyed hash `digest` and stores its successor under
    /// `next_digest`, at `now` (epoch seconds).
    pub async fn refresh_session(
        &self,
        digest: &str,
        next_digest: &str,
        now: i64,
    ) -> Result<Refreshed, StoreError> {
        let Some(token) = self
            .get_item(refresh_pk(digest), REFRESH_SK, "get refresh token")
            .await?
            .as_ref()
            .and_then(read_token)
        else {
            return Ok(Refreshed::Refused);
        };
        if token.expires_at <= now {
            return Ok(Refreshed::Refused);
        }
        let account = match self.get_account(&token.username).await? {
            Some(account) if account.session_stamp == token.stamp && !account.user.disabled() => {
                account
            }
            _ => {
                self.revoke_family(&token.family).await?;
                return Ok(Refreshed::Refused);
            }
        };
        let advance = Update::builder()
            .table_name(self.table())
            .key(PK, s(family_pk(&token.family)))
            .key(SK, s(FAMILY_SK))
            .update_expression("SET #generation = :next")
            .condition_expression(
                "#generation = :presented AND attribute_not_exists(#revoked) AND #ttl > :now",
            )
            .expression_attribute_names("#generation", GENERATION)
            .expression_attribute_names("#revoked", REVOKED)
            .expression_attribute_names("#ttl", TTL)
            .expression_attribute_values(":presented", n(token.generation))
            .expression_attribute_values(":next", n(token.generation + 1))
            .expression_attribute_values(":now", n(now))
            .build()
            .map_err(StoreError::invalid_request)?;
        // The user must still carry the stamp the family began under.
        let unchanged = if token.stamp.is_empty() {
            "attribute_exists(PK) AND attribute_not_exists(#stamp)"
        } else {
            "#stamp = :stamp"
        };
        let mut user = ConditionCheck::builder()
            .table_name(self.table())
            .key(PK, s(user_pk(&token.username)))
            .key(SK, s(USER_SK))
            .condition_expression(unchanged)
            .expression_attribute_names("#stamp", SESSION_STAMP);
        if !token.stamp.is_empty() {
            user = user.expression_attribute_values(":stamp", s(&token.stamp));
        }
        let next = StoredToken {
            generation: token.generation + 1,
            ..token
        };
        let actions = vec![
            TransactWriteItem::builder().update(advance).build(),
            TransactWriteItem::builder()
                .condition_check(user.build().map_err(StoreError::invalid_request)?)
                .build(),
            token_put(self.table(), next_digest, &next)?,
        ];
        match self.transact(actions).await {
            Ok(()) => Ok(Refreshed::Renewed {
                account: Box::new(account),
                expires_at: next.expires_at,
            }),
            Err(err) if failed_condition(&err, 0) => {
                // Spent already (or revoked): whoever holds the family's tokens, one of
                // them is not its owner, so none of them may go on.
                tracing::warn!(username = %next.username, family = %next.family,
                    "a spent refresh token was presented; its family is revoked");
                self.revoke_family(&next.family).await?;
                Ok(Refreshed::Refused)
            }
            Err(err) if failed_condition(&err, 1) => Ok(Refreshed::Refused),
            Err(err) => Err(StoreError::transaction("refresh session", err)),
        }
    }

    /// Revokes the family of the token with keyed hash `digest`; `false` when no such
    /// token is stored.
    pub async fn revoke_session(&self, digest: &str) -> Result<bool, StoreError> {
        let Some(token) = self
            .get_item(refresh_pk(digest), REFRESH_SK, "get refresh token")
            .await?
            .as_ref()
            .and_then(read_token)
        else {
            return Ok(false);
        };
        self.revoke_family(&token.family).await?;
        Ok(true)
    }

    /// Marks a family revoked (an absent one stays absent).
    async fn revoke_family(&self, family: &str) -> Result<(), StoreError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(PK, s(family_pk(family)))
            .key(SK, s(FAMILY_SK))
            .update_expression("SET #revoked = :yes")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#revoked", REVOKED)
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .send()
            .await;
        match super::error::conditional(result, "revoke refresh family") {
            Ok(()) | Err(StoreError::Stale) => Ok(()),
            Err(other) => Err(other),
        }
    }
}
