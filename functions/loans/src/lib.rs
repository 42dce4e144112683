//! The loans function: `/clients/{client_id}/loans`, `/loans`, `/loans/{loan_id}`,
//! `/loans/{loan_id}/schedule`, the servicing routes under `/loans/{loan_id}`
//! (repayments, transactions, reversals, balance, payoff), `/quotes` and `/products`.
//!
//! Every route needs a token. Admins may do everything. A customer may apply for a loan
//! for its own client, list and read its own loans and their schedules, cancel its own
//! pending loan, and ask for quotes; another client's loans are `404` to it, and any
//! other operation is `403`.

use std::sync::Arc;

use lambda_http::{Body, Request, Response};
use shared::App;
use shared::auth::Caller;
use shared::domain::ids::LoanId;
use shared::domain::loan::Loan;
use shared::error::ApiError;
use shared::http::extract::loan_not_found;
use shared::http::{self as web, Routes, get, post};

mod application;
mod lists;
#[cfg(feature = "openapi")]
pub mod openapi;
mod product_wire;
mod products;
mod schedule;
mod servicing;
mod single;
pub mod wire;

/// The function's routes.
pub fn router(app: Arc<App>) -> axum::Router {
    Routes::new()
        .route(
            "/clients/{client_id}/loans",
            get(lists::client_loans).post(application::apply),
        )
        .route("/loans", get(lists::loans))
        .route(
            "/loans/{loan_id}",
            get(single::get)
                .put(single::replace)
                .patch(single::update)
                .delete(single::delete),
        )
        .route("/loans/{loan_id}/schedule", get(schedule::schedule))
        .route("/loans/{loan_id}/repayments", post(servicing::repay))
        .route(
            "/loans/{loan_id}/transactions",
            get(servicing::transactions),
        )
        .route(
            "/loans/{loan_id}/transactions/{txn_id}",
            get(servicing::transaction),
        )
        .route(
            "/loans/{loan_id}/transactions/{txn_id}/reversal",
            post(servicing::reverse),
        )
        .route("/loans/{loan_id}/balance", get(servicing::balance))
        .route("/loans/{loan_id}/payoff", get(servicing::payoff))
        .route("/quotes", post(schedule::quote))
        .route("/products", get(products::list).post(products::create))
        .route(
            "/products/{product_id}",
            get(products::get)
                .patch(products::update)
                .delete(products::delete),
        )
        .build(app)
}

/// Serves one request in-process (tests and benchmarks), as the Lambda runtime would.
pub async fn handle(app: &Arc<App>, request: Request) -> Response<Body> {
    web::respond(router(app.clone()), request).await
}

/// The loan a write starts from, in one call on a first attempt: the copy GSI3 holds,
/// which may lag a write by a moment. The write is conditional on the version read, so a
/// stale copy can only make it fail and retry, never lose an update; the retry (`fresh`)
/// reads the table, strongly consistent. A stale copy that does not satisfy `If-Match`
/// is read again consistently before anyone is told `412`.
async fn loan_for_write(
    app: &App,
    caller: &Caller,
    loan_id: &LoanId,
    fresh: bool,
    if_match: &shared::http::IfMatch,
) -> Result<Loan, ApiError> {
    let loan = visible_loan(app, caller, loan_id, fresh).await?;
    if !fresh && if_match.check(loan.version()).is_err() {
        return visible_loan(app, caller, loan_id, true).await;
    }
    Ok(loan)
}

/// A loan the caller may see: missing and foreign loans are the same `404`.
async fn visible_loan(
    app: &App,
    caller: &Caller,
    loan_id: &LoanId,
    for_update: bool,
) -> Result<Loan, ApiError> {
    let loan = if for_update {
        app.store.get_loan_for_update(loan_id).await?
    } else {
        app.store.get_loan(loan_id).await?
    };
    loan.filter(|loan| caller.can_see_client(loan.client_id()))
        .ok_or_else(loan_not_found)
}
