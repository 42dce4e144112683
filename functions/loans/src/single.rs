//! One loan at a time: apply, read, change (terms or status), delete, its schedule, and
//! quotes (a schedule for terms alone, nothing stored).

use chrono::Utc;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use shared::auth::Caller;
use shared::domain::loan::Loan;
use shared::domain::loan_status::{Actor, LoanStatus, allowed_for};
use shared::domain::schedule::{self, Schedule, ScheduleError};
use shared::domain::time::Timestamp;
use shared::http::{self as web, IfMatch};
use shared::idempotency::Attempt;
use shared::store::clients::WriteError;
use shared::{ApiError, App};

use crate::visible_loan;
use crate::wire::{LoanInput, QuoteInput};

/// How often a write without `If-Match` re-reads and retries after losing a race.
pub const WRITE_ATTEMPTS: usize = 8;

fn unschedulable(err: ScheduleError) -> ApiError {
    ApiError::invalid(
        "term_months",
        format!("these terms cannot be scheduled: {err}"),
    )
}

/// `POST /clients/{client_id}/loans`, for a client the caller may see: a new `pending`
/// loan; `404` for a client that does not exist (checked in the write's transaction).
pub async fn apply(
    app: &App,
    caller: &Caller,
    request: &Request,
    client_id: &str,
    attempt: Attempt,
) -> Result<Response<Body>, ApiError> {
    let input: LoanInput = web::parse_json(request)?;
    input.forbid_status("is set by the server: every new loan is pending")?;
    let (terms, purpose) = input.resolve(None)?;
    let loan = Loan::apply(client_id, &terms, purpose, Timestamp::now()).map_err(unschedulable)?;
    let response = web::created(&loan.location(), &loan, loan.version)?;
    app.store
        .create_loan(&loan, &attempt.write_for(&response)?)
        .await?;
    tracing::info!(loan_id = %loan.id, client_id, by = %caller.username, "loan applied for");
    Ok(response)
}

/// `GET /loans/{loan_id}`: the loan with its `ETag`.
pub async fn get(app: &App, caller: &Caller, loan_id: &str) -> Result<Response<Body>, ApiError> {
    let loan = visible_loan(app, caller, loan_id, false).await?;
    web::resource(StatusCode::OK, &loan, loan.version)
}

/// Which of the two writes of a loan is being served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `PUT`: every term comes from the request.
    Replace,
    /// `PATCH`: absent fields keep their value; may carry a status change.
    Patch,
}

/// What a customer may do to a loan: cancel it while pending, nothing else.
fn check_customer_change(input: &LoanInput, mode: Mode) -> Result<(), ApiError> {
    if mode == Mode::Replace {
        return Err(ApiError::Forbidden);
    }
    let violations = input.customer_violations();
    if !violations.is_empty() {
        return Err(ApiError::Validation(violations));
    }
    match &input.status {
        Some(Some(status)) if status == LoanStatus::Cancelled.as_str() => Ok(()),
        Some(Some(_)) => Err(ApiError::Forbidden),
        _ => Ok(()),
    }
}

/// The loan `input` makes of `current`, or `None` when it changes nothing.
fn change(
    caller: &Caller,
    current: &Loan,
    input: &LoanInput,
    mode: Mode,
) -> Result<Option<Loan>, ApiError> {
    let now = Timestamp::now();
    let mut next = None;
    if mode == Mode::Replace || input.touches_terms() {
        if !current.status.terms_editable() {
            return Err(ApiError::Conflict(format!(
                "the terms of a loan that is {} cannot change; only a pending loan's can",
                current.status
            )));
        }
        let base = (mode == Mode::Patch).then_some(current);
        let (terms, purpose) = input.clone().resolve(base)?;
        next = Some(
            current
                .with_terms(&terms, purpose, now)
                .map_err(unschedulable)?,
        );
    }
    match &input.status {
        Some(Some(text)) => {
            let to = LoanStatus::parse(text).map_err(|e| ApiError::invalid("status", e))?;
            let actor = if caller.is_admin() {
                Actor::Admin
            } else {
                Actor::Customer
            };
            if !allowed_for(actor, current.status, to) {
                return Err(ApiError::Conflict(
                    current.status.transition(to).err().map_or_else(
                        || {
                            format!(
                                "a customer cannot move a loan that is {} to {to}",
                                current.status
                            )
                        },
                        |e| e.to_string(),
                    ),
                ));
            }
            let base = next.as_ref().unwrap_or(current);
            let mut moved = base
                .with_status(to, now)
                .map_err(|e| ApiError::Conflict(e.to_string()))?;
            moved.version = current.version + 1;
            next = Some(moved);
        }
        Some(None) => return Err(ApiError::invalid("status", "must not be null")),
        None => {}
    }
    Ok(next.filter(|next| next != current))
}

/// `PUT` and `PATCH /loans/{loan_id}`: new terms while `pending`, and (`PATCH` only) a
/// status change. Without `If-Match` a lost race re-reads and retries, up to
/// `WRITE_ATTEMPTS` times, then `409`.
pub async fn update(
    app: &App,
    caller: &Caller,
    request: &Request,
    loan_id: &str,
    mode: Mode,
) -> Result<Response<Body>, ApiError> {
    let if_match = IfMatch::from_headers(request.headers());
    let input: LoanInput = web::parse_json(request)?;
    if mode == Mode::Replace {
        input.forbid_status("cannot be replaced; change it with PATCH")?;
    }
    for attempt in 0..WRITE_ATTEMPTS {
        let current = visible_loan(app, caller, loan_id, true).await?;
        if !caller.is_admin() {
            check_customer_change(&input, mode)?;
        }
        if_match.check(current.version)?;
        let Some(next) = change(caller, &current, &input, mode)? else {
            return web::resource(StatusCode::OK, &current, current.version);
        };
        match app.store.replace_loan(&current, &next).await {
            Ok(()) => {
                if next.status != current.status {
                    tracing::info!(loan_id, from = %current.status, to = %next.status, by = %caller.username, "loan status changed");
                }
                return web::resource(StatusCode::OK, &next, next.version);
            }
            Err(WriteError::Stale) if !if_match.is_present() => {
                shared::store::backoff(attempt).await
            }
            Err(WriteError::Stale) => return Err(ApiError::PreconditionFailed),
            Err(WriteError::Api(err)) => return Err(err),
        }
    }
    Err(contended())
}

/// `DELETE /loans/{loan_id}` (admins): only a loan whose status is
/// [`deletable`](shared::domain::loan_status::LoanStatus::deletable); retries like
/// [`update`].
pub async fn delete(
    app: &App,
    caller: &Caller,
    request: &Request,
    loan_id: &str,
) -> Result<Response<Body>, ApiError> {
    let if_match = IfMatch::from_headers(request.headers());
    for attempt in 0..WRITE_ATTEMPTS {
        let current = visible_loan(app, caller, loan_id, true).await?;
        caller.require_admin()?;
        if_match.check(current.version)?;
        if !current.status.deletable() {
            return Err(ApiError::Conflict(format!(
                "a loan that is {} cannot be deleted; only pending, rejected or cancelled loans can",
                current.status
            )));
        }
        match app.store.delete_loan(&current).await {
            Ok(()) => return Ok(web::no_content()),
            Err(WriteError::Stale) if !if_match.is_present() => {
                shared::store::backoff(attempt).await
            }
            Err(WriteError::Stale) => return Err(ApiError::PreconditionFailed),
            Err(WriteError::Api(err)) => return Err(err),
        }
    }
    Err(contended())
}

fn contended() -> ApiError {
    ApiError::Conflict("the loan is being changed by other requests; retry".into())
}

/// A schedule as the API returns it: the loan's id (null for a quote) and its figures.
#[derive(Serialize)]
struct ScheduleResponse<'a> {
    loan_id: Option<&'a str>,
    #[serde(flatten)]
    schedule: &'a Schedule,
}

/// `GET /loans/{loan_id}/schedule`: computed on every read, never stored.
pub async fn schedule(
    app: &App,
    caller: &Caller,
    loan_id: &str,
) -> Result<Response<Body>, ApiError> {
    let loan = visible_loan(app, caller, loan_id, false).await?;
    let schedule = loan
        .schedule(Utc::now().date_naive())
        .map_err(ApiError::internal)?;
    web::json(
        StatusCode::OK,
        &ScheduleResponse {
            loan_id: Some(&loan.id),
            schedule: &schedule,
        },
    )
}

/// `POST /quotes`: the schedule of terms alone, due from today; nothing is stored and no
/// I/O is done.
pub fn quote(request: &Request) -> Result<Response<Body>, ApiError> {
    let input: QuoteInput = web::parse_json(request)?;
    let terms = input.resolve()?;
    let schedule = schedule::build(&terms, Utc::now().date_naive()).map_err(unschedulable)?;
    web::json(
        StatusCode::OK,
        &ScheduleResponse {
            loan_id: None,
            schedule: &schedule,
        },
    )
}
