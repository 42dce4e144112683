//! Loans in their client's partition (`CLIENT#<client_id>` / `LOAN#<loan_id>`), so a client
//! and its loans come back in one Query.
//!
//! Three indexes serve the other reads: GSI1 (every loan, newest first), GSI2 (loans of
//! one status, newest first) and GSI3 (a loan by id). A new loan increments its client's
//! `loan_seq` in the same transaction, and is refused while the client is being deleted,
//! so a client deletion that saw no open loans cannot race a new one into existence.

use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem, Update};
use rust_decimal::Decimal;

use super::error::{StoreError, conditional, failed_condition};
use super::idempotency::{WriteOnce, claim_lost};
use super::keys::{
    AMOUNT_NUMBER, ARREARS_KIND, CLIENT_SK, CREATED_AT, DELETING, ENTITY, GSI1PK, GSI1SK, GSI2PK,
    GSI2SK, GSI3PK, GSI4PK, GSI4SK, LOAN_KIND, LOAN_PREFIX, LOAN_SEQ, PENDING_LOANS, PK, SK,
    STATUS, TXN_PREFIX, USER_LINK_PREFIX, VERSION, client_pk, created_sort_key, loan_sk, status_pk,
};
use super::page::{ResumeKey, fetch_page};
use super::table::{GSI1, GSI2, GSI3, GSI4};
use super::{Item, Store, n, s, text};
use crate::domain::ids::{ClientId, LoanId};
use crate::domain::loan::Loan;
use crate::domain::loan_status::{LoanStatus, MAX_PENDING_LOANS};

/// Filters of `GET /loans` (and, with only `status`, of a client's loans).
#[derive(Debug, Default, Clone)]
pub struct LoanFilter {
    /// Only loans of this status.
    pub status: Option<LoanStatus>,
    /// Only loans of this client (read from its partition, not an index).
    pub client_id: Option<ClientId>,
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
pub fn loan_item(loan: &Loan) -> Result<Item, StoreError> {
    let mut item: Item =
        serde_dynamo::to_item(loan).map_err(|e| StoreError::item("serialize loan", e))?;
    let id = loan.id().as_str();
    let sort = created_sort_key(loan.created_at(), id);
    item.insert(PK.into(), s(client_pk(loan.client_id().as_str())));
    item.insert(SK.into(), s(loan_sk(id)));
    item.insert(ENTITY.into(), s("loan"));
    item.insert(GSI1PK.into(), s(LOAN_KIND));
    item.insert(GSI1SK.into(), s(sort.clone()));
    item.insert(GSI2PK.into(), s(status_pk(loan.status())));
    item.insert(GSI2SK.into(), s(sort));
    item.insert(GSI3PK.into(), s(loan_sk(id)));
    item.insert(AMOUNT_NUMBER.into(), n(loan.amount()));
    Ok(item)
}

pub(crate) fn read_loan(item: Item) -> Result<Loan, StoreError> {
    serde_dynamo::from_item(item).map_err(|e| StoreError::item("read loan", e))
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
    /// The sort keys of its loans' transactions.
    pub txn_keys: Vec<String>,
}

impl Store {
    /// Stores a new loan if its client exists and is not being deleted, with `once`'s
    /// idempotency record in the same transaction.
    pub async fn create_loan(&self, loan: &Loan, once: &WriteOnce) -> Result<(), StoreError> {
        let pending = loan.status() == LoanStatus::Pending;
        let mut bump = Update::builder()
            .table_name(self.table())
            .key(PK, s(client_pk(loan.client_id().as_str())))
            .key(SK, s(CLIENT_SK))
            .expression_attribute_names("#seq", LOAN_SEQ)
            .expression_attribute_names("#deleting", DELETING)
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":one", n(1));
        bump = if pending {
            // The limit on pending applications holds in this transaction: two racing
            // applications cannot both take the last slot.
            bump.update_expression(
                "SET #seq = if_not_exists(#seq, :zero) + :one, \
                 #pending = if_not_exists(#pending, :zero) + :one",
            )
            .condition_expression(
                "attribute_exists(PK) AND attribute_not_exists(#deleting) AND \
                 (attribute_not_exists(#pending) OR #pending < :max)",
            )
            .expression_attribute_names("#pending", PENDING_LOANS)
            .expression_attribute_values(":max", n(MAX_PENDING_LOANS))
        } else {
            bump.update_expression("SET #seq = if_not_exists(#seq, :zero) + :one")
                .condition_expression("attribute_exists(PK) AND attribute_not_exists(#deleting)")
        };
        let put = Put::builder()
            .table_name(self.table())
            .set_item(Some(loan_item(loan)?))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(StoreError::invalid_request)?;
        let mut actions = vec![
            TransactWriteItem::builder()
                .update(bump.build().map_err(StoreError::invalid_request)?)
                .build(),
            TransactWriteItem::builder().put(put).build(),
        ];
        if let Some(product) = loan.product_id() {
            actions.push(super::products::loan_made(self.table(), product)?);
        }
        let (request, record) = self.transaction(actions, once)?;
        let Err(err) = request.send().await else {
            return Ok(());
        };
        if claim_lost(&err, record) {
            return Err(StoreError::ClaimLost);
        }
        if failed_condition(&err, 0) {
            let client = self
                .get_item(
                    client_pk(loan.client_id().as_str()),
                    CLIENT_SK,
                    "get client",
                )
                .await?;
            return Err(match client {
                None => StoreError::MissingClient,
                Some(item) if item.contains_key(DELETING) => StoreError::ClientDeleting,
                Some(_) => StoreError::PendingLimit,
            });
        }
        if loan.product_id().is_some() && failed_condition(&err, 2) {
            return Err(StoreError::ProductInactive);
        }
        Err(StoreError::transaction("create loan", err))
    }

    /// The client update that frees a pending slot, for a write that takes a loan out of
    /// `pending`.
    fn pending_released(&self, loan: &Loan) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(self.table())
            .key(PK, s(client_pk(loan.client_id().as_str())))
            .key(SK, s(CLIENT_SK))
            .update_expression("SET #pending = if_not_exists(#pending, :one) - :one")
            .expression_attribute_names("#pending", PENDING_LOANS)
            .expression_attribute_values(":one", n(1))
            .build()
            .map_err(StoreError::invalid_request)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// A loan by id, from GSI3. Index reads are only eventually consistent, so right after
    /// a write this may briefly miss the loan or return its previous version; a
    /// read-modify-write uses [`Store::get_loan_for_update`].
    pub async fn get_loan(&self, loan_id: &LoanId) -> Result<Option<Loan>, StoreError> {
        let output = self
            .client()
            .query()
            .table_name(self.table())
            .index_name(GSI3.name)
            .key_condition_expression("#id = :id")
            .expression_attribute_names("#id", GSI3PK)
            .expression_attribute_values(":id", s(loan_sk(loan_id.as_str())))
            .limit(1)
            .send()
            .await
            .map_err(|e| StoreError::sdk("get loan", e))?;
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
    pub async fn get_loan_for_update(&self, loan_id: &LoanId) -> Result<Option<Loan>, StoreError> {
        let Some(located) = self.get_loan(loan_id).await? else {
            return Ok(None);
        };
        self.get_item(
            client_pk(located.client_id().as_str()),
            &loan_sk(loan_id.as_str()),
            "get loan",
        )
        .await?
        .map(read_loan)
        .transpose()
    }

    /// Replaces `current` with `next` if `current` is still the stored version; when the
    /// loan leaves `pending`, its client's pending slot is freed in the same transaction.
    pub async fn replace_loan(&self, current: &Loan, next: &Loan) -> Result<(), StoreError> {
        let frees_slot =
            current.status() == LoanStatus::Pending && next.status() != LoanStatus::Pending;
        if !frees_slot {
            let result = self
                .client()
                .put_item()
                .table_name(self.table())
                .set_item(Some(loan_item(next)?))
                .condition_expression("#version = :expected")
                .expression_attribute_names("#version", VERSION)
                .expression_attribute_values(":expected", n(current.version()))
                .send()
                .await;
            return conditional(result, "update loan");
        }
        let put = Put::builder()
            .table_name(self.table())
            .set_item(Some(loan_item(next)?))
            .condition_expression("#version = :expected")
            .expression_attribute_names("#version", VERSION)
            .expression_attribute_values(":expected", n(current.version()))
            .build()
            .map_err(StoreError::invalid_request)?;
        let actions = vec![
            TransactWriteItem::builder().put(put).build(),
            self.pending_released(current)?,
        ];
        self.transact_loan(actions, "update loan").await
    }

    /// Deletes `loan` if it is still the stored version, freeing its client's pending
    /// slot when it was pending.
    pub async fn delete_loan(&self, loan: &Loan) -> Result<(), StoreError> {
        let delete = Delete::builder()
            .table_name(self.table())
            .key(PK, s(client_pk(loan.client_id().as_str())))
            .key(SK, s(loan_sk(loan.id().as_str())))
            .condition_expression("#version = :expected")
            .expression_attribute_names("#version", VERSION)
            .expression_attribute_values(":expected", n(loan.version()))
            .build()
            .map_err(StoreError::invalid_request)?;
        let mut actions = vec![TransactWriteItem::builder().delete(delete).build()];
        if loan.status() == LoanStatus::Pending {
            actions.push(self.pending_released(loan)?);
        }
        self.transact_loan(actions, "delete loan").await
    }

    /// A transaction whose first action is on the loan, conditional on its version.
    async fn transact_loan(
        &self,
        actions: Vec<TransactWriteItem>,
        context: &'static str,
    ) -> Result<(), StoreError> {
        match self.transact(actions).await {
            Ok(()) => Ok(()),
            Err(err) if failed_condition(&err, 0) => Err(StoreError::Stale),
            Err(err) => Err(StoreError::transaction(context, err)),
        }
    }

    /// The raw client item (with its bookkeeping attributes), its loans, the usernames of
    /// its customer logins and its loans' transactions: everything in its partition, in
    /// one consistent read.
    pub(crate) async fn read_partition(
        &self,
        client_id: &ClientId,
    ) -> Result<Partition, StoreError> {
        let mut partition = Partition::default();
        let mut start = None;
        loop {
            let output = self
                .client()
                .query()
                .table_name(self.table())
                .key_condition_expression("PK = :pk")
                .expression_attribute_values(":pk", s(client_pk(client_id.as_str())))
                .scan_index_forward(false)
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| StoreError::sdk("read client partition", e))?;
            for item in output.items.unwrap_or_default() {
                let sort_key = text(&item, SK).unwrap_or_default();
                if sort_key == CLIENT_SK {
                    partition.client = Some(item);
                } else if sort_key.starts_with(LOAN_PREFIX) {
                    partition.loans.push(read_loan(item)?);
                } else if let Some(username) = sort_key.strip_prefix(USER_LINK_PREFIX) {
                    partition.usernames.push(username.to_owned());
                } else if sort_key.starts_with(TXN_PREFIX) {
                    partition.txn_keys.push(sort_key);
                }
            }
            start = output.last_evaluated_key;
            if start.is_none() {
                return Ok(partition);
            }
        }
    }

    /// One page of the arrears list: `active` loans whose oldest unpaid installment fell
    /// due on or before `due_by`, most overdue first (from GSI4, which holds only such
    /// loans, so a page reads only what it returns).
    pub async fn list_arrears(
        &self,
        due_by: chrono::NaiveDate,
        limit: usize,
        start: Option<ResumeKey>,
    ) -> Result<(Vec<Loan>, Option<ResumeKey>), StoreError> {
        let after = due_by.succ_opt().unwrap_or(due_by);
        let query = self
            .client()
            .query()
            .table_name(self.table())
            .index_name(GSI4.name)
            .key_condition_expression("#pk = :pk AND #sk < :after")
            .expression_attribute_names("#pk", GSI4PK)
            .expression_attribute_names("#sk", GSI4SK)
            .expression_attribute_values(":pk", s(ARREARS_KIND))
            .expression_attribute_values(":after", s(after.to_string()))
            .scan_index_forward(true);
        let page = fetch_page(query, &GSI4.page_keys(), limit, start, false).await?;
        let loans = page
            .items
            .into_iter()
            .map(read_loan)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((loans, page.next))
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
    ) -> Result<(Vec<Loan>, Option<ResumeKey>), StoreError> {
        let mut conditions: Vec<&str> = Vec::new();
        let mut query = self
            .client()
            .query()
            .table_name(self.table())
            .scan_index_forward(false);
        let range = match (&filter.created_from, &filter.created_through) {
            (Some(_), Some(_)) => "#sort BETWEEN :from AND :through",
            (Some(_), None) => "#sort >= :from",
            (None, Some(_)) => "#sort <= :through",
            (None, None) => "",
        };
        let keys: Vec<&str> = if let Some(client_id) = &filter.client_id {
            query = query
                .key_condition_expression("PK = :pk AND begins_with(SK, :loan)")
                .expression_attribute_values(":pk", s(client_pk(client_id.as_str())))
                .expression_attribute_values(":loan", s(LOAN_PREFIX))
                .consistent_read(true);
            if let Some(status) = filter.status {
                conditions.push("#status = :status");
                query = query
                    .expression_attribute_names("#status", STATUS)
                    .expression_attribute_values(":status", s(status.as_str()));
            }
            if !range.is_empty() {
                conditions.push(range);
                query = query.expression_attribute_names("#sort", CREATED_AT);
            }
            vec![PK, SK]
        } else {
            let (index, partition) = match filter.status {
                Some(status) => (GSI2, status_pk(status)),
                None => (GSI1, LOAN_KIND.to_owned()),
            };
            let key_condition = if range.is_empty() {
                "#pk = :pk".to_owned()
            } else {
                format!("#pk = :pk AND {range}")
            };
            query = query
                .index_name(index.name)
                .key_condition_expression(key_condition)
                .expression_attribute_names("#pk", index.partition_key)
                .expression_attribute_values(":pk", s(partition));
            if let (false, Some(sort_key)) = (range.is_empty(), index.sort_key) {
                query = query.expression_attribute_names("#sort", sort_key);
            }
            index.page_keys()
        };
        if let Some(from) = &filter.created_from {
            query = query.expression_attribute_values(":from", s(from.clone()));
        }
        if let Some(through) = &filter.created_through {
            query = query.expression_attribute_values(":through", s(through.clone()));
        }
        if filter.min_amount.is_some() || filter.max_amount.is_some() {
            query = query.expression_attribute_names("#amount", AMOUNT_NUMBER);
        }
        if let Some(min) = filter.min_amount {
            conditions.push("#amount >= :min");
            query = query.expression_attribute_values(":min", n(min));
        }
        if let Some(max) = filter.max_amount {
            conditions.push("#amount <= :max");
            query = query.expression_attribute_values(":max", n(max));
        }
        let filtered = !conditions.is_empty();
        if filtered {
            query = query.filter_expression(conditions.join(" AND "));
        }
        let page = fetch_page(query, &keys, limit, start, filtered).await?;
        let loans = page
            .items
            .into_iter()
            .map(read_loan)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((loans, page.next))
    }
}
