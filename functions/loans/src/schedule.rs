//! Amortization schedules: a loan's, and quotes (a schedule for terms alone, nothing
//! stored). Both are computed on every request.

use std::sync::Arc;

use axum::extract::State;
use chrono::Utc;
use serde::Serialize;
use shared::auth::Caller;
use shared::domain::ids::LoanId;
use shared::domain::schedule::{self, Schedule};
use shared::http::{Json, Reply};
use shared::{ApiError, App};

use crate::visible_loan;
use crate::wire::QuoteInput;

/// A schedule as the API returns it: the loan's id (null for a quote) and its figures.
#[derive(Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(
        as = Schedule,
        description = "A French amortization schedule: equal monthly installments on the \
            declining balance; the last installment settles whatever is left, so the \
            principals add up to the amount exactly."
    )
)]
struct ScheduleResponse<'a> {
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = shared::openapi::schedule::loan_id, required = true)
    )]
    loan_id: Option<&'a LoanId>,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(inline))]
    schedule: &'a Schedule,
}

/// `GET /loans/{loan_id}/schedule`: computed on every read, never stored.
#[cfg_attr(feature = "openapi", utoipa::path(
    get,
    path = "/loans/{loan_id}/schedule",
    operation_id = "getLoanSchedule",
    tag = "Loans",
    summary = "Read a loan's amortization schedule",
    description = "The French amortization schedule of the loan; due dates run monthly from \
        the disbursement's value date (from today while the loan is not disbursed). Once \
        disbursed it is the current plan (prepayments shorten it), and each installment \
        carries what was `paid` of it and its `state`.",
    security(("bearerAuth" = ["admin"]), ("bearerAuth" = ["user"])),
    extensions(("x-customer" = json!("only for its own loans (another's is `404`)."))),
    params(LoanId),
    responses(
        (status = 200, description = "The schedule.", body = ScheduleResponse),
        (status = 404, description = crate::openapi::NOT_ITS_LOAN),
    ),
))]
pub async fn schedule(
    State(app): State<Arc<App>>,
    caller: Caller,
    loan_id: LoanId,
) -> Result<Reply, ApiError> {
    let loan = visible_loan(&app, &caller, &loan_id, false).await?;
    if loan.status().disbursed()
        && let Some((ledger, plan)) = crate::servicing::plan(&app, &caller, &loan_id).await?
    {
        return Reply::ok(&PlanResponse {
            loan_id: ledger.loan.id(),
            plan: &plan,
        });
    }
    let schedule = loan
        .schedule(Utc::now().date_naive())
        .map_err(ApiError::internal)?;
    Reply::ok(&ScheduleResponse {
        loan_id: Some(loan.id()),
        schedule: &schedule,
    })
}

/// A disbursed loan's schedule: its current plan, each installment with `paid` and
/// `state` (documented as the same `Schedule`, whose installments describe both).
#[derive(Serialize)]
struct PlanResponse<'a> {
    loan_id: &'a LoanId,
    #[serde(flatten)]
    plan: &'a shared::domain::servicing::Plan,
}

/// `POST /quotes`: the schedule of terms alone, due from today; nothing is stored and no
/// I/O is done.
#[cfg_attr(feature = "openapi", utoipa::path(
    post,
    path = "/quotes",
    operation_id = "createQuote",
    tag = "Quotes",
    summary = "Preview a schedule",
    description = "The schedule that terms would give, due monthly from today. Nothing is \
        stored.",
    security(("bearerAuth" = ["admin"]), ("bearerAuth" = ["user"])),
    extensions(
        ("x-customer" = json!("may ask for quotes.")),
        ("x-stateless" = json!(true)),
    ),
    request_body(content = QuoteInput, description = "The terms to quote."),
    responses(
        (status = 200, description = "The schedule the terms would give (`loan_id` is `null`).",
            body = ScheduleResponse),
        (status = 422, description = "The terms cannot be scheduled."),
    ),
))]
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
