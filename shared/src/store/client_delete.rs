//! Deleting a client: refused while it has an open loan; otherwise the client, its guard
//! items and all its (closed) loans go, and no loan is ever left without its client.
//!
//! When everything fits in one transaction (DynamoDB allows 100 actions), one transaction
//! deletes it all, conditional on the client's `version` and `loan_seq` being what was
//! read, so a loan created meanwhile makes the delete retry. A client with more loans is
//! first marked `deleting` (which stops new loans), then its loans go in batches, and the
//! client and its guards go last. If the function dies halfway the client is still there,
//! with fewer closed loans, and repeating the delete finishes the job.

use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem, Update};

use super::clients::{Part, WriteError, document_key, email_key, explain, guard_delete};
use super::loans::client_pk;
use super::{Item, Store, item_error, n, s};
use crate::domain::client::Client;
use crate::domain::loan::Loan;
use crate::error::ApiError;
use crate::table::{PK, SK};

/// Actions one `TransactWriteItems` may hold.
const MAX_TRANSACTION_ITEMS: usize = 100;

fn delete_loan_item(table: &str, loan: &Loan) -> Result<TransactWriteItem, ApiError> {
    let delete = Delete::builder()
        .table_name(table)
        .key(PK, s(client_pk(&loan.client_id)))
        .key(SK, s(format!("LOAN#{}", loan.id)))
        .build()
        .map_err(ApiError::internal)?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

/// A client as read for deleting it: the client, its stored item (whose `version` and
/// `loan_seq` the delete is conditional on) and all its loans, from one consistent query
/// of its partition.
#[derive(Debug)]
pub struct ClientPartition {
    /// The client.
    pub client: Client,
    item: Item,
    /// Every loan of the client.
    pub loans: Vec<Loan>,
}

impl Store {
    /// Reads a client and all its loans in one consistent query (a client's loans live in
    /// its partition); `None` when there is no such client.
    pub async fn client_partition(&self, id: &str) -> Result<Option<ClientPartition>, ApiError> {
        let (item, loans) = self.read_partition(id).await?;
        let Some(item) = item else {
            return Ok(None);
        };
        let client =
            serde_dynamo::from_item(item.clone()).map_err(|e| item_error("read client", e))?;
        Ok(Some(ClientPartition {
            client,
            item,
            loans,
        }))
    }

    /// Deletes the client of `partition` with its guards and loans, if it is still as read.
    pub async fn delete_client(&self, partition: &ClientPartition) -> Result<(), WriteError> {
        let ClientPartition {
            client,
            item,
            loans,
        } = partition;
        let number = |name: &str| item.get(name).and_then(|v| v.as_n().ok()).cloned();
        if let Some(open) = loans.iter().find(|loan| loan.status.blocks_client_delete()) {
            return Err(WriteError::Api(ApiError::Conflict(format!(
                "the client has a loan that is {}; it can be deleted once every loan is rejected, cancelled or paid",
                open.status
            ))));
        }
        // The client as read: same version, and no loan created since.
        let seen = match number("loan_seq") {
            Some(seq) => ("version = :version AND loan_seq = :seq", Some(seq)),
            None => (
                "version = :version AND attribute_not_exists(loan_seq)",
                None,
            ),
        };
        let guards = self.guard_deletes(client)?;
        if loans.len() + 1 + guards.len() <= MAX_TRANSACTION_ITEMS {
            let mut delete = Delete::builder()
                .table_name(self.table())
                .key(PK, s(client_pk(&client.id)))
                .key(SK, s("CLIENT"))
                .condition_expression(seen.0)
                .expression_attribute_values(":version", n(client.version));
            if let Some(seq) = seen.1 {
                delete = delete.expression_attribute_values(":seq", AttributeValue::N(seq));
            }
            let mut actions = vec![
                TransactWriteItem::builder()
                    .delete(delete.build().map_err(ApiError::internal)?)
                    .build(),
            ];
            actions.extend(guards);
            for loan in loans {
                actions.push(delete_loan_item(self.table(), loan)?);
            }
            return self.transact(actions, "delete client").await;
        }

        let mut mark = Update::builder()
            .table_name(self.table())
            .key(PK, s(client_pk(&client.id)))
            .key(SK, s("CLIENT"))
            .update_expression("SET deleting = :yes")
            .condition_expression(seen.0)
            .expression_attribute_values(":version", n(client.version))
            .expression_attribute_values(":yes", AttributeValue::Bool(true));
        if let Some(seq) = seen.1 {
            mark = mark.expression_attribute_values(":seq", AttributeValue::N(seq));
        }
        let mark = TransactWriteItem::builder()
            .update(mark.build().map_err(ApiError::internal)?)
            .build();
        self.transact(vec![mark], "mark client deleting").await?;
        for batch in loans.chunks(MAX_TRANSACTION_ITEMS) {
            let actions = batch
                .iter()
                .map(|loan| delete_loan_item(self.table(), loan))
                .collect::<Result<Vec<_>, _>>()?;
            self.transact(actions, "delete closed loans").await?;
        }
        let last = Delete::builder()
            .table_name(self.table())
            .key(PK, s(client_pk(&client.id)))
            .key(SK, s("CLIENT"))
            .condition_expression("version = :version AND deleting = :yes")
            .expression_attribute_values(":version", n(client.version))
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .build()
            .map_err(ApiError::internal)?;
        let mut actions = vec![TransactWriteItem::builder().delete(last).build()];
        actions.extend(self.guard_deletes(client)?);
        self.transact(actions, "delete client").await
    }

    fn guard_deletes(&self, client: &Client) -> Result<Vec<TransactWriteItem>, ApiError> {
        let d = &client.details;
        Ok(vec![
            guard_delete(
                self.table(),
                email_key(&d.email.normalized()),
                "EMAIL",
                &client.id,
            )?,
            guard_delete(
                self.table(),
                document_key(d.document_number.as_str()),
                "DOCUMENT",
                &client.id,
            )?,
        ])
    }

    /// Runs one transaction whose first action is on the client; a failed condition on
    /// it (or on a guard) means the client changed since it was read.
    async fn transact(
        &self,
        actions: Vec<TransactWriteItem>,
        context: &'static str,
    ) -> Result<(), WriteError> {
        let parts: Vec<Part> = std::iter::once(Part::Client)
            .chain(std::iter::repeat_n(
                Part::OldGuard,
                actions.len().saturating_sub(1),
            ))
            .collect();
        self.client()
            .transact_write_items()
            .set_transact_items(Some(actions))
            .send()
            .await
            .map(|_| ())
            .map_err(|err| explain(err, &parts, context))
    }
}
