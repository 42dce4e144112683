//! Fast, deterministic seed data written straight through the store, for list tests and
//! the list benchmark.
//!
//! Loans are built with the domain's own constructors (`Loan::apply` over
//! `LoanTerms::parse`, then `Loan::with_status` along a legal path, and
//! `Loan::after_posting` for `paid`; list seeds write no ledgers), with a chosen
//! `created_at` and an id whose ULID timestamp is that same millisecond, so "newest
//! first" by `created_at` (the indexes' `<created_at>#<id>` sort keys) and by id (the
//! client partition's `LOAN#<id>` sort keys) agree. Everything but client ids is a pure
//! function of the arguments and a seed.
//!
//! Two ways in:
//! - [`create_loans`] writes each loan with `Store::create_loan`, exactly as the API does
//!   (one transaction per loan, which needs the client to exist: [`create_clients`]);
//! - [`bulk_load`] writes [`loan_item`]s with `BatchWriteItem`, 25 at a time, for tables
//!   of tens of thousands of loans. [`loan_item`] is the store's own
//!   `shared::store::loans::loan_item`, so both ways write the same item.

use std::collections::BTreeMap;
use std::error::Error;
use std::time::Duration;

use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use futures::{StreamExt, TryStreamExt, stream};
use shared::Store;
use shared::auth::Role;
use shared::domain::client::{Client, ClientDetails, MonthlyIncome};
use shared::domain::fields::{DocumentNumber, Email, PersonName, Phone};
use shared::domain::ids::{ClientId, LoanId};
use shared::domain::loan::{Loan, Purpose};
use shared::domain::loan_status::LoanStatus;
use shared::domain::money::Currency;
use shared::domain::schedule::LoanTerms;
use shared::domain::time::Timestamp;
use shared::domain::user::{User, Username};
use shared::store::Item;
use shared::store::idempotency::WriteOnce;

/// A boxed error for the loaders, which the benchmark reports rather than panics on.
pub type SeedError = Box<dyn Error + Send + Sync>;

/// `BatchWriteItem` takes at most 25 puts.
pub const BATCH_SIZE: usize = 25;
/// Batches (or single writes) in flight at once.
pub const CONCURRENCY: usize = 8;
/// Attempts per batch while DynamoDB hands back `UnprocessedItems`.
const BATCH_ATTEMPTS: u32 = 12;

/// Every status equally often.
pub const EVERY_STATUS: &[(LoanStatus, u32)] = &[
    (LoanStatus::Pending, 1),
    (LoanStatus::Approved, 1),
    (LoanStatus::Rejected, 1),
    (LoanStatus::Active, 1),
    (LoanStatus::Paid, 1),
    (LoanStatus::Cancelled, 1),
];

/// A book where a fifth of the loans are `active` (and every other status occurs).
pub const FIFTH_ACTIVE: &[(LoanStatus, u32)] = &[
    (LoanStatus::Pending, 2),
    (LoanStatus::Approved, 2),
    (LoanStatus::Rejected, 1),
    (LoanStatus::Active, 2),
    (LoanStatus::Paid, 2),
    (LoanStatus::Cancelled, 1),
];

/// The creation time of the newest seeded loan unless a spec says otherwise: a fixed
/// instant in the past, so seeds are reproducible and anything created "now" by the API
/// during a test is newer than every seeded loan.
pub fn default_newest() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 30, 18, 0, 0)
        .single()
        .unwrap_or_default()
}

/// SplitMix64: a tiny, good-enough deterministic mixer.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A ULID whose time part is `at`'s millisecond, the same id `Ulid::from_datetime(at)`
/// would give but with a deterministic random part derived from `salt`.
pub fn id_at(at: Timestamp, salt: u64) -> String {
    let millis = u64::try_from(at.as_datetime().timestamp_millis()).unwrap_or(0);
    let random = (u128::from(mix(salt)) << 16) ^ u128::from(mix(salt ^ 0xA5A5) & 0xFFFF);
    ulid::Ulid::from_parts(millis, random).to_string()
}

/// `cents` as a decimal string with two places (`123456` → `"1234.56"`).
pub fn money(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// A loan's amount in cents (every seeded loan is in MXN).
pub fn cents(loan: &Loan) -> i64 {
    let text = loan.amount().to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, "0"));
    let fraction = format!("{fraction:0<2}");
    whole.parse::<i64>().unwrap_or(0) * 100 + fraction[..2].parse::<i64>().unwrap_or(0)
}

/// The statuses a loan goes through to reach `status`, after `pending`.
fn path_to(status: LoanStatus) -> &'static [LoanStatus] {
    use LoanStatus::*;
    match status {
        Pending => &[],
        Approved => &[Approved],
        Rejected => &[Rejected],
        Cancelled => &[Cancelled],
        Active => &[Approved, Active],
        Paid => &[Approved, Active, Paid],
        WrittenOff => &[Approved, Active, WrittenOff],
    }
}

/// What one seeded loan looks like.
#[derive(Debug, Clone)]
pub struct LoanSeed {
    /// The borrowing client (it must exist for [`create_loans`], not for [`bulk_load`]).
    pub client_id: String,
    /// The status the loan is moved to along a legal path.
    pub status: LoanStatus,
    /// The MXN amount, in cents.
    pub amount_cents: i64,
    /// When the loan was applied for; its id carries the same millisecond.
    pub created_at: DateTime<Utc>,
    /// Makes the id's random part (and the rate, term and purpose) vary.
    pub salt: u64,
}

/// A stored-form loan: applied for at `created_at` (id consistent with it), then moved
/// along the lifecycle to `status`, a few hours or days apart, with `updated_at`,
/// `version` and each status's timestamp set as the API would set them.
pub fn loan(seed: &LoanSeed) -> Loan {
    const PURPOSES: [&str; 5] = [
        "Home improvement",
        "Used car purchase",
        "Working capital",
        "University tuition",
        "Solar panels",
    ];
    let h = mix(seed.salt);
    let amount = loans::wire::parse_decimal(&money(seed.amount_cents)).expect("amount parses");
    let rate = loans::wire::parse_decimal(&format!("{}.{}", 5 + h % 40, (h >> 8) % 10))
        .expect("rate parses");
    let term = 6 + u32::try_from((h >> 16) % 55).unwrap_or(0);
    let terms = LoanTerms::parse(amount, Currency::mxn(), rate, term).expect("valid loan terms");
    let purpose = ((h >> 24) % 4 != 0)
        .then(|| Purpose::parse(PURPOSES[usize::try_from((h >> 28) % 5).unwrap_or(0)]))
        .transpose()
        .expect("valid purpose")
        .flatten();
    let created = Timestamp::from(seed.created_at);
    let id = LoanId::parse(&id_at(created, seed.salt)).expect("a canonical id");
    let client_id = ClientId::parse(&seed.client_id).expect("a client id");
    let mut loan = Loan::apply(id, &client_id, &terms, purpose, created).expect("schedulable");
    let mut at = seed.created_at;
    for (step, next) in path_to(seed.status).iter().enumerate() {
        let gap = if step == 0 {
            chrono::Duration::hours(2)
        } else {
            chrono::Duration::days(3)
        };
        at += gap;
        // Only repayments make a loan paid; list seeds need the status, not a ledger.
        loan = if *next == LoanStatus::Paid {
            loan.after_posting(true, Timestamp::from(at))
        } else {
            loan.with_status(*next, Timestamp::from(at))
                .expect("legal lifecycle path")
        };
    }
    loan
}

/// The shape of a seeded book of loans.
#[derive(Debug, Clone)]
pub struct BookSpec {
    /// How many loans the book holds.
    pub loans: usize,
    /// Creation times spread over this many days, ending at `newest`.
    pub span_days: i64,
    /// The creation time of the newest loan.
    pub newest: DateTime<Utc>,
    /// Statuses with their relative weights ([`EVERY_STATUS`], [`FIFTH_ACTIVE`]).
    pub statuses: &'static [(LoanStatus, u32)],
    /// Amounts are drawn from `min_cents..max_cents`.
    pub min_cents: i64,
    /// Exclusive upper bound of the amounts, in cents.
    pub max_cents: i64,
    /// Drives every random choice; the same spec always gives the same book.
    pub seed: u64,
}

impl BookSpec {
    /// `loans` loans over 60 days, every status, amounts from 1,000.00 to 499,999.99.
    pub fn new(loans: usize) -> Self {
        Self {
            loans,
            span_days: 60,
            newest: default_newest(),
            statuses: EVERY_STATUS,
            min_cents: 100_000,
            max_cents: 50_000_000,
            seed: 42,
        }
    }
}

fn pick_status(weights: &[(LoanStatus, u32)], draw: u64) -> LoanStatus {
    let total: u64 = weights
        .iter()
        .map(|(_, w)| u64::from(*w))
        .sum::<u64>()
        .max(1);
    let mut point = draw % total;
    for (status, weight) in weights {
        if point < u64::from(*weight) {
            return *status;
        }
        point -= u64::from(*weight);
    }
    LoanStatus::Pending
}

/// The seeds of a book: loan `i` belongs to `client_ids[i % len]` (so every client gets
/// the same number of loans, give or take one), oldest first, creation times strictly
/// increasing across the span, status and amount drawn from the seed.
pub fn book(spec: &BookSpec, client_ids: &[String]) -> Vec<LoanSeed> {
    assert!(!client_ids.is_empty(), "a book needs clients");
    let span_ms = spec.span_days * 24 * 60 * 60 * 1000;
    let count = i64::try_from(spec.loans).unwrap_or(i64::MAX).max(1);
    let step = (span_ms / count).max(1);
    let oldest = spec.newest - chrono::Duration::milliseconds(step * (count - 1));
    let amount_range = u64::try_from((spec.max_cents - spec.min_cents).max(1)).unwrap_or(1);
    (0..spec.loans)
        .map(|i| {
            let salt = mix(spec.seed ^ (i as u64).wrapping_mul(0x1000_0000_01B3));
            let jitter =
                i64::try_from(mix(salt ^ 1) % u64::try_from(step).unwrap_or(1)).unwrap_or(0) / 2;
            let offset = step * i64::try_from(i).unwrap_or(0) + jitter;
            LoanSeed {
                client_id: client_ids[i % client_ids.len()].clone(),
                status: pick_status(spec.statuses, mix(salt ^ 2)),
                amount_cents: spec.min_cents
                    + i64::try_from(mix(salt ^ 3) % amount_range).unwrap_or(0),
                created_at: oldest + chrono::Duration::milliseconds(offset),
                salt,
            }
        })
        .collect()
}

/// The loans of a book, oldest first.
pub fn book_loans(spec: &BookSpec, client_ids: &[String]) -> Vec<Loan> {
    book(spec, client_ids).iter().map(loan).collect()
}

/// Sorts newest first the way every list orders: `created_at`, then id, descending.
pub fn newest_first(loans: &mut [Loan]) {
    loans.sort_by(|a, b| (b.created_at(), b.id()).cmp(&(a.created_at(), a.id())));
}

const FIRST_NAMES: [&str; 8] = [
    "Ana", "Bruno", "Carmen", "Diego", "Elena", "Fernando", "Gabriela", "Héctor",
];
const LAST_NAMES: [&str; 7] = [
    "García",
    "Hernández",
    "López",
    "Martínez",
    "Rodríguez",
    "Pérez",
    "Sánchez",
];

/// Valid details for the `index`-th seeded client, unique by `index` within a table.
pub fn client_details(index: usize) -> ClientDetails {
    let first = FIRST_NAMES[index % FIRST_NAMES.len()];
    let last = LAST_NAMES[(index / FIRST_NAMES.len() + index) % LAST_NAMES.len()];
    ClientDetails {
        first_name: PersonName::parse(first).expect("valid first name"),
        last_name: PersonName::parse(last).expect("valid last name"),
        email: Email::parse(&format!("client{index}@example.com")).expect("valid email"),
        document_number: DocumentNumber::parse(&format!("SEED{index:08}"))
            .expect("valid document number"),
        phone: Some(Phone::parse(&format!("+5255{:08}", index % 100_000_000)).expect("phone")),
        birth_date: NaiveDate::from_ymd_opt(1970, 1, 1)
            .and_then(|d| d.checked_add_days(chrono::Days::new((index % 9000) as u64)))
            .expect("valid birth date"),
        monthly_income: Some(
            serde_json::from_value::<MonthlyIncome>(serde_json::json!(money(
                2_000_000 + i64::try_from(mix(index as u64) % 10_000_000).unwrap_or(0)
            )))
            .expect("valid income"),
        ),
    }
}

/// The `index`-th seeded client, created at `created_at` with an id consistent with it.
pub fn client(index: usize, created_at: DateTime<Utc>) -> Client {
    let at = Timestamp::from(created_at);
    let id = ClientId::parse(&id_at(at, 0xC11E_0000 ^ index as u64)).expect("a canonical id");
    Client::new(id, client_details(index), at)
}

/// Creates clients `first..first + count` with `Store::create_client`, one hour apart
/// (the last one an hour before [`default_newest`]), and returns them oldest first.
pub async fn create_clients(store: &Store, first: usize, count: usize) -> Vec<Client> {
    try_create_clients(store, first, count)
        .await
        .expect("seed clients")
}

/// [`create_clients`], returning the first error instead of panicking.
pub async fn try_create_clients(
    store: &Store,
    first: usize,
    count: usize,
) -> Result<Vec<Client>, SeedError> {
    let newest = default_newest() - chrono::Duration::hours(1);
    let clients: Vec<Client> = (first..first + count)
        .map(|i| {
            let hours = i64::try_from(first + count - i).unwrap_or(0);
            client(i, newest - chrono::Duration::hours(hours))
        })
        .collect();
    stream::iter(clients.iter().map(Ok::<_, SeedError>))
        .try_for_each_concurrent(CONCURRENCY, |client| async move {
            store
                .create_client(client, &WriteOnce::fresh())
                .await
                .map_err(SeedError::from)
        })
        .await?;
    Ok(clients)
}

/// Writes `loans` one by one with `Store::create_loan`, as the API does (their clients
/// must exist). Loans of one client go in order, clients in parallel, so no two
/// transactions bump the same client's `loan_seq` at once.
pub async fn create_loans(store: &Store, loans: &[Loan]) {
    let mut by_client: BTreeMap<&ClientId, Vec<&Loan>> = BTreeMap::new();
    for loan in loans {
        by_client.entry(loan.client_id()).or_default().push(loan);
    }
    stream::iter(by_client.into_values())
        .for_each_concurrent(CONCURRENCY, |group| async move {
            for loan in group {
                store
                    .create_loan(loan, &WriteOnce::fresh())
                    .await
                    .expect("seed loan");
            }
        })
        .await;
}

/// The item `Store::create_loan` writes for `loan`, for bulk loading.
pub fn loan_item(loan: &Loan) -> Item {
    shared::store::loans::loan_item(loan).expect("a loan serializes")
}

/// What a bulk load did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BulkReport {
    /// Items written.
    pub items: usize,
    /// `BatchWriteItem` calls, retries of unprocessed items included.
    pub calls: usize,
    /// Calls that only resent unprocessed items.
    pub retries: usize,
}

async fn write_batch(store: &Store, batch: Vec<WriteRequest>) -> Result<BulkReport, SeedError> {
    let mut report = BulkReport {
        items: batch.len(),
        ..BulkReport::default()
    };
    let mut pending = batch;
    let mut backoff = Duration::from_millis(25);
    for attempt in 0..BATCH_ATTEMPTS {
        if attempt > 0 {
            report.retries += 1;
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(2));
        }
        report.calls += 1;
        let output = store
            .client()
            .batch_write_item()
            .request_items(store.table(), pending)
            .send()
            .await
            .map_err(|e| format!("BatchWriteItem: {e:?}"))?;
        pending = output
            .unprocessed_items
            .and_then(|mut unprocessed| unprocessed.remove(store.table()))
            .unwrap_or_default();
        if pending.is_empty() {
            return Ok(report);
        }
    }
    Err(format!(
        "{} items still unprocessed after {BATCH_ATTEMPTS} attempts",
        pending.len()
    )
    .into())
}

/// Writes `loans` as [`loan_item`]s with `BatchWriteItem`, [`BATCH_SIZE`] per call and
/// [`CONCURRENCY`] calls in flight, resending `UnprocessedItems` with exponential backoff.
/// Unlike [`create_loans`] it neither checks nor bumps the client (reads do not need its
/// `loan_seq`).
pub async fn bulk_load(store: &Store, loans: &[Loan]) -> Result<BulkReport, SeedError> {
    let batches: Vec<Vec<WriteRequest>> = loans
        .chunks(BATCH_SIZE)
        .map(|chunk| {
            chunk
                .iter()
                .map(|loan| {
                    PutRequest::builder()
                        .set_item(Some(loan_item(loan)))
                        .build()
                        .map(|put| WriteRequest::builder().put_request(put).build())
                        .map_err(SeedError::from)
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<_, _>>()?;
    stream::iter(batches)
        .map(|batch| write_batch(store, batch))
        .buffer_unordered(CONCURRENCY)
        .try_fold(BulkReport::default(), |total, one| async move {
            Ok(BulkReport {
                items: total.items + one.items,
                calls: total.calls + one.calls,
                retries: total.retries + one.retries,
            })
        })
        .await
}

/// Creates `count` admin users (`seed-user-000`, ...) with `Store::create_user`, one
/// minute apart, oldest first. Their password hash is a placeholder: they are for
/// listing, not for logging in.
pub async fn create_users(store: &Store, count: usize) -> Vec<User> {
    let newest = default_newest();
    let users: Vec<User> = (0..count)
        .map(|i| {
            User::new(
                Username::parse(&format!("seed-user-{i:03}")).expect("valid username"),
                Role::Admin,
                None,
                Timestamp::from(
                    newest - chrono::Duration::minutes(i64::try_from(count - i).unwrap_or(0)),
                ),
            )
            .expect("an admin has no client")
        })
        .collect();
    for user in &users {
        store
            .create_user(
                user,
                "$argon2id$placeholder-not-a-real-hash",
                &WriteOnce::fresh(),
            )
            .await
            .expect("seed user");
    }
    users
}
