//! `lending-admin seed`: fills a table with realistic clients and loans in every status.
//!
//! Ids, names and figures derive from the client's index alone, so running the same seed
//! again rewrites the same items instead of adding new ones. Items go in with batched
//! writes (25 per call, unprocessed items retried), which skip the API's conditions: seed
//! a table that holds only seed data (a fresh local or benchmark table).

use std::time::Instant;

use chrono::{DateTime, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use shared::domain::client::Client;
use shared::domain::ids::{ClientId, LoanId};
use shared::domain::ledger::{Ledger, TxnType};
use shared::domain::loan::Loan;
use shared::domain::loan_status::LoanStatus;
use shared::domain::time::Timestamp;
use shared::store::clients::{client_item, guard_items};
use shared::store::keys::LOAN_SEQ;
use shared::store::ledger::ledger_items;
use shared::store::loans::loan_item;
use shared::store::{Item, n};
use shared::{ApiError, Store, factories};

/// The paths a loan takes to reach each status, cycled through so every status appears.
/// A disbursed loan gets its ledger: the disbursement, and for `paid` a repayment of the
/// payoff amount a month later.
const PATHS: [&[LoanStatus]; 6] = [
    &[],
    &[LoanStatus::Approved],
    &[LoanStatus::Rejected],
    &[LoanStatus::Approved, LoanStatus::Active],
    &[LoanStatus::Approved, LoanStatus::Active, LoanStatus::Paid],
    &[LoanStatus::Cancelled],
];

/// The items of `loan` (just disbursed at `at`) with its ledger, paid off 30 days later
/// when `pay_off`.
fn disbursed_items(loan: Loan, at: Timestamp, pay_off: bool) -> Result<Vec<Item>, ApiError> {
    let on = loan
        .disbursed_on()
        .ok_or_else(|| ApiError::internal("a disbursed loan has no disbursed_on"))?;
    let mut ledger = Ledger {
        txns: Vec::new(),
        loan: loan.clone(),
    };
    ledger.txns = vec![ledger.next_txn(TxnType::Disbursement, loan.amount(), on, "seed", at)];
    let mut position = ledger
        .position(None)?
        .ok_or_else(|| ApiError::internal("no position after disbursement"))?;
    if pay_off {
        let paid_on = on + chrono::Days::new(30);
        let later = Timestamp::from(at.as_datetime() + chrono::Duration::days(30));
        let amount = position.payoff(paid_on).payoff_amount;
        let repayment = ledger.next_txn(TxnType::Repayment, amount, paid_on, "seed", later);
        let (next, closed) = ledger.with(repayment)?;
        ledger = Ledger {
            loan: loan.after_posting(closed.closed_on().is_some(), later),
            txns: next.txns,
        };
        position = closed;
    }
    let arrears = (ledger.loan.status() == LoanStatus::Active)
        .then(|| position.oldest_unpaid_due_date())
        .flatten();
    Ok(ledger_items(&ledger, arrears)?)
}

/// Seed data starts here and advances one hour per client, so ids are stable.
const EPOCH_MS: u64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

/// The instant `ms` after the epoch, and an id for it whose random part is `tag`, so the
/// same seed always makes the same ids.
fn at(ms: u64, tag: u128) -> Result<(Timestamp, ulid::Ulid), ApiError> {
    let millis = i64::try_from(ms).map_err(ApiError::internal)?;
    let stamp = DateTime::<Utc>::from_timestamp_millis(millis)
        .ok_or_else(|| ApiError::internal("time out of range"))?;
    Ok((Timestamp::from(stamp), ulid::Ulid::from_parts(ms, tag)))
}

/// The items of client `index` and its `loans` loans.
fn client_with_loans(index: u64, loans: u64) -> Result<Vec<Item>, ApiError> {
    let base = EPOCH_MS + index * 3_600_000;
    let (created, id) = at(base, u128::from(index) << 32)?;
    let mut rng = factories::rng(index);
    let unique = format!("S{index:07}");
    // Ages are reckoned on the seed's first day, not today, so reruns rewrite identical items.
    let details = factories::client_details(&mut rng, &unique, created.as_datetime().date_naive())?;
    let client_id = ClientId::parse(&id.to_string())
        .ok_or_else(|| ApiError::internal("a seed id is not canonical"))?;
    let client = Client::new(client_id, details, created);
    let mut item = client_item(&client)?;
    item.insert(LOAN_SEQ.into(), n(loans));
    let mut items = vec![item];
    items.extend(guard_items(&client));
    for number in 0..loans {
        let (stamp, loan_id) = at(
            base + (number + 1) * 60_000,
            (u128::from(index) << 32) | u128::from(number + 1),
        )?;
        let terms = factories::loan_terms(&mut rng)?;
        let loan_id = LoanId::parse(&loan_id.to_string())
            .ok_or_else(|| ApiError::internal("a seed id is not canonical"))?;
        let mut loan = Loan::apply(
            loan_id,
            client.id(),
            &terms,
            factories::purpose(&mut rng),
            stamp,
        )
        .map_err(ApiError::internal)?;
        let path = PATHS[usize::try_from((index + number) % 6).unwrap_or(0)];
        let mut disbursed = None;
        for (step, status) in path.iter().enumerate() {
            let (later, _) = at(
                base + (number + 1) * 60_000 + (step as u64 + 1) * 86_400_000,
                0,
            )?;
            if *status == LoanStatus::Paid {
                break;
            }
            loan = loan
                .with_status(*status, later)
                .map_err(|e| ApiError::internal(e.to_string()))?;
            if *status == LoanStatus::Active {
                disbursed = Some(later);
            }
        }
        match disbursed {
            Some(on) => {
                let pay_off = path.last() == Some(&LoanStatus::Paid);
                items.extend(disbursed_items(loan, on, pay_off)?);
            }
            None => items.push(loan_item(&loan)?),
        }
    }
    Ok(items)
}

/// Seeds `clients` clients with `loans` loans each and prints a summary.
pub async fn seed(store: &Store, clients: u64, loans: u64) -> Result<(), ApiError> {
    let started = Instant::now();
    let total = clients * (3 + loans);
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} items  {per_sec}  eta {eta}")
            .map_err(|e| ApiError::internal(e.to_string()))?,
    );
    // Build and write a slice of clients at a time, so memory stays flat for big seeds.
    for first in (0..clients).step_by(100) {
        let mut items = Vec::new();
        for index in first..(first + 100).min(clients) {
            items.extend(client_with_loans(index, loans)?);
        }
        store
            .put_all(items, |written| bar.inc(written as u64))
            .await?;
    }
    bar.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "seeded {clients} clients and {} loans ({} items) in {elapsed:.1} s, {:.0} items/s",
        clients * loans,
        total,
        total as f64 / elapsed.max(0.001)
    );
    println!("loan statuses cycle through pending, approved, rejected, active, paid and cancelled");
    Ok(())
}
