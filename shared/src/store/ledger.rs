//! A loan's ledger: its transactions in its client's partition
//! (`CLIENT#<client_id>` / `TXN#<loan_id>#<seq>`), next to the loan.
//!
//! A transaction is only ever put, never changed. Each posting is one transaction that
//! puts the new ledger entry (its `seq` must be free), puts the loan's next version
//! (conditional on the version read) with its `txn_count` and its arrears key, and, for a
//! repayment, completes the idempotency record. Two racing postings cannot both land: the
//! second finds the loan's version moved and is retried on the new ledger.
//!
//! The loan and its transactions are read with two strongly consistent calls made at the
//! same time; a read that sees a different number of transactions than the loan's
//! `txn_count` caught a posting in between, and is read again.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use chrono::NaiveDate;

use super::error::{StoreError, failed_condition};
use super::idempotency::{WriteOnce, claim_lost};
use super::keys::{
    ARREARS_KIND, ENTITY, GSI4PK, GSI4SK, PK, SK, TXN_COUNT, VERSION, arrears_sort_key, client_pk,
    loan_sk, txn_prefix, txn_sk,
};
use super::loans::{loan_item, read_loan};
use super::{Item, Store, n, s};
use crate::domain::ids::{ClientId, LoanId};
use crate::domain::ledger::{Ledger, Txn};
use crate::domain::loan::Loan;

/// Reads of a ledger that may race a posting before giving up.
const READ_ATTEMPTS: usize = 4;

/// The stored item of `txn`, a transaction of a loan of `client_id`.
fn txn_item(client_id: &ClientId, txn: &Txn) -> Result<Item, StoreError> {
    let mut item: Item =
        serde_dynamo::to_item(txn).map_err(|e| StoreError::item("serialize transaction", e))?;
    item.insert(PK.into(), s(client_pk(client_id.as_str())));
    item.insert(SK.into(), s(txn_sk(txn.loan_id.as_str(), txn.seq)));
    item.insert(ENTITY.into(), s("transaction"));
    Ok(item)
}

fn read_txn(item: Item) -> Result<Txn, StoreError> {
    serde_dynamo::from_item(item).map_err(|e| StoreError::item("read transaction", e))
}

/// The loan's item with its ledger's bookkeeping: how many transactions it has, and, while
/// it is `active` with an unpaid installment, its key in the arrears index (`arrears`: the
/// oldest unpaid installment's due date).
fn serviced_loan_item(
    loan: &Loan,
    txn_count: u32,
    arrears: Option<NaiveDate>,
) -> Result<Item, StoreError> {
    let mut item = loan_item(loan)?;
    item.insert(TXN_COUNT.into(), n(txn_count));
    if let Some(due) = arrears {
        item.insert(GSI4PK.into(), s(ARREARS_KIND));
        item.insert(GSI4SK.into(), s(arrears_sort_key(due, loan.id().as_str())));
    }
    Ok(item)
}

/// The `txn_count` of a stored loan item (0 before disbursement).
fn txn_count(item: &Item) -> Result<usize, StoreError> {
    match item.get(TXN_COUNT) {
        None => Ok(0),
        Some(value) => value
            .as_n()
            .ok()
            .and_then(|text| text.parse().ok())
            .ok_or_else(|| {
                StoreError::Internal(super::error::DbError::new(
                    "read loan",
                    "txn_count is not a count",
                ))
            }),
    }
}

/// The items of a loan and its whole ledger as [`Store::post`] leaves them, for bulk
/// loading (`lending-admin seed`): the loan with its `txn_count` and arrears key, and
/// every transaction.
pub fn ledger_items(ledger: &Ledger, arrears: Option<NaiveDate>) -> Result<Vec<Item>, StoreError> {
    let count = u32::try_from(ledger.txns.len())
        .map_err(|e| StoreError::Internal(super::error::DbError::new("count a ledger", e)))?;
    let mut items = vec![serviced_loan_item(&ledger.loan, count, arrears)?];
    for txn in &ledger.txns {
        items.push(txn_item(ledger.loan.client_id(), txn)?);
    }
    Ok(items)
}

impl Store {
    /// A loan and its whole ledger, as of one moment; `None` when there is no such loan.
    pub async fn get_ledger(&self, loan_id: &LoanId) -> Result<Option<Ledger>, StoreError> {
        let Some(located) = self.get_loan(loan_id).await? else {
            return Ok(None);
        };
        let pk = client_pk(located.client_id().as_str());
        let sk = loan_sk(loan_id.as_str());
        for _ in 0..READ_ATTEMPTS {
            let (item, txns) = tokio::try_join!(
                self.get_item(pk.clone(), &sk, "get loan"),
                self.read_txns(&pk, loan_id),
            )?;
            let Some(item) = item else {
                return Ok(None);
            };
            if txn_count(&item)? == txns.len() {
                return Ok(Some(Ledger {
                    loan: read_loan(item)?,
                    txns,
                }));
            }
        }
        Err(StoreError::Conflict)
    }

    /// Every transaction of the loan, in posting order (their keys sort by `seq`).
    async fn read_txns(&self, pk: &str, loan_id: &LoanId) -> Result<Vec<Txn>, StoreError> {
        let mut txns = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .client()
                .query()
                .table_name(self.table())
                .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
                .expression_attribute_values(":pk", s(pk))
                .expression_attribute_values(":prefix", s(txn_prefix(loan_id.as_str())))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| StoreError::sdk("read ledger", e))?;
            for item in output.items.unwrap_or_default() {
                txns.push(read_txn(item)?);
            }
            start = output.last_evaluated_key;
            if start.is_none() {
                return Ok(txns);
            }
        }
    }

    /// Posts `txn` to the ledger `current` was read as, replacing the loan with `next`
    /// (whose arrears key is `arrears`), all in one transaction with `once`'s record.
    /// [`StoreError::Stale`] when another posting or change landed since the read.
    pub async fn post(
        &self,
        current: &Ledger,
        next: &Loan,
        txn: &Txn,
        arrears: Option<NaiveDate>,
        once: &WriteOnce,
    ) -> Result<(), StoreError> {
        let loan = Put::builder()
            .table_name(self.table())
            .set_item(Some(serviced_loan_item(next, txn.seq, arrears)?))
            .condition_expression("#version = :expected")
            .expression_attribute_names("#version", VERSION)
            .expression_attribute_values(":expected", n(current.loan.version()))
            .build()
            .map_err(StoreError::invalid_request)?;
        let entry = Put::builder()
            .table_name(self.table())
            .set_item(Some(txn_item(next.client_id(), txn)?))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(StoreError::invalid_request)?;
        let actions = vec![
            TransactWriteItem::builder().put(loan).build(),
            TransactWriteItem::builder().put(entry).build(),
        ];
        let (request, record) = self.transaction(actions, once)?;
        let Err(err) = request.send().await else {
            return Ok(());
        };
        if claim_lost(&err, record) {
            return Err(StoreError::ClaimLost);
        }
        if failed_condition(&err, 0) || failed_condition(&err, 1) {
            return Err(StoreError::Stale);
        }
        Err(StoreError::transaction("post a transaction", err))
    }
}
