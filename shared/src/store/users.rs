//! Users in the table (`USER#<username>`), created only for a client that exists.
//!
//! A customer's user also leaves a link item in its client's partition
//! (`CLIENT#<client_id>` / `USER#<username>`), and bumps the client's `user_seq`, in the
//! same transaction. Deleting the client reads its partition, finds the links and deletes
//! those users with it, conditional on the `user_seq` it read: no login outlives its
//! client, even when it is created while the client is being deleted.

use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem, Update};
use serde::Deserialize;

use super::error::{StoreError, Unique, failed_condition};
use super::idempotency::{WriteOnce, claim_lost};
use super::keys::{
    ADMINS_KEY, CLIENT_SK, DELETING, ENABLED_ADMINS, ENTITY, GSI1PK, GSI1SK, PK, SESSION_STAMP, SK,
    USER_KIND, USER_SEQ, USER_SK, USERNAME, VERSION, client_pk, user_link_sk, user_pk,
};
use super::page::{ResumeKey, fetch_page};
use super::table::GSI1;
use super::{Item, Store, n, s};
use crate::domain::ids::ClientId;
use crate::domain::time::Timestamp;
use crate::domain::user::User;

/// The password hash attribute of a user item.
pub(crate) const PASSWORD_HASH: &str = "password_hash";

/// Adds `delta` (+1 or -1) to the count of enabled admins, as part of a transaction; a
/// decrement is conditional on another enabled admin remaining.
pub(crate) fn admins_change(table: &str, delta: i64) -> Result<TransactWriteItem, StoreError> {
    let update = Update::builder()
        .table_name(table)
        .key(PK, s(ADMINS_KEY))
        .key(SK, s(ADMINS_KEY))
        .expression_attribute_names("#enabled", ENABLED_ADMINS);
    let update = if delta > 0 {
        update
            .update_expression("SET #enabled = if_not_exists(#enabled, :zero) + :one")
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":one", n(1))
    } else {
        update
            .update_expression("SET #enabled = #enabled - :one")
            .condition_expression("#enabled > :one")
            .expression_attribute_values(":one", n(1))
    };
    Ok(TransactWriteItem::builder()
        .update(update.build().map_err(StoreError::invalid_request)?)
        .build())
}

/// A new session stamp: replacing a user's stamp revokes all its refresh tokens.
pub(crate) fn new_session_stamp() -> String {
    crate::domain::time::new_id()
}

/// A user as the store keeps it: the user, its password hash and its session stamp.
#[derive(Debug, Clone)]
pub struct Account {
    /// The user.
    pub user: User,
    /// Its password's Argon2id hash (PHC string).
    pub password_hash: String,
    /// The stamp its refresh tokens are bound to (empty for a user stored before stamps).
    pub session_stamp: String,
}

/// Binds `username` to `client_id`, as two actions of a transaction: the client must exist
/// and not be on its way out, and bumping its `user_seq` makes a concurrent delete of the
/// client, conditional on the value it read, retry and see the user; then the link item
/// the client's delete finds its logins by. The first action fails its condition when the
/// client is missing or being deleted.
pub(crate) fn client_link(
    table: &str,
    client_id: &ClientId,
    username: &str,
) -> Result<[TransactWriteItem; 2], StoreError> {
    let client = Update::builder()
        .table_name(table)
        .key(PK, s(client_pk(client_id.as_str())))
        .key(SK, s(CLIENT_SK))
        .update_expression("SET #seq = if_not_exists(#seq, :zero) + :one")
        .condition_expression("attribute_exists(PK) AND attribute_not_exists(#deleting)")
        .expression_attribute_names("#seq", USER_SEQ)
        .expression_attribute_names("#deleting", DELETING)
        .expression_attribute_values(":zero", n(0))
        .expression_attribute_values(":one", n(1))
        .build()
        .map_err(StoreError::invalid_request)?;
    let link = Put::builder()
        .table_name(table)
        .item(PK, s(client_pk(client_id.as_str())))
        .item(SK, s(user_link_sk(username)))
        .item(ENTITY, s("user_link"))
        .item(USERNAME, s(username))
        .build()
        .map_err(StoreError::invalid_request)?;
    Ok([
        TransactWriteItem::builder().update(client).build(),
        TransactWriteItem::builder().put(link).build(),
    ])
}

/// Deletes the user `username` (no condition), as part of a transaction.
pub(crate) fn user_delete(table: &str, username: &str) -> Result<TransactWriteItem, StoreError> {
    let delete = Delete::builder()
        .table_name(table)
        .key(PK, s(user_pk(username)))
        .key(SK, s(USER_SK))
        .build()
        .map_err(StoreError::invalid_request)?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

/// Deletes the link from client `client_id` to user `username`, as part of a transaction.
pub(crate) fn user_link_delete(
    table: &str,
    client_id: &ClientId,
    username: &str,
) -> Result<TransactWriteItem, StoreError> {
    let delete = Delete::builder()
        .table_name(table)
        .key(PK, s(client_pk(client_id.as_str())))
        .key(SK, s(user_link_sk(username)))
        .build()
        .map_err(StoreError::invalid_request)?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

/// The stored form: the user plus its password hash, which never leaves the store layer
/// except to be verified.
#[derive(Deserialize)]
struct UserRecord {
    #[serde(flatten)]
    user: User,
    password_hash: String,
    #[serde(default)]
    session_stamp: String,
}

fn read_user(item: Item) -> Result<UserRecord, StoreError> {
    serde_dynamo::from_item(item).map_err(|e| StoreError::item("read user", e))
}

/// The GSI1 sort key of a user: newest first, then by username.
fn user_sort_key(created_at: Timestamp, username: &str) -> String {
    super::keys::created_sort_key(created_at, username)
}

impl Store {
    /// Stores a new user, with `once`'s idempotency record in the same transaction. A
    /// customer's client must exist at that moment, checked in the same transaction.
    pub async fn create_user(
        &self,
        user: &User,
        password_hash: &str,
        once: &WriteOnce,
    ) -> Result<(), StoreError> {
        let mut item: Item =
            serde_dynamo::to_item(user).map_err(|e| StoreError::item("serialize user", e))?;
        let username = user.username().as_str();
        item.insert(PK.into(), s(user_pk(username)));
        item.insert(SK.into(), s(USER_SK));
        item.insert(ENTITY.into(), s("user"));
        item.insert(PASSWORD_HASH.into(), s(password_hash));
        item.insert(SESSION_STAMP.into(), s(new_session_stamp()));
        item.insert(GSI1PK.into(), s(USER_KIND));
        item.insert(GSI1SK.into(), s(user_sort_key(user.created_at(), username)));
        let put = Put::builder()
            .table_name(self.table())
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(StoreError::invalid_request)?;
        let mut actions = vec![TransactWriteItem::builder().put(put).build()];
        if let Some(client_id) = user.client_id() {
            actions.extend(client_link(self.table(), client_id, username)?);
        }
        if user.is_enabled_admin() {
            actions.push(admins_change(self.table(), 1)?);
        }
        let (request, record) = self.transaction(actions, once)?;
        let Err(err) = request.send().await else {
            return Ok(());
        };
        if claim_lost(&err, record) {
            return Err(StoreError::ClaimLost);
        }
        if failed_condition(&err, 0) {
            return Err(StoreError::Taken(Unique::Username));
        }
        if failed_condition(&err, 1) {
            return Err(StoreError::MissingClient);
        }
        Err(StoreError::transaction("create user", err))
    }

    /// A user and its password hash.
    pub async fn get_user(&self, username: &str) -> Result<Option<(User, String)>, StoreError> {
        Ok(self
            .get_account(username)
            .await?
            .map(|account| (account.user, account.password_hash)))
    }

    /// A user with its password hash and session stamp.
    pub async fn get_account(&self, username: &str) -> Result<Option<Account>, StoreError> {
        self.get_item(user_pk(username), USER_SK, "get user")
            .await?
            .map(|item| {
                read_user(item).map(|record| Account {
                    user: record.user,
                    password_hash: record.password_hash,
                    session_stamp: record.session_stamp,
                })
            })
            .transpose()
    }

    /// Deletes `user` if it is still at the version read, with its link in its client's
    /// partition when it is a customer; `Stale` when it is gone or has changed since,
    /// `LastAdmin` when it is the last enabled admin. Its refresh tokens die with it: a
    /// refresh reads the user, and a user made later under the same name has a new stamp.
    pub async fn delete_user(&self, user: &User) -> Result<(), StoreError> {
        let username = user.username().as_str();
        let delete = Delete::builder()
            .table_name(self.table())
            .key(PK, s(user_pk(username)))
            .key(SK, s(USER_SK))
            .condition_expression("#version = :version")
            .expression_attribute_names("#version", VERSION)
            .expression_attribute_values(":version", n(user.version()))
            .build()
            .map_err(StoreError::invalid_request)?;
        let mut actions = vec![TransactWriteItem::builder().delete(delete).build()];
        if let Some(client_id) = user.client_id() {
            actions.push(user_link_delete(self.table(), client_id, username)?);
        }
        let admins = user.is_enabled_admin().then_some(actions.len());
        if admins.is_some() {
            actions.push(admins_change(self.table(), -1)?);
        }
        match self.transact(actions).await {
            Ok(()) => Ok(()),
            Err(err) if failed_condition(&err, 0) => Err(StoreError::Stale),
            Err(err) if admins.is_some_and(|i| failed_condition(&err, i)) => {
                Err(StoreError::LastAdmin)
            }
            Err(err) => Err(StoreError::transaction("delete user", err)),
        }
    }

    /// One page of users, newest first.
    pub async fn list_users(
        &self,
        limit: usize,
        start: Option<ResumeKey>,
    ) -> Result<(Vec<User>, Option<ResumeKey>), StoreError> {
        let query = self
            .client()
            .query()
            .table_name(self.table())
            .index_name(GSI1.name)
            .key_condition_expression("#kind = :kind")
            .expression_attribute_names("#kind", GSI1PK)
            .expression_attribute_values(":kind", s(USER_KIND))
            .scan_index_forward(false);
        let page = fetch_page(query, &GSI1.page_keys(), limit, start, false).await?;
        let users = page
            .items
            .into_iter()
            .map(|item| read_user(item).map(|record| record.user))
            .collect::<Result<Vec<User>, StoreError>>()?;
        Ok((users, page.next))
    }
}
