//! Changes to an existing user: role, client binding, disabled flag and password, each
//! written in one transaction that also replaces the user's session stamp (revoking all
//! its refresh tokens at once), moves its link between client partitions, and keeps the
//! count of enabled admins, whose decrement is conditional on one remaining.
//!
//! A rehash after a login (a stored hash of an earlier Argon2 cost) changes only the hash,
//! conditional on the old one, and revokes nothing.

use aws_sdk_dynamodb::types::TransactWriteItem;

use super::error::{StoreError, failed_condition};
use super::keys::{PK, SESSION_STAMP, SK, USER_SK, VERSION, user_pk};
use super::users::{
    Account, PASSWORD_HASH, admins_change, client_link, new_session_stamp, user_link_delete,
};
use super::{Item, Store, n, s, update_all};
use crate::domain::user::User;

impl Store {
    /// Writes `next` (from [`User::changed`]) over `account`'s user if it is still at the
    /// version read, with `new_hash` as its password when given, and a new session stamp.
    /// `Stale` when the user changed or went, `MissingClient` when a new client does not
    /// exist (or is being deleted), `LastAdmin` when no enabled admin would remain.
    pub async fn update_user(
        &self,
        account: &Account,
        next: &User,
        new_hash: Option<&str>,
    ) -> Result<(), StoreError> {
        let old = &account.user;
        let username = old.username().as_str();
        let mut item: Item =
            serde_dynamo::to_item(next).map_err(|e| StoreError::item("serialize user", e))?;
        item.insert(PK.into(), s(user_pk(username)));
        item.insert(SK.into(), s(USER_SK));
        item.insert(SESSION_STAMP.into(), s(new_session_stamp()));
        if let Some(hash) = new_hash {
            item.insert(PASSWORD_HASH.into(), s(hash));
        }
        let user = update_all(self.table(), item)
            .condition_expression("#v = :read")
            .expression_attribute_names("#v", VERSION)
            .expression_attribute_values(":read", n(old.version()))
            .build()
            .map_err(StoreError::invalid_request)?;
        let mut actions = vec![TransactWriteItem::builder().update(user).build()];
        let mut new_client = None;
        if old.client_id() != next.client_id() {
            if let Some(previous) = old.client_id() {
                actions.push(user_link_delete(self.table(), previous, username)?);
            }
            if let Some(client_id) = next.client_id() {
                new_client = Some(actions.len());
                actions.extend(client_link(self.table(), client_id, username)?);
            }
        }
        let mut admins = None;
        match (old.is_enabled_admin(), next.is_enabled_admin()) {
            (true, false) => {
                admins = Some(actions.len());
                actions.push(admins_change(self.table(), -1)?);
            }
            (false, true) => actions.push(admins_change(self.table(), 1)?),
            _ => {}
        }
        match self.transact(actions).await {
            Ok(()) => Ok(()),
            Err(err) if failed_condition(&err, 0) => Err(StoreError::Stale),
            Err(err) if new_client.is_some_and(|i| failed_condition(&err, i)) => {
                Err(StoreError::MissingClient)
            }
            Err(err) if admins.is_some_and(|i| failed_condition(&err, i)) => {
                Err(StoreError::LastAdmin)
            }
            Err(err) => Err(StoreError::transaction("update user", err)),
        }
    }

    /// Replaces `account`'s password hash of an earlier cost with `new_hash`, if it is
    /// still the one read; a concurrent change of the password wins (`Stale`).
    pub async fn rehash_password(
        &self,
        account: &Account,
        new_hash: &str,
    ) -> Result<(), StoreError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(PK, s(user_pk(account.user.username().as_str())))
            .key(SK, s(USER_SK))
            .update_expression("SET #hash = :new")
            .condition_expression("#hash = :old")
            .expression_attribute_names("#hash", PASSWORD_HASH)
            .expression_attribute_values(":new", s(new_hash))
            .expression_attribute_values(":old", s(&account.password_hash))
            .send()
            .await;
        super::error::conditional(result, "rehash password")
    }
}
