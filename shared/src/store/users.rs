//! Users in the table (`USER#<username>`), created only for a client that exists.
//!
//! A customer's user also leaves a link item in its client's partition
//! (`CLIENT#<client_id>` / `USER#<username>`), and bumps the client's `user_seq`, in the
//! same transaction. Deleting the client reads its partition, finds the links and deletes
//! those users with it, conditional on the `user_seq` it read: no login outlives its
//! client, even when it is created while the client is being deleted.

use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem, Update};
use serde::Deserialize;

use super::idempotency::WriteOnce;
use super::loans::client_pk;
use super::page::fetch_page;
use super::{Store, item_error, s};
use crate::cursor::ResumeKey;
use crate::domain::user::User;
use crate::error::{ApiError, FieldError};
use crate::table::{GSI1, PK, SK};

const USER_KIND: &str = "USER";

fn user_pk(username: &str) -> String {
    format!("USER#{username}")
}

/// The sort key of a user's link item in its client's partition.
pub(crate) fn user_link_sk(username: &str) -> String {
    format!("USER#{username}")
}

/// Deletes the user `username` (no condition), as part of a transaction.
pub(crate) fn user_delete(table: &str, username: &str) -> Result<TransactWriteItem, ApiError> {
    let delete = Delete::builder()
        .table_name(table)
        .key(PK, s(user_pk(username)))
        .key(SK, s("USER"))
        .build()
        .map_err(ApiError::internal)?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

/// Deletes the link from client `client_id` to user `username`, as part of a transaction.
pub(crate) fn user_link_delete(
    table: &str,
    client_id: &str,
    username: &str,
) -> Result<TransactWriteItem, ApiError> {
    let delete = Delete::builder()
        .table_name(table)
        .key(PK, s(client_pk(client_id)))
        .key(SK, s(user_link_sk(username)))
        .build()
        .map_err(ApiError::internal)?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

/// The stored form: the user plus its password hash, which never leaves the store layer
/// except to be verified.
#[derive(Deserialize)]
struct UserRecord {
    #[serde(flatten)]
    user: User,
    password_hash: String,
}

impl Store {
    /// Stores a new user. A customer's client must exist at that moment, checked in the
    /// same transaction. Username taken: `409`; unknown client: `422` on `/client_id`.
    pub async fn create_user(
        &self,
        user: &User,
        password_hash: &str,
        once: &WriteOnce,
    ) -> Result<(), ApiError> {
        let mut item: super::Item =
            serde_dynamo::to_item(user).map_err(|e| item_error("serialize user", e))?;
        let username = user.username.as_str();
        item.insert(PK.into(), s(user_pk(username)));
        item.insert(SK.into(), s("USER"));
        item.insert("entity".into(), s("user"));
        item.insert("password_hash".into(), s(password_hash));
        item.insert(GSI1.partition_key.into(), s(USER_KIND));
        item.insert(
            "GSI1SK".into(),
            s(format!("{}#{username}", user.created_at.to_rfc3339())),
        );
        let put = Put::builder()
            .table_name(self.table())
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(ApiError::internal)?;
        let mut actions = vec![TransactWriteItem::builder().put(put).build()];
        if let Some(client_id) = &user.client_id {
            // The client must exist and not be on its way out; bumping `user_seq` makes a
            // concurrent delete of the client, conditional on the value it read, retry
            // and see this user.
            let client = Update::builder()
                .table_name(self.table())
                .key(PK, s(client_pk(client_id)))
                .key(SK, s("CLIENT"))
                .update_expression("SET user_seq = if_not_exists(user_seq, :zero) + :one")
                .condition_expression("attribute_exists(PK) AND attribute_not_exists(deleting)")
                .expression_attribute_values(":zero", super::n(0))
                .expression_attribute_values(":one", super::n(1))
                .build()
                .map_err(ApiError::internal)?;
            let link = Put::builder()
                .table_name(self.table())
                .item(PK, s(client_pk(client_id)))
                .item(SK, s(user_link_sk(username)))
                .item("entity", s("user_link"))
                .item("username", s(username))
                .build()
                .map_err(ApiError::internal)?;
            actions.push(TransactWriteItem::builder().update(client).build());
            actions.push(TransactWriteItem::builder().put(link).build());
        }
        let (request, record) = self.transaction(actions, once)?;
        let Err(err) = request.send().await else {
            return Ok(());
        };
        if super::claim_lost(&err, record) {
            return Err(super::idempotency::in_progress());
        }
        let codes = super::cancellation_codes(&err).unwrap_or_default();
        let failed = |i: usize| {
            codes
                .get(i)
                .is_some_and(|code| code == "ConditionalCheckFailed")
        };
        if failed(0) {
            return Err(ApiError::Conflict(
                "a user with this username already exists".into(),
            ));
        }
        if failed(1) {
            return Err(ApiError::Validation(vec![FieldError::body(
                "client_id",
                "no client exists with this id",
            )]));
        }
        Err(super::transaction_error("create user", err))
    }

    /// A user and its password hash.
    pub async fn get_user(&self, username: &str) -> Result<Option<(User, String)>, ApiError> {
        self.get_item(user_pk(username), "USER", "get user")
            .await?
            .map(|item| {
                serde_dynamo::from_item::<_, UserRecord>(item)
                    .map(|record| (record.user, record.password_hash))
                    .map_err(|e| item_error("read user", e))
            })
            .transpose()
    }

    /// Deletes `user` if it is still at the version read, with its link in its client's
    /// partition when it is a customer; `false` when it is gone or has changed since.
    pub async fn delete_user(&self, user: &User) -> Result<bool, ApiError> {
        let username = user.username.as_str();
        let delete = Delete::builder()
            .table_name(self.table())
            .key(PK, s(user_pk(username)))
            .key(SK, s("USER"))
            .condition_expression("version = :version")
            .expression_attribute_values(":version", super::n(user.version))
            .build()
            .map_err(ApiError::internal)?;
        let mut actions = vec![TransactWriteItem::builder().delete(delete).build()];
        if let Some(client_id) = &user.client_id {
            actions.push(user_link_delete(self.table(), client_id, username)?);
        }
        let (request, _) = self.transaction(actions, &WriteOnce::fresh())?;
        let result = request.send().await;
        match result {
            Ok(_) => Ok(true),
            Err(err)
                if super::cancellation_codes(&err).is_some_and(|codes| {
                    codes.first().is_some_and(|c| c == "ConditionalCheckFailed")
                }) =>
            {
                Ok(false)
            }
            Err(err) => Err(super::transaction_error("delete user", err)),
        }
    }

    /// One page of users, newest first.
    pub async fn list_users(
        &self,
        limit: usize,
        start: Option<ResumeKey>,
    ) -> Result<(Vec<User>, Option<ResumeKey>), ApiError> {
        let query = self
            .client()
            .query()
            .table_name(self.table())
            .index_name(GSI1.name)
            .key_condition_expression("GSI1PK = :kind")
            .expression_attribute_values(":kind", s(USER_KIND))
            .scan_index_forward(false);
        let page = fetch_page(query, &[PK, SK, "GSI1PK", "GSI1SK"], limit, start, false).await?;
        let users = page
            .items
            .into_iter()
            .map(|item| {
                serde_dynamo::from_item::<_, UserRecord>(item)
                    .map(|record| record.user)
                    .map_err(|e| item_error("read user", e))
            })
            .collect::<Result<Vec<User>, ApiError>>()?;
        Ok((users, page.next))
    }
}
