//! Loans in their client's partition (`CLIENT#<client_id>` / `LOAN#<loan_id>`), so a client
//! and its loans come back in one Query.
//!
//! Three indexes serve the other reads: GSI1 (every loan, newest first), GSI2 (loans of
//! one status, newest first) and GSI3 (a loan by id). A new loan increments its client's
//! `loan_seq` in the same transaction, and is refused while the client is being deleted,
//! so a client deletion that saw no open loans cannot race a new one into existence.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem, Update};
use rust_decimal::Decimal;

use super::clients::WriteError;
use super::idempotency::WriteOnce;
use super::page::fetch_page;
use super::{Item, Store, db_error, item_error, n, s};
use crate::cursor::ResumeKey;
use crate::domain::loan::Loan;
use crate::domain::loan_status::LoanStatus;
use crate::error::ApiError;
use crate::table::{GSI1, GSI2, GSI3, PK, SK};

const LOAN_KIND: &str = "LOAN";

pub(crate) fn client_pk(client_id: &str) -> String {
    format!("CLIENT#{client_id}")
}

fn loan_sk(loan_id: &str) -> String {
    format!("LOAN#{loan_id}")
}

fn status_pk(status: LoanStatus) -> String {
    format!("LOAN_STATUS#{}", status.as_str())
}

/// Filters of `GET /loans` (and, with only `status`, of a client's loans).
#[derive(Debug, Default, Clone)]
pub struct LoanFilter {
    /// Only loans of this status.
    pub status: Option<LoanStatus>,
    /// Only loans of this client (read from its partition, not an index).
    pub client_id: Option<String>,
    /// Inclusive lower bound on `amount`, compared as a number whatever the currency.
    pub min_amount: Option<Decimal>,
    /// Inclusive upper bound on `amount`, compared as a number whatever the currency.
    pub max_amount: Option<Decimal>,
    /// Inclusive lower bound on `created_at`, as fixed-width RFC 3339 text.
    pub created_from: Option<String>,
    /// Inclusive upper bound on `created_at` (and on the `<created_at>#<id>` sort keys),
    /// as fixed-width RFC 3339 text followed by a character above every id's.
    pub created_through: Option<String>,
}

/// The stored item of a loan: its fields plus its table and index keys.
pub fn loan_item(loan: &Loan) -> Result<Item, ApiError> {
    let mut item: Item =
        serde_dynamo::to_item(loan).map_err(|e| item_error("serialize loan", e))?;
    let sort = format!("{}#{}", loan.created_at.to_rfc3339(), loan.id);
    item.insert(PK.into(), s(client_pk(&loan.client_id)));
    item.insert(SK.into(), s(loan_sk(&loan.id)));
    item.insert("entity".into(), s("loan"));
    item.insert(GSI1.partition_key.into(), s(LOAN_KIND));
    item.insert("GSI1SK".into(), s(sort.clone()));
    item.insert(GSI2.partition_key.into(), s(status_pk(loan.status)));
    item.insert("GSI2SK".into(), s(sort));
    item.insert(GSI3.partition_key.into(), s(loan_sk(&loan.id)));
    // A number copy of the amount, so amount ranges compare numerically.
    item.insert("amount_n".into(), n(loan.amount));
    Ok(item)
}

pub(crate) fn read_loan(item: Item) -> Result<Loan, ApiError> {
    serde_dynamo::from_item(item).map_err(|e| item_error("read loan", e))
}

/// What a client's partition holds, as [`Store::read_partition`] reads it.
#[derive(Debug, Default)]
pub(crate) struct Partition {
    /// The client item, with its bookkeeping attributes (`loan_seq`, `user_seq`...).
    pub client: Option<Item>,
    /// The client's loans, newest first.
    pub loans: Vec<Loan>,
    /// The usernames of the client's customer logins (their link items).
    pub usernames: Vec<String>,
}

impl Store {
    /// Stores a new loan if its client exists and is not being deleted, with `once`'s
    /// idempotency record in the same transaction.
    pub async fn create_loan(&self, loan: &Loan, once: &WriteOnce) -> Result<(), ApiError> {
        let bump = Update::builder()
            .table_name(self.table())
            .key(PK, s(client_pk(&loan.client_id)))
            .key(SK, s("CLIENT"))
            .update_expression("SET loan_seq = if_not_exists(loan_seq, :zero) + :one")
            .condition_expression("attribute_exists(PK) AND attribute_not_exists(deleting)")
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":one", n(1))
            .build()
            .map_err(ApiError::internal)?;
        let put = Put::builder()
            .table_name(self.table())
            .set_item(Some(loan_item(loan)?))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(ApiError::internal)?;
        let actions = vec![
            TransactWriteItem::builder().update(bump).build(),
            TransactWriteItem::builder().put(put).build(),
        ];
        let (request, record) = self.transaction(actions, once)?;
        let Err(err) = request.send().await else {
            return Ok(());
        };
        if super::claim_lost(&err, record) {
            return Err(super::idempotency::in_progress());
        }
        let client_failed = super::cancellation_codes(&err)
            .and_then(|codes| codes.first().cloned())
            .is_some_and(|code| code == "ConditionalCheckFailed");
        if client_failed {
            return match self.get_client(&loan.client_id).await? {
                None => Err(ApiError::NotFound("no client exists with this id".into())),
                Some(_) => Err(ApiError::Conflict("the client is being deleted".into())),
            };
        }
        Err(super::transaction_error("create loan", err))
    }

    /// A loan by id, from GSI3. Index reads are only eventually consistent, so right after
    /// a write this may briefly miss the loan or return its previous version; a
    /// read-modify-write uses [`Store::get_loan_for_update`].
    pub async fn get_loan(&self, loan_id: &str) -> Result<Option<Loan>, ApiError> {
        let output = self
            .client()
            .query()
            .table_name(self.table())
            .index_name(GSI3.name)
            .key_condition_expression("GSI3PK = :id")
            .expression_attribute_values(":id", s(loan_sk(loan_id)))
            .limit(1)
            .send()
            .await
            .map_err(|e| db_error("get loan", e))?;
        output
            .items
            .unwrap_or_default()
            .into_iter()
            .next()
            .map(read_loan)
            .transpose()
    }

    /// The current version of a loan, read strongly consistent from the table (the index
    /// only locates it), for a read-modify-write.
    pub async fn get_loan_for_update(&self, loan_id: &str) -> Result<Option<Loan>, ApiError> {
        let Some(located) = self.get_loan(loan_id).await? else {
            return Ok(None);
        };
        self.get_item(client_pk(&located.client_id), &loan_sk(loan_id), "get loan")
            .await?
            .map(read_loan)
            .transpose()
    }

    /// Replaces `current` with `next` if `current` is still the stored version.
    pub async fn replace_loan(&self, current: &Loan, next: &Loan) -> Result<(), WriteError> {
        let result = self
            .client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(loan_item(next)?))
            .condition_expression("version = :expected")
            .expression_attribute_values(":expected", n(current.version))
            .send()
            .await;
        super::conditional(result, "update loan")
    }

    /// Deletes `loan` if it is still the stored version.
    pub async fn delete_loan(&self, loan: &Loan) -> Result<(), WriteError> {
        let result = self
            .client()
            .delete_item()
            .table_name(self.table())
            .key(PK, s(client_pk(&loan.client_id)))
            .key(SK, s(loan_sk(&loan.id)))
            .condition_expression("version = :expected")
            .expression_attribute_values(":expected", n(loan.version))
            .send()
            .await;
        super::conditional(result, "delete loan")
    }

    /// The raw client item (with its bookkeeping attributes), its loans and the usernames
    /// of its customer logins: everything in its partition, in one consistent read.
    pub(crate) async fn read_partition(&self, client_id: &str) -> Result<Partition, ApiError> {
        let mut partition = Partition::default();
        let mut start = None;
        loop {
            let output = self
                .client()
                .query()
                .table_name(self.table())
                .key_condition_expression("PK = :pk")
                .expression_attribute_values(":pk", s(client_pk(client_id)))
                .scan_index_forward(false)
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| db_error("read client partition", e))?;
            for item in output.items.unwrap_or_default() {
                match item.get(SK).and_then(|v| v.as_s().ok()).map(String::as_str) {
                    Some("CLIENT") => partition.client = Some(item),
                    Some(sk) if sk.starts_with("LOAN#") => partition.loans.push(read_loan(item)?),
                    Some(sk) if sk.starts_with("USER#") => {
                        if let Some(username) = sk.strip_prefix("USER#") {
                            partition.usernames.push(username.to_owned());
                        }
                    }
                    _ => {}
                }
            }
            start = output.last_evaluated_key;
            if start.is_none() {
                return Ok(partition);
            }
        }
    }

    /// One page of a client's loans, newest first, optionally of one status.
    pub async fn list_client_loans(
        &self,
        client_id: &str,
        status: Option<LoanStatus>,
        limit: usize,
        start: Option<ResumeKey>,
    ) -> Result<(Vec<Loan>, Option<ResumeKey>), ApiError> {
        let filter = LoanFilter {
            status,
            client_id: Some(client_id.to_owned()),
            ..LoanFilter::default()
        };
        self.list_loans(&filter, limit, start).await
    }

    /// One page of loans, newest first. A client filter reads only that client's
    /// partition; otherwise a status filter reads only GSI2's partition of that status,
    /// and no filter reads GSI1. Creation dates narrow the index's sort key; amounts (and
    /// a status within a client) are filter expressions.
    pub async fn list_loans(
        &self,
        filter: &LoanFilter,
        limit: usize,
        start: Option<ResumeKey>,
    ) -> Result<(Vec<Loan>, Option<ResumeKey>), ApiError> {
        let mut conditions: Vec<&str> = Vec::new();
        let mut query = self
            .client()
            .query()
            .table_name(self.table())
            .scan_index_forward(false);
        let (keys, sort_key): (&[&str], &str) = if let Some(client_id) = &filter.client_id {
            query = query
                .key_condition_expression("PK = :pk AND begins_with(SK, :loan)")
                .expression_attribute_values(":pk", s(client_pk(client_id)))
                .expression_attribute_values(":loan", s("LOAN#"))
                .consistent_read(true);
            if let Some(status) = filter.status {
                conditions.push("#status = :status");
                query = query
                    .expression_attribute_names("#status", "status")
                    .expression_attribute_values(":status", s(status.as_str()));
            }
            (&[PK, SK], "created_at")
        } else if let Some(status) = filter.status {
            query = query
                .index_name(GSI2.name)
                .expression_attribute_values(":pk", s(status_pk(status)));
            (&[PK, SK, "GSI2PK", "GSI2SK"], "GSI2SK")
        } else {
            query = query
                .index_name(GSI1.name)
                .expression_attribute_values(":pk", s(LOAN_KIND));
            (&[PK, SK, "GSI1PK", "GSI1SK"], "GSI1SK")
        };
        if filter.client_id.is_none() {
            let partition = if filter.status.is_some() {
                "GSI2PK"
            } else {
                "GSI1PK"
            };
            let range = match (&filter.created_from, &filter.created_through) {
                (Some(_), Some(_)) => " AND #sort BETWEEN :from AND :through",
                (Some(_), None) => " AND #sort >= :from",
                (None, Some(_)) => " AND #sort <= :through",
                (None, None) => "",
            };
            query = query.key_condition_expression(format!("{partition} = :pk{range}"));
        } else if filter.created_from.is_some() {
            conditions.push("#sort >= :from");
        }
        if filter.client_id.is_some() && filter.created_through.is_some() {
            conditions.push("#sort <= :through");
        }
        if filter.created_from.is_some() || filter.created_through.is_some() {
            query = query.expression_attribute_names("#sort", sort_key);
        }
        if let Some(from) = &filter.created_from {
            query = query.expression_attribute_values(":from", s(from.clone()));
        }
        if let Some(through) = &filter.created_through {
            query = query.expression_attribute_values(":through", s(through.clone()));
        }
        if let Some(min) = filter.min_amount {
            conditions.push("amount_n >= :min");
            query = query.expression_attribute_values(":min", n(min));
        }
        if let Some(max) = filter.max_amount {
            conditions.push("amount_n <= :max");
            query = query.expression_attribute_values(":max", n(max));
        }
        let filtered = !conditions.is_empty();
        if filtered {
            query = query.filter_expression(conditions.join(" AND "));
        }
        let page = fetch_page(query, keys, limit, start, filtered).await?;
        let loans = page
            .items
            .into_iter()
            .map(read_loan)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((loans, page.next))
    }
}
