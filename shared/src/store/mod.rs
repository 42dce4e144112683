//! Access to the DynamoDB table, in the domain's terms: one submodule per resource, each
//! taking and returning domain types and failing with a [`StoreError`].
//!
//! - [`keys`]: every key and attribute name; [`table`]: the table's definition.
//! - [`connect`]: the SDK client (TLS, timeouts, retries); [`retry`]: which cancelled
//!   transactions the SDK retries.
//! - [`error`]: [`StoreError`], and the reading of SDK failures.
//! - [`clients`], [`client_delete`], [`loans`], [`users`], [`logins`], [`idempotency`]:
//!   the resources; [`page`]: full pages from queries; [`batch`]: bulk loading.
//!
//! The store never builds a caller-facing error: `crate::error` maps [`StoreError`] to
//! Problem Details.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::transact_write_items::builders::TransactWriteItemsFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};

pub mod accounts;
pub mod batch;
pub mod client_delete;
pub mod clients;
pub mod connect;
pub mod error;
pub mod idempotency;
pub mod keys;
pub mod ledger;
pub mod loans;
pub mod logins;
pub mod page;
pub mod products;
pub mod retry;
pub mod sessions;
pub mod table;
pub mod users;

pub use connect::{dynamodb_client, dynamodb_client_from_default_chain};
pub use error::StoreError;

use idempotency::WriteOnce;
use keys::{PK, SK};

/// A DynamoDB item.
pub type Item = HashMap<String, AttributeValue>;

/// The table and the client that reaches it; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    client: aws_sdk_dynamodb::Client,
    table: String,
    idempotency_lease_secs: i64,
}

impl Store {
    /// A store over `table`, reached through `client` (built by [`dynamodb_client`]).
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            idempotency_lease_secs: idempotency::LEASE_SECS,
        }
    }

    /// The same store with another idempotency lease (tests shorten it, so that a retry
    /// after a lost write need not wait [`idempotency::LEASE_SECS`]).
    pub fn with_idempotency_lease(mut self, secs: i64) -> Self {
        self.idempotency_lease_secs = secs;
        self
    }

    /// How long an idempotency claim is leased to the attempt that made it, in seconds.
    pub fn idempotency_lease_secs(&self) -> i64 {
        self.idempotency_lease_secs
    }

    /// The SDK client, for operations the store's methods do not cover.
    pub fn client(&self) -> &aws_sdk_dynamodb::Client {
        &self.client
    }

    /// The table's name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// Reads one item by its key, strongly consistent.
    pub async fn get_item(
        &self,
        pk: String,
        sk: &str,
        context: &'static str,
    ) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, s(pk))
            .key(SK, s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::sdk(context, e))?;
        Ok(output.item)
    }

    /// A transaction carrying `once`'s token, with `actions` and, under an
    /// `Idempotency-Key`, the completion of its record last. Returns the request and the
    /// index of the record's action.
    pub(crate) fn transaction(
        &self,
        actions: Vec<TransactWriteItem>,
        once: &WriteOnce,
    ) -> Result<(TransactWriteItemsFluentBuilder, Option<usize>), StoreError> {
        let count = actions.len();
        let request = self
            .client
            .transact_write_items()
            .set_transact_items(Some(actions));
        once.apply(&self.table, request, count)
    }

    /// Runs a transaction of `actions` with a fresh token, for writes that no
    /// `Idempotency-Key` protects.
    pub(crate) async fn transact(
        &self,
        actions: Vec<TransactWriteItem>,
    ) -> Result<
        (),
        aws_sdk_dynamodb::error::SdkError<
            aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError,
        >,
    > {
        let count = actions.len();
        self.client
            .transact_write_items()
            .set_transact_items(Some(actions))
            .client_request_token(WriteOnce::fresh().token())
            .send()
            .await
            .map(|_| {
                tracing::debug!(actions = count, "transaction written");
            })
    }
}

/// An `Update` that sets every attribute of `item` except its key, leaving attributes the
/// item does not mention (bookkeeping such as a client's `loan_seq`) untouched.
pub fn update_all(table: &str, mut item: Item) -> aws_sdk_dynamodb::types::builders::UpdateBuilder {
    let mut update = aws_sdk_dynamodb::types::Update::builder().table_name(table);
    for key in [PK, SK] {
        if let Some(value) = item.remove(key) {
            update = update.key(key, value);
        }
    }
    let mut assignments = Vec::with_capacity(item.len());
    for (i, (name, value)) in item.into_iter().enumerate() {
        assignments.push(format!("#a{i} = :a{i}"));
        update = update
            .expression_attribute_names(format!("#a{i}"), name)
            .expression_attribute_values(format!(":a{i}"), value);
    }
    update.update_expression(format!("SET {}", assignments.join(", ")))
}

/// A string attribute value.
pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A number attribute value.
pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// The string attribute `name` of `item`, if it has one.
pub fn text(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}
