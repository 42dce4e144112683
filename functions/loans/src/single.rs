//! One loan at a time: apply, read, change (terms or status), delete, its schedule, and
//! quotes (a schedule for terms alone, nothing stored).

use std::sync::Arc;

use axum::extract::State;
use chrono::Utc;
use http::StatusCode;
use serde::Serialize;
use shared::auth::Caller;
use shared::domain::ids::LoanId;
use shared::domain::loan::Loan;
use shared::domain::loan_change::LoanChange;
use shared::domain::schedule::{self, Schedule};
use shared::domain::time::Timestamp;
use shared::http::{Idempotency, IfMatch, Json, Lost, Reply, VisibleClient, write_with_retry};
use shared::{ApiError, App};

use crate::visible_loan;
use crate::wire::{LoanInput, QuoteInput};

const CONTENDED: &str = "the loan is being changed by other requests; retry";

/// `POST /clients/{client_id}/loans`, for a client the caller may see: a new `pending`
/// loan; `404` for a client that does not exist (checked in the write's transaction).
pub async fn apply(
    State(app): State<Arc<App>>,
    caller: Caller,
    VisibleClient(client_id): VisibleClient,
    idempotency: Idempotency,
    Json { value: input, raw }: Json<LoanInput>,
) -> Result<Reply, ApiError> {
    let app = &*app;
    let caller = &caller;
    idempotency
        .once(app, caller, &raw, |attempt| async move {
            input.forbid_status("is set by the server: every new loan is pending")?;
            let (terms, purpose) = LoanChange::try_from(input)?.new_terms()?;
            let now = Timestamp::now();
            let loan = Loan::apply(LoanId::new_at(now), &client_id, &terms, purpose, now)?;
            let reply = Reply::created(&loan.location(), &loan, loan.version())?;
            app.store
                .create_loan(&loan, &attempt.write_for(&reply))
                .await?;
            tracing::info!(loan_id = %loan.id(), %client_id, by = %caller.username, "loan applied for");
            Ok(reply)
        })
        .await
}

/// `GET /loans/{loan_id}`: the loan with its `ETag`.
pub async fn get(
    State(app): State<Arc<App>>,
    caller: Caller,
    loan_id: LoanId,
) -> Result<Reply, ApiError> {
    let loan = visible_loan(&app, &caller, &loan_id, false).await?;
    Reply::resource(StatusCode::OK, &loan, loan.version())
}

/// `PUT /loans/{loan_id}`: new terms while `pending`, all of them.
pub async fn replace(
    state: State<Arc<App>>,
    caller: Caller,
    loan_id: LoanId,
    if_match: IfMatch,
    Json { value: input, .. }: Json<LoanInput>,
) -> Result<Reply, ApiError> {
    input.forbid_status("cannot be replaced; change it with PATCH")?;
    let change = LoanChange {
        replace: true,
        ..LoanChange::try_from(input)?
    };
    write(state, caller, loan_id, if_match, change).await
}

/// `PATCH /loans/{loan_id}`: new terms while `pending`, and a status change.
pub async fn update(
    state: State<Arc<App>>,
    caller: Caller,
    loan_id: LoanId,
    if_match: IfMatch,
    Json { value: input, .. }: Json<LoanInput>,
) -> Result<Reply, ApiError> {
    let change = LoanChange::try_from(input)?;
    write(state, caller, loan_id, if_match, change).await
}

/// Applies `change` as the caller asks, through the domain's [`Loan::change`]; without
/// `If-Match` a lost race re-reads and retries.
async fn write(
    State(app): State<Arc<App>>,
    caller: Caller,
    loan_id: LoanId,
    if_match: IfMatch,
    change: LoanChange,
) -> Result<Reply, ApiError> {
    write_with_retry(&if_match, CONTENDED, || async {
        let current = visible_loan(&app, &caller, &loan_id, true).await?;
        let next = current.change(caller.actor(), &change, Timestamp::now())?;
        if_match.check(current.version())?;
        let Some(next) = next else {
            return Ok(Reply::resource(StatusCode::OK, &current, current.version())?);
        };
        app.store.replace_loan(&current, &next).await?;
        if next.status() != current.status() {
            tracing::info!(%loan_id, from = %current.status(), to = %next.status(), by = %caller.username, "loan status changed");
        }
        Ok(Reply::resource(StatusCode::OK, &next, next.version())?)
    })
    .await
}

/// `DELETE /loans/{loan_id}` (admins): only a loan whose status is
/// [`deletable`](shared::domain::loan_status::LoanStatus::deletable).
pub async fn delete(
    State(app): State<Arc<App>>,
    caller: Caller,
    loan_id: LoanId,
    if_match: IfMatch,
) -> Result<Reply, ApiError> {
    write_with_retry(&if_match, CONTENDED, || async {
        let current = visible_loan(&app, &caller, &loan_id, true).await?;
        caller.require_admin()?;
        if_match.check(current.version())?;
        if !current.status().deletable() {
            return Err(Lost::Failed(ApiError::Conflict(format!(
                "a loan that is {} cannot be deleted; only pending, rejected or cancelled loans can",
                current.status()
            ))));
        }
        app.store.delete_loan(&current).await?;
        Ok(Reply::no_content())
    })
    .await
}

/// A schedule as the API returns it: the loan's id (null for a quote) and its figures.
#[derive(Serialize)]
struct ScheduleResponse<'a> {
    loan_id: Option<&'a LoanId>,
    #[serde(flatten)]
    schedule: &'a Schedule,
}

/// `GET /loans/{loan_id}/schedule`: computed on every read, never stored.
pub async fn schedule(
    State(app): State<Arc<App>>,
    caller: Caller,
    loan_id: LoanId,
) -> Result<Reply, ApiError> {
    let loan = visible_loan(&app, &caller, &loan_id, false).await?;
    let schedule = loan
        .schedule(Utc::now().date_naive())
        .map_err(ApiError::internal)?;
    Reply::ok(&ScheduleResponse {
        loan_id: Some(loan.id()),
        schedule: &schedule,
    })
}

/// `POST /quotes`: the schedule of terms alone, due from today; nothing is stored and no
/// I/O is done.
pub async fn quote(
    _: Caller,
    Json { value: input, .. }: Json<QuoteInput>,
) -> Result<Reply, ApiError> {
    let terms = input.resolve()?;
    let schedule = schedule::build(&terms, Utc::now().date_naive())?;
    Reply::ok(&ScheduleResponse {
        loan_id: None,
        schedule: &schedule,
    })
}
