//! Users in the table (`USER#<username>`), created only for a client that exists.

use aws_sdk_dynamodb::types::{ConditionCheck, Put, TransactWriteItem};
use serde::Deserialize;

use super::page::fetch_page;
use super::{Store, db_error, item_error, s};
use crate::cursor::ResumeKey;
use crate::domain::user::User;
use crate::error::{ApiError, FieldError};
use crate::table::{GSI1, PK, SK};

const USER_KIND: &str = "USER";

fn user_pk(username: &str) -> String {
    format!("USER#{username}")
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
    pub async fn create_user(&self, user: &User, password_hash: &str) -> Result<(), ApiError> {
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
        let mut request = self
            .client()
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build());
        if let Some(client_id) = &user.client_id {
            let check = ConditionCheck::builder()
                .table_name(self.table())
                .key(PK, s(format!("CLIENT#{client_id}")))
                .key(SK, s("CLIENT"))
                .condition_expression("attribute_exists(PK)")
                .build()
                .map_err(ApiError::internal)?;
            request =
                request.transact_items(TransactWriteItem::builder().condition_check(check).build());
        }
        let Err(err) = request.send().await else {
            return Ok(());
        };
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

    /// Deletes a user at `version`; `false` when there is no such user (any more).
    pub async fn delete_user(&self, username: &str, version: u64) -> Result<bool, ApiError> {
        let result = self
            .client()
            .delete_item()
            .table_name(self.table())
            .key(PK, s(user_pk(username)))
            .key(SK, s("USER"))
            .condition_expression("version = :version")
            .expression_attribute_values(":version", super::n(version))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(err) => Err(db_error("delete user", err)),
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
