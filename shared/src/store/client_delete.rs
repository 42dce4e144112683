//! Deleting a client: refused while it has an open loan; otherwise the client, its guard
//! items, all its (closed) loans with their ledgers and its customer logins go, and no loan or login is ever
//! left without its client.
//!
//! When everything fits in one transaction (DynamoDB allows 100 actions), one transaction
//! deletes it all, conditional on the client's `version`, `loan_seq` and `user_seq` being
//! what was read, so a loan or a login created meanwhile makes the delete retry. A bigger
//! client is first marked `deleting` (which stops new loans and logins), then its loans
//! and logins go in batches, and the client and its guards go last. If the function dies
//! halfway the client is still there, with fewer closed loans and logins, and repeating
//! the delete finishes the job.

use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem, Update};

use super::clients::{Part, explain, guard_deletes, read_client};
use super::error::StoreError;
use super::keys::{CLIENT_SK, DELETING, LOAN_SEQ, PK, SK, USER_SEQ, VERSION, client_pk, loan_sk};
use super::loans::Partition;
use super::users::{user_delete, user_link_delete};
use super::{Item, Store, n, s};
use crate::domain::client::Client;
use crate::domain::ids::ClientId;
use crate::domain::loan::Loan;

/// Actions one `TransactWriteItems` may hold.
const MAX_TRANSACTION_ITEMS: usize = 100;

/// The counters a delete is conditional on: a loan or a login created since the read
/// bumps one of them.
const COUNTERS: [(&str, &str); 2] = [(LOAN_SEQ, ":loan_seq"), (USER_SEQ, ":user_seq")];

fn delete_in_partition(
    table: &str,
    client: &ClientId,
    sort_key: String,
) -> Result<TransactWriteItem, StoreError> {
    let delete = Delete::builder()
        .table_name(table)
        .key(PK, s(client_pk(client.as_str())))
        .key(SK, s(sort_key))
        .build()
        .map_err(StoreError::invalid_request)?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

/// A client as read for deleting it: the client, its stored item (whose `version`,
/// `loan_seq` and `user_seq` the delete is conditional on), all its loans and the
/// usernames of its customer logins, from one consistent query of its partition.
#[derive(Debug)]
pub struct ClientPartition {
    /// The client.
    pub client: Client,
    item: Item,
    /// Every loan of the client, newest first.
    pub loans: Vec<Loan>,
    /// The usernames of the client's customer logins.
    pub usernames: Vec<String>,
    /// The sort keys of its (closed) loans' transactions.
    txn_keys: Vec<String>,
}

impl ClientPartition {
    /// The condition "unchanged since read" and its values: the same `version`, and each
    /// counter as read (or still absent).
    fn unchanged(&self) -> (String, Vec<(&'static str, AttributeValue)>) {
        let mut condition = format!("{VERSION} = :version");
        let mut values = vec![(":version", n(self.client.version()))];
        for (name, placeholder) in COUNTERS {
            match self.item.get(name).and_then(|v| v.as_n().ok()) {
                Some(seen) => {
                    condition.push_str(&format!(" AND {name} = {placeholder}"));
                    values.push((placeholder, AttributeValue::N(seen.clone())));
                }
                None => condition.push_str(&format!(" AND attribute_not_exists({name})")),
            }
        }
        (condition, values)
    }

    /// The deletes of every customer login of the client: the user and its link.
    fn login_deletes(&self, table: &str) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut actions = Vec::with_capacity(self.usernames.len() * 2);
        for username in &self.usernames {
            actions.push(user_delete(table, username)?);
            actions.push(user_link_delete(table, self.client.id(), username)?);
        }
        Ok(actions)
    }

    /// The deletes of every loan of the client and of every transaction of its loans.
    fn loan_deletes(&self, table: &str) -> Result<Vec<TransactWriteItem>, StoreError> {
        let id = self.client.id();
        self.loans
            .iter()
            .map(|loan| loan_sk(loan.id().as_str()))
            .chain(self.txn_keys.iter().cloned())
            .map(|sort_key| delete_in_partition(table, id, sort_key))
            .collect()
    }

    /// A loan that keeps the client from being deleted (`pending`, `approved` or
    /// `active`), if it has one.
    pub fn open_loan(&self) -> Option<&Loan> {
        self.loans
            .iter()
            .find(|loan| loan.status().blocks_client_delete())
    }
}

impl Store {
    /// Reads a client, all its loans (newest first) and its customer logins in one
    /// consistent query, as they all live in its partition (more than one call only when
    /// the partition exceeds DynamoDB's 1 MB page); `None` when there is no such client.
    pub async fn client_partition(
        &self,
        id: &ClientId,
    ) -> Result<Option<ClientPartition>, StoreError> {
        let Partition {
            client,
            loans,
            usernames,
            txn_keys,
        } = self.read_partition(id).await?;
        let Some(item) = client else {
            return Ok(None);
        };
        let client = read_client(item.clone())?;
        Ok(Some(ClientPartition {
            client,
            item,
            loans,
            usernames,
            txn_keys,
        }))
    }

    /// Deletes the client of `partition` with its guards, loans and logins, if it is still
    /// as read. The caller checks first that no loan keeps it
    /// ([`ClientPartition::open_loan`]).
    pub async fn delete_client(&self, partition: &ClientPartition) -> Result<(), StoreError> {
        let client = &partition.client;
        let (unchanged, values) = partition.unchanged();
        let guards = guard_deletes(self.table(), client)?;
        let logins = partition.login_deletes(self.table())?;
        let loans = partition.loan_deletes(self.table())?;
        if 1 + guards.len() + loans.len() + logins.len() <= MAX_TRANSACTION_ITEMS {
            let mut delete = Delete::builder()
                .table_name(self.table())
                .key(PK, s(client_pk(client.id().as_str())))
                .key(SK, s(CLIENT_SK))
                .condition_expression(unchanged);
            for (placeholder, value) in values {
                delete = delete.expression_attribute_values(placeholder, value);
            }
            let mut actions = vec![
                TransactWriteItem::builder()
                    .delete(delete.build().map_err(StoreError::invalid_request)?)
                    .build(),
            ];
            actions.extend(guards);
            actions.extend(loans);
            actions.extend(logins);
            return self.transact_client(actions, "delete client").await;
        }

        let mut mark = Update::builder()
            .table_name(self.table())
            .key(PK, s(client_pk(client.id().as_str())))
            .key(SK, s(CLIENT_SK))
            .update_expression(format!("SET {DELETING} = :yes"))
            .condition_expression(unchanged)
            .expression_attribute_values(":yes", AttributeValue::Bool(true));
        for (placeholder, value) in values {
            mark = mark.expression_attribute_values(placeholder, value);
        }
        let mark = TransactWriteItem::builder()
            .update(mark.build().map_err(StoreError::invalid_request)?)
            .build();
        self.transact_client(vec![mark], "mark client deleting")
            .await?;
        let mut loans = loans.into_iter().peekable();
        while loans.peek().is_some() {
            let batch: Vec<_> = loans.by_ref().take(MAX_TRANSACTION_ITEMS).collect();
            self.transact_client(batch, "delete closed loans and their ledgers")
                .await?;
        }
        // A login is two actions (user and link), so a batch never splits one.
        let mut logins = logins.into_iter().peekable();
        while logins.peek().is_some() {
            let batch: Vec<_> = logins.by_ref().take(MAX_TRANSACTION_ITEMS).collect();
            self.transact_client(batch, "delete customer logins")
                .await?;
        }
        let last = Delete::builder()
            .table_name(self.table())
            .key(PK, s(client_pk(client.id().as_str())))
            .key(SK, s(CLIENT_SK))
            .condition_expression(format!("{VERSION} = :version AND {DELETING} = :yes"))
            .expression_attribute_values(":version", n(client.version()))
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .build()
            .map_err(StoreError::invalid_request)?;
        let mut actions = vec![TransactWriteItem::builder().delete(last).build()];
        actions.extend(guard_deletes(self.table(), client)?);
        self.transact_client(actions, "delete client").await
    }

    /// Runs one transaction whose first action is on the client; a failed condition on
    /// it (or on a guard) means the client changed since it was read.
    async fn transact_client(
        &self,
        actions: Vec<TransactWriteItem>,
        context: &'static str,
    ) -> Result<(), StoreError> {
        let parts: Vec<Part> = std::iter::once(Part::Client)
            .chain(std::iter::repeat_n(
                Part::OldGuard,
                actions.len().saturating_sub(1),
            ))
            .collect();
        self.transact(actions)
            .await
            .map_err(|err| explain(err, &parts, context))
    }
}
