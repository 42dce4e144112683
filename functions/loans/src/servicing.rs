//! Servicing a disbursed loan: its ledger (disbursement, repayments, reversals, the
//! write-off) and what is computed from it (balance, payoff, the current plan).
//!
//! Every posting reads the loan with its whole ledger, replays it with the new
//! transaction through the domain's servicing engine (which refuses a repayment above the
//! payoff), and writes the transaction with the loan's next version in one transaction,
//! conditional on the version read; a lost race reads and replays again. Repayments and
//! reversals honour `Idempotency-Key`, whose record is written in that same transaction.

use std::sync::Arc;

use axum::extract::State;
use chrono::NaiveDate;
use http::{HeaderValue, StatusCode, header};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use shared::auth::Caller;
use shared::domain::ids::{LoanId, TxnId};
use shared::domain::ledger::{Ledger, PostingError, Reason, Reference, Txn, TxnType, TxnView};
use shared::domain::loan::Loan;
use shared::domain::loan_change::LoanChange;
use shared::domain::loan_status::LoanStatus;
use shared::domain::money::DecimalInput;
use shared::domain::servicing::{Position, ServicingError};
use shared::domain::time::Timestamp;
use shared::http::extract::{loan_not_found, txn_not_found};
use shared::http::idempotency::Attempt;
use shared::http::{Idempotency, IfMatch, Json, Lost, Query, QueryPairs, Reply, write_with_retry};
use shared::list::{self, PageRequest};
use shared::store::idempotency::WriteOnce;
use shared::{ApiError, App, FieldError};

use crate::wire::parse_date;

const CONTENDED: &str = "the loan's ledger is being changed by other requests; retry";

/// Today, in UTC: the day value dates are checked against.
fn today() -> NaiveDate {
    Timestamp::now().as_datetime().date_naive()
}

/// The loan with its ledger, if the caller may see it (others' are `404`).
async fn visible_ledger(app: &App, caller: &Caller, loan_id: &LoanId) -> Result<Ledger, ApiError> {
    app.store
        .get_ledger(loan_id)
        .await?
        .filter(|ledger| caller.can_see_client(ledger.loan.client_id()))
        .ok_or_else(loan_not_found)
}

/// The position of a disbursed loan; `409` before disbursement.
fn position_of(ledger: &Ledger, through: Option<NaiveDate>) -> Result<Position, ApiError> {
    ledger.position(through)?.ok_or_else(|| {
        ApiError::Conflict(format!(
            "a loan that is {} has not been disbursed, so it has no ledger yet",
            ledger.loan.status()
        ))
    })
}

/// Where an `active` loan stands in the arrears index: its oldest unpaid due date.
fn arrears_key(loan: &Loan, position: &Position) -> Option<NaiveDate> {
    (loan.status() == LoanStatus::Active)
        .then(|| position.oldest_unpaid_due_date())
        .flatten()
}

/// `201` with the transaction and its `Location`.
fn created(txn: &Txn, view: &TxnView) -> Result<Reply, ApiError> {
    let location = HeaderValue::from_str(&txn.location()).map_err(ApiError::internal)?;
    Ok(Reply::json(StatusCode::CREATED, view)?.with_header(header::LOCATION, location))
}

/// The body of `POST /loans/{loan_id}/repayments`, unchecked.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(description = "A repayment received.")
)]
pub struct RepaymentInput {
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = shared::openapi::ledger::repayment_amount, required = true)
    )]
    amount: Option<Option<DecimalInput>>,
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = shared::openapi::ledger::repayment_paid_on)
    )]
    paid_on: Option<Option<String>>,
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = shared::openapi::ledger::repayment_reference)
    )]
    reference: Option<Option<String>>,
}

/// A repayment's fields, each checked for its form.
struct Repayment {
    amount: Decimal,
    paid_on: Option<NaiveDate>,
    reference: Option<Reference>,
}

impl TryFrom<RepaymentInput> for Repayment {
    type Error = ApiError;

    fn try_from(input: RepaymentInput) -> Result<Self, ApiError> {
        let mut errors = Vec::new();
        let amount = match input.amount {
            Some(Some(amount)) => Some(amount.0),
            Some(None) => {
                errors.push(FieldError::body("amount", "must not be null"));
                None
            }
            None => {
                errors.push(FieldError::body("amount", "is required"));
                None
            }
        };
        let paid_on = match input.paid_on {
            Some(Some(text)) => parse_date(&text)
                .map_err(|e| errors.push(FieldError::body("paid_on", e)))
                .ok(),
            _ => None,
        };
        let reference = match input.reference {
            Some(Some(text)) => Reference::parse(&text)
                .map_err(|e| errors.push(FieldError::body("reference", e)))
                .ok(),
            _ => None,
        };
        match amount {
            Some(amount) if errors.is_empty() => Ok(Self {
                amount,
                paid_on,
                reference,
            }),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

/// The body of `POST /loans/{loan_id}/transactions/{txn_id}/reversal`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(description = "Why a repayment is reversed.")
)]
pub struct ReversalInput {
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = shared::openapi::ledger::reason_sent, required = true)
    )]
    reason: Option<Option<String>>,
}

/// `POST /loans/{loan_id}/repayments` (admins): posts a repayment, allocated by the
/// servicing engine; exactly the payoff amount closes the loan.
#[cfg_attr(feature = "openapi", utoipa::path(
    post,
    path = "/loans/{loan_id}/repayments",
    operation_id = "postRepayment",
    tag = "Servicing",
    summary = "Post a repayment",
    description = "Posts money the borrower paid on an `active` loan, with its value date \
        (`paid_on`). It pays the installments due on or before `paid_on`, oldest first, \
        interest then principal; then the next installment not yet due; the rest prepays \
        principal, and the plan after that installment is recomputed with the same \
        installment amount, so the loan ends sooner. A repayment of exactly the payoff amount \
        on `paid_on` closes the loan (`paid`); more is `422`, naming the payoff. A back-dated \
        repayment replays the ledger from its value date.",
    security(("bearerAuth" = ["admin"])),
    params(LoanId, Idempotency),
    request_body(content = RepaymentInput, description = "The repayment."),
    responses(
        (status = 201, description = "The repayment, with its allocation.",
            body = TxnView, headers(("Location"))),
        (status = 404, description = crate::openapi::NOT_ITS_LOAN),
        (status = 409, description = format!(
            "The loan is not `active` (it takes no repayments). {}",
            crate::openapi::CONTENDED
        )),
        (status = 422, description = "The amount is not above 0 in the currency's minor \
            units, or exceeds the payoff amount on `paid_on` (the detail names it); `paid_on` \
            is in the future or before the disbursement, or would make a later repayment \
            exceed what was owed."),
    ),
))]
pub async fn repay(
    State(app): State<Arc<App>>,
    caller: Caller,
    loan_id: LoanId,
    idempotency: Idempotency,
    Json { value: input, raw }: Json<RepaymentInput>,
) -> Result<Reply, ApiError> {
    caller.require_admin()?;
    let repayment = Repayment::try_from(input)?;
    let (app, caller, loan_id, repayment) = (&*app, &caller, &loan_id, &repayment);
    idempotency
        .once(app, caller, &raw, |attempt| async move {
            post_with_retry(app, caller, loan_id, &attempt, |ledger, now| {
                let today = now.as_datetime().date_naive();
                let paid_on = repayment.paid_on.unwrap_or(today);
                ledger.check_repayment(repayment.amount, paid_on, today)?;
                let amount = ledger.loan.currency().exact(repayment.amount);
                let mut txn =
                    ledger.next_txn(TxnType::Repayment, amount, paid_on, &caller.username, now);
                txn.reference = repayment.reference.clone();
                Ok(txn)
            })
            .await
        })
        .await
}

/// Posts the transaction `make` builds from the loan's current ledger: replays the
/// ledger with it (a repayment above the payoff is refused there), and writes it with the
/// loan's next version (`paid` when the replay closes the loan, `active` again when it no
/// longer does) and `attempt`'s idempotency record in one transaction. A lost race reads
/// the ledger again and builds the transaction anew.
async fn post_with_retry<F>(
    app: &App,
    caller: &Caller,
    loan_id: &LoanId,
    attempt: &Attempt,
    make: F,
) -> Result<Reply, ApiError>
where
    F: Fn(&Ledger, Timestamp) -> Result<Txn, PostingError>,
{
    write_with_retry(&IfMatch::Absent, CONTENDED, || async {
        let ledger = visible_ledger(app, caller, loan_id).await?;
        let now = Timestamp::now();
        let txn = make(&ledger, now).map_err(ApiError::from)?;
        let (next, position) = ledger.with(txn.clone()).map_err(ApiError::from)?;
        let loan = ledger
            .loan
            .after_posting(position.closed_on().is_some(), now);
        let reply = created(&txn, &TxnView::of(&next, Some(&position), &txn))?;
        app.store
            .post(
                &ledger,
                &loan,
                &txn,
                arrears_key(&loan, &position),
                &attempt.write_for(&reply),
            )
            .await?;
        tracing::info!(%loan_id, txn_id = %txn.id, kind = ?txn.kind, amount = %txn.amount, paid_on = %txn.paid_on, status = %loan.status(), by = %caller.username, "transaction posted");
        Ok::<_, Lost>(reply)
    })
    .await
}

/// `POST /loans/{loan_id}/transactions/{txn_id}/reversal` (admins): cancels a repayment,
/// once, with a reason; the ledger is replayed without it.
#[cfg_attr(feature = "openapi", utoipa::path(
    post,
    path = "/loans/{loan_id}/transactions/{txn_id}/reversal",
    operation_id = "reverseTransaction",
    tag = "Servicing",
    summary = "Reverse a repayment",
    description = "Posts a `reversal` of a repayment (never of a disbursement, a reversal or \
        a write-off; each repayment once). The repayment stops counting: the ledger is \
        replayed without it, which can move later repayments' allocations and take a `paid` \
        loan back to `active`. Nothing is edited or deleted.",
    security(("bearerAuth" = ["admin"])),
    params(LoanId, TxnId, Idempotency),
    request_body(content = ReversalInput, description = "Why."),
    responses(
        (status = 201, description = "The reversal.", body = TxnView, headers(("Location"))),
        (status = 404, description = "No such loan (or not the caller's), or the loan has no \
            such transaction."),
        (status = 409, description = format!(
            "The transaction is not a repayment, or is already reversed, or the loan is written \
             off. {}",
            crate::openapi::CONTENDED
        )),
        (status = 422, description = "`reason` is missing or invalid."),
    ),
))]
pub async fn reverse(
    State(app): State<Arc<App>>,
    caller: Caller,
    loan_id: LoanId,
    txn_id: TxnId,
    idempotency: Idempotency,
    Json { value: input, raw }: Json<ReversalInput>,
) -> Result<Reply, ApiError> {
    caller.require_admin()?;
    let reason = match input.reason {
        Some(Some(text)) => Reason::parse(&text).map_err(|e| ApiError::invalid("reason", e))?,
        _ => return Err(ApiError::invalid("reason", "is required")),
    };
    let (app, caller, loan_id, txn_id, reason) = (&*app, &caller, &loan_id, &txn_id, &reason);
    idempotency
        .once(app, caller, &raw, |attempt| async move {
            post_with_retry(app, caller, loan_id, &attempt, |ledger, now| {
                let target = ledger.txn(txn_id).ok_or(PostingError::NoSuchTransaction)?;
                ledger.check_reversal(target)?;
                let mut txn = ledger.next_txn(
                    TxnType::Reversal,
                    target.amount,
                    target.paid_on,
                    &caller.username,
                    now,
                );
                txn.reason = Some(reason.clone());
                txn.reverses = Some(target.id.clone());
                Ok(txn)
            })
            .await
        })
        .await
}

/// A status change that moves money or closes the books (`active`: the disbursement;
/// `written_off`), posted to the ledger with the loan's next version. Called by `PATCH
/// /loans/{loan_id}`, which has already read `change`.
pub async fn change_status(
    app: &App,
    caller: &Caller,
    loan_id: &LoanId,
    if_match: &IfMatch,
    change: &LoanChange,
) -> Result<Reply, ApiError> {
    write_with_retry(if_match, CONTENDED, || async {
        let ledger = visible_ledger(app, caller, loan_id).await?;
        let now = Timestamp::now();
        let next = ledger.loan.change(caller.actor(), change, None, now)?;
        if_match.check(ledger.loan.version())?;
        let Some(next) = next else {
            return Ok(Reply::resource(StatusCode::OK, &ledger.loan, ledger.loan.version())?);
        };
        let (txn, arrears) = match next.status() {
            LoanStatus::Active => disbursement(&ledger, &next, caller, now)?,
            _ => write_off(&ledger, change, caller, now)?,
        };
        app.store
            .post(&ledger, &next, &txn, arrears, &WriteOnce::fresh())
            .await?;
        tracing::info!(%loan_id, from = %ledger.loan.status(), to = %next.status(), amount = %txn.amount, by = %caller.username, "loan status changed");
        Ok(Reply::resource(StatusCode::OK, &next, next.version())?)
    })
    .await
}

/// The disbursement of `next` (the loan as disbursed), and its arrears key.
fn disbursement(
    ledger: &Ledger,
    next: &Loan,
    caller: &Caller,
    now: Timestamp,
) -> Result<(Txn, Option<NaiveDate>), Lost> {
    let on = next
        .disbursed_on()
        .ok_or_else(|| ApiError::internal(ServicingError::Inconsistent("no disbursed_on")))?;
    let txn = ledger.next_txn(
        TxnType::Disbursement,
        next.amount(),
        on,
        &caller.username,
        now,
    );
    let disbursed = Ledger {
        loan: next.clone(),
        txns: vec![txn.clone()],
    };
    let position = position_of(&disbursed, None)?;
    Ok((txn, arrears_key(next, &position)))
}

/// The write-off of the loan of `ledger`: what is owed today stays on record.
fn write_off(
    ledger: &Ledger,
    change: &LoanChange,
    caller: &Caller,
    now: Timestamp,
) -> Result<(Txn, Option<NaiveDate>), Lost> {
    let today = now.as_datetime().date_naive();
    let position = position_of(ledger, None)?;
    let mut txn = ledger.next_txn(
        TxnType::WriteOff,
        position.payoff(today).payoff_amount,
        today,
        &caller.username,
        now,
    );
    txn.reason = change.reason.clone();
    Ok((txn, None))
}

/// `GET /loans/{loan_id}/transactions`: the ledger, newest first.
#[cfg_attr(feature = "openapi", utoipa::path(
    get,
    path = "/loans/{loan_id}/transactions",
    operation_id = "listTransactions",
    tag = "Servicing",
    summary = "List a loan's transactions",
    description = "The loan's ledger, newest first: its disbursement, repayments (with their \
        allocation in the current replay), reversals and write-off. Empty before \
        disbursement.",
    security(("bearerAuth" = ["admin"]), ("bearerAuth" = ["user"])),
    extensions(("x-customer" = json!("only its own loans' (another's is `404`)."))),
    params(LoanId, PageRequest),
    responses(
        (status = 200, description = "A page of transactions.",
            body = shared::openapi::TransactionPage),
        (status = 404, description = crate::openapi::NOT_ITS_LOAN),
    ),
))]
pub async fn transactions(
    State(app): State<Arc<App>>,
    caller: Caller,
    loan_id: LoanId,
    pairs: QueryPairs,
) -> Result<Reply, ApiError> {
    let query = Query::parse(pairs, &["limit", "cursor"])?;
    let page = PageRequest::from_query(&query)?;
    let binding = list::binding(
        "loan.transactions",
        &caller.username,
        &[("loan_id", Some(loan_id.as_str()))],
        page.limit,
    );
    let before = match page.resume(&app.cursors, &binding)? {
        Some(key) => key.get("seq").and_then(|seq| seq.parse::<u32>().ok()),
        None => None,
    };
    let ledger = visible_ledger(&app, &caller, &loan_id).await?;
    let position = ledger.position(None)?;
    let mut newer_first = ledger
        .txns
        .iter()
        .rev()
        .filter(|txn| before.is_none_or(|before| txn.seq < before));
    let items: Vec<TxnView> = newer_first
        .by_ref()
        .take(page.limit)
        .map(|txn| TxnView::of(&ledger, position.as_ref(), txn))
        .collect();
    let next = match (newer_first.next(), items.last()) {
        (Some(_), Some(last)) => ledger
            .txn(last.id())
            .map(|txn| [("seq".to_owned(), txn.seq.to_string())].into()),
        _ => None,
    };
    Reply::ok(&list::page(items, next, &app.cursors, &binding)?)
}

/// `GET /loans/{loan_id}/transactions/{txn_id}`: one transaction.
#[cfg_attr(feature = "openapi", utoipa::path(
    get,
    path = "/loans/{loan_id}/transactions/{txn_id}",
    operation_id = "getTransaction",
    tag = "Servicing",
    summary = "Read a transaction",
    description = "One transaction of the loan's ledger.",
    security(("bearerAuth" = ["admin"]), ("bearerAuth" = ["user"])),
    extensions(("x-customer" = json!("only its own loans' (another's is `404`)."))),
    params(LoanId, TxnId),
    responses(
        (status = 200, description = "The transaction.", body = TxnView),
        (status = 404, description = "No such loan (or not the caller's), or the loan has no \
            such transaction."),
    ),
))]
pub async fn transaction(
    State(app): State<Arc<App>>,
    caller: Caller,
    loan_id: LoanId,
    txn_id: TxnId,
) -> Result<Reply, ApiError> {
    let ledger = visible_ledger(&app, &caller, &loan_id).await?;
    let txn = ledger.txn(&txn_id).ok_or_else(txn_not_found)?;
    let position = ledger.position(None)?;
    Reply::ok(&TxnView::of(&ledger, position.as_ref(), txn))
}

/// The day a balance or payoff is asked for (`?on=`, default today), not before the
/// disbursement.
fn asked_day(pairs: QueryPairs, ledger: &Ledger) -> Result<NaiveDate, ApiError> {
    let query = Query::parse(pairs, &["on"])?;
    let on = query.syntax("on", parse_date)?.unwrap_or_else(today);
    if let Some(disbursed_on) = ledger.loan.disbursed_on()
        && on < disbursed_on
    {
        return Err(ApiError::Validation(vec![FieldError::query(
            "on",
            format!("must not be before the disbursement on {disbursed_on}"),
        )]));
    }
    Ok(on)
}

/// `GET /loans/{loan_id}/payoff`: what pays the loan off at the end of a day.
#[derive(Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = Payoff, description = "A payoff quote: what pays the loan off at the end of `on`.")
)]
struct PayoffView {
    #[cfg_attr(feature = "openapi", schema(schema_with = shared::openapi::ledger::on))]
    on: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(schema_with = shared::openapi::ledger::payoff_amount))]
    payoff_amount: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = shared::openapi::ledger::outstanding_principal))]
    outstanding_principal: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = shared::openapi::ledger::accrued_interest))]
    accrued_interest: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = shared::openapi::ledger::interest_credit))]
    interest_credit: String,
}

/// `GET /loans/{loan_id}/balance`: where the loan stood at the end of a day.
#[derive(Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = Balance, description = "Where the loan stood at the end of `on`: only \
        transactions with a value date on or before it count.")
)]
struct BalanceView {
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(inline))]
    payoff: PayoffView,
    #[cfg_attr(feature = "openapi", schema(schema_with = shared::openapi::ledger::amount_due))]
    amount_due: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = shared::openapi::ledger::overdue_amount))]
    overdue_amount: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = shared::openapi::ledger::days_past_due))]
    days_past_due: u32,
    #[cfg_attr(feature = "openapi", schema(schema_with = shared::openapi::ledger::delinquency))]
    delinquency: &'static str,
    #[cfg_attr(feature = "openapi", schema(schema_with = shared::openapi::ledger::next_due_date, required = true))]
    next_due_date: Option<NaiveDate>,
    #[cfg_attr(feature = "openapi", schema(schema_with = shared::openapi::ledger::next_due_amount, required = true))]
    next_due_amount: Option<String>,
    #[cfg_attr(feature = "openapi", schema(schema_with = shared::openapi::ledger::installments_paid))]
    installments_paid: u32,
    #[cfg_attr(feature = "openapi", schema(schema_with = shared::openapi::ledger::installments_remaining))]
    installments_remaining: u32,
    #[cfg_attr(feature = "openapi", schema(schema_with = shared::openapi::ledger::total_paid))]
    total_paid: String,
}

fn payoff_view(ledger: &Ledger, payoff: &shared::domain::servicing::Payoff) -> PayoffView {
    let money = |amount| ledger.loan.currency().format(amount);
    PayoffView {
        on: payoff.on,
        payoff_amount: money(payoff.payoff_amount),
        outstanding_principal: money(payoff.outstanding_principal),
        accrued_interest: money(payoff.accrued_interest),
        interest_credit: money(payoff.interest_credit),
    }
}

/// `GET /loans/{loan_id}/payoff?on=YYYY-MM-DD`.
#[cfg_attr(feature = "openapi", utoipa::path(
    get,
    path = "/loans/{loan_id}/payoff",
    operation_id = "getPayoff",
    tag = "Servicing",
    summary = "Quote the payoff amount",
    description = "What pays the loan off at the end of `on` (default today): the \
        outstanding principal, the unpaid interest of installments due by then and the \
        current period's interest pro rata by days, less interest already paid on the \
        current period's installment. `0.00` once paid. A repayment of exactly this amount \
        on `on` closes the loan.",
    security(("bearerAuth" = ["admin"]), ("bearerAuth" = ["user"])),
    extensions(("x-customer" = json!("only for its own loans (another's is `404`)."))),
    params(LoanId, crate::openapi::OnDay),
    responses(
        (status = 200, description = "The payoff quote.", body = PayoffView),
        (status = 404, description = crate::openapi::NOT_ITS_LOAN),
        (status = 409, description = "The loan has not been disbursed."),
        (status = 422, description = "`on` is before the disbursement."),
    ),
))]
pub async fn payoff(
    State(app): State<Arc<App>>,
    caller: Caller,
    loan_id: LoanId,
    pairs: QueryPairs,
) -> Result<Reply, ApiError> {
    let ledger = visible_ledger(&app, &caller, &loan_id).await?;
    position_of(&ledger, None)?;
    let on = asked_day(pairs, &ledger)?;
    let position = position_of(&ledger, Some(on))?;
    Reply::ok(&payoff_view(&ledger, &position.payoff(on)))
}

/// `GET /loans/{loan_id}/balance?on=YYYY-MM-DD`.
#[cfg_attr(feature = "openapi", utoipa::path(
    get,
    path = "/loans/{loan_id}/balance",
    operation_id = "getBalance",
    tag = "Servicing",
    summary = "Read a loan's balance and arrears",
    description = "Where the loan stood at the end of `on` (default today): only transactions \
        with a value date on or before it count. The payoff figures, what is due and overdue, \
        days past due and the delinquency bucket, the next installment, and what was paid.",
    security(("bearerAuth" = ["admin"]), ("bearerAuth" = ["user"])),
    extensions(("x-customer" = json!("only for its own loans (another's is `404`)."))),
    params(LoanId, crate::openapi::OnDay),
    responses(
        (status = 200, description = "The balance.", body = BalanceView),
        (status = 404, description = crate::openapi::NOT_ITS_LOAN),
        (status = 409, description = "The loan has not been disbursed."),
        (status = 422, description = "`on` is before the disbursement."),
    ),
))]
pub async fn balance(
    State(app): State<Arc<App>>,
    caller: Caller,
    loan_id: LoanId,
    pairs: QueryPairs,
) -> Result<Reply, ApiError> {
    let ledger = visible_ledger(&app, &caller, &loan_id).await?;
    position_of(&ledger, None)?;
    let on = asked_day(pairs, &ledger)?;
    let position = position_of(&ledger, Some(on))?;
    let balance = position.balance(on);
    let money = |amount| ledger.loan.currency().format(amount);
    Reply::ok(&BalanceView {
        payoff: payoff_view(&ledger, &balance.payoff),
        amount_due: money(balance.amount_due),
        overdue_amount: money(balance.overdue_amount),
        days_past_due: balance.days_past_due,
        delinquency: balance.delinquency.as_str(),
        next_due_date: balance.next_due.map(|(date, _)| date),
        next_due_amount: balance.next_due.map(|(_, amount)| money(amount)),
        installments_paid: balance.installments_paid,
        installments_remaining: balance.installments_remaining,
        total_paid: money(balance.total_paid),
    })
}

/// The current plan of a disbursed loan on `today`, for its schedule; `None` before
/// disbursement.
pub async fn plan(
    app: &App,
    caller: &Caller,
    loan_id: &LoanId,
) -> Result<Option<(Ledger, shared::domain::servicing::Plan)>, ApiError> {
    let ledger = visible_ledger(app, caller, loan_id).await?;
    let Some(position) = ledger.position(None)? else {
        return Ok(None);
    };
    let plan = position.plan_on(today());
    Ok(Some((ledger, plan)))
}
