//! One loan at a time: read, change (terms or status), delete.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::extract::State;
use http::StatusCode;
use shared::auth::Caller;
use shared::domain::ids::LoanId;
#[cfg(feature = "openapi")]
use shared::domain::loan::Loan;
use shared::domain::loan_change::LoanChange;
use shared::domain::loan_status::LoanStatus;
use shared::domain::product::Product;
use shared::domain::time::Timestamp;
use shared::http::{IfMatch, Json, Lost, Reply, write_with_retry};
use shared::{ApiError, App};

use crate::wire::LoanInput;
use crate::{loan_for_write, visible_loan};

const CONTENDED: &str = "the loan is being changed by other requests; retry";

/// `GET /loans/{loan_id}`: the loan with its `ETag`.
#[cfg_attr(feature = "openapi", utoipa::path(
    get,
    path = "/loans/{loan_id}",
    operation_id = "getLoan",
    tag = "Loans",
    summary = "Read a loan",
    description = "",
    security(("bearerAuth" = ["admin"]), ("bearerAuth" = ["user"])),
    extensions(("x-customer" = json!("only its own loans (another's is `404`)."))),
    params(LoanId),
    responses(
        (status = 200, description = "The loan.", body = Loan, headers(("ETag"))),
        (status = 404, description = crate::openapi::NOT_ITS_LOAN),
    ),
))]
pub async fn get(
    State(app): State<Arc<App>>,
    caller: Caller,
    loan_id: LoanId,
) -> Result<Reply, ApiError> {
    let loan = visible_loan(&app, &caller, &loan_id, false).await?;
    Reply::resource(StatusCode::OK, &loan, loan.version())
}

/// `PUT /loans/{loan_id}`: new terms while `pending`, all of them.
#[cfg_attr(feature = "openapi", utoipa::path(
    put,
    path = "/loans/{loan_id}",
    operation_id = "replaceLoan",
    tag = "Loans",
    summary = "Replace a loan's terms",
    description = "Sets every term of a `pending` loan and recomputes its figures; a left-out \
        `currency` is `MXN` and a left-out `purpose` is cleared.",
    security(("bearerAuth" = ["admin"])),
    params(LoanId, IfMatch),
    request_body(content = LoanInput, description = "Every term of the loan."),
    responses(
        (status = 200, description = "The loan as it now is.", body = Loan, headers(("ETag"))),
        (status = 404, description = crate::openapi::NOT_ITS_LOAN),
        (status = 409, description = format!(
            "{} {}", crate::openapi::TERMS_FIXED, crate::openapi::CONTENDED
        )),
        (status = 422, description = "`status` was sent (change it with `PATCH`)."),
    ),
))]
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
#[cfg_attr(feature = "openapi", utoipa::path(
    patch,
    path = "/loans/{loan_id}",
    operation_id = "updateLoan",
    tag = "Loans",
    summary = "Change a loan's terms or status",
    description = "Changes the terms sent (only while `pending`) and/or moves the loan to \
        another status, stamping that status's timestamp. `pending` → `approved` | \
        `rejected` | `cancelled`; `approved` → `active` (disbursed, with an optional \
        `disbursed_on` value date; it writes the `disbursement` transaction) | `cancelled`; \
        `active` → `written_off` (admins, with a `reason`; the payoff that day is written \
        off). `paid` is reached only through repayments: asking for it is `409`.",
    security(("bearerAuth" = ["admin"]), ("bearerAuth" = ["user"])),
    extensions(("x-customer" = json!(
        "may only send `{\"status\": \"cancelled\"}` for its own `pending` loan: another \
         status is `403`, any other field `422`; another client's loan is `404`."
    ))),
    params(LoanId, IfMatch),
    request_body(
        content = crate::openapi::LoanPatch,
        description = "The terms and/or the status to change."
    ),
    responses(
        (status = 200, description = "The loan as it now is.", body = Loan, headers(("ETag"))),
        (status = 403, description = "A customer asked for a status other than `cancelled`."),
        (status = 404, description = crate::openapi::NOT_ITS_LOAN),
        (status = 409, description = format!(
            "The status change is not allowed from the current status (the detail names \
             both). {} {}",
            crate::openapi::TERMS_FIXED,
            crate::openapi::CONTENDED
        )),
        (status = 422, description = "A customer sent a field other than `status`; \
            `disbursed_on` without `active`, or in the future or more than 10 years back; \
            `written_off` without a `reason`, or a `reason` without it."),
    ),
))]
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

/// Applies `change` as the caller asks, through the domain's
/// [`Loan::change`](shared::domain::loan::Loan::change); without
/// `If-Match` a lost race re-reads and retries.
async fn write(
    State(app): State<Arc<App>>,
    caller: Caller,
    loan_id: LoanId,
    if_match: IfMatch,
    change: LoanChange,
) -> Result<Reply, ApiError> {
    if matches!(
        change.status,
        Some(LoanStatus::Active | LoanStatus::WrittenOff)
    ) {
        return crate::servicing::change_status(&app, &caller, &loan_id, &if_match, &change).await;
    }
    let attempts = AtomicUsize::new(0);
    write_with_retry(&if_match, CONTENDED, || async {
        let fresh = attempts.fetch_add(1, Ordering::Relaxed) > 0;
        let current = loan_for_write(&app, &caller, &loan_id, fresh, &if_match).await?;
        // A product loan's new terms stay inside the product's bounds as they are now.
        let product = match current.product_id() {
            Some(id) if change.touches_terms() => app.store.get_product(id).await?,
            _ => None,
        };
        let bounds = product.as_ref().map(Product::terms);
        let next = current.change(caller.actor(), &change, bounds, Timestamp::now())?;
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
#[cfg_attr(feature = "openapi", utoipa::path(
    delete,
    path = "/loans/{loan_id}",
    operation_id = "deleteLoan",
    tag = "Loans",
    summary = "Delete a loan",
    description = "Deletes a loan that is `pending`, `rejected` or `cancelled`.",
    security(("bearerAuth" = ["admin"])),
    params(LoanId, IfMatch),
    responses(
        (status = 204, description = "The loan is gone."),
        (status = 404, description = crate::openapi::NOT_ITS_LOAN),
        (status = 409, description = format!(
            "The loan is `approved`, `active` or `paid`; only `pending`, `rejected` or \
             `cancelled` loans can be deleted. {}",
            crate::openapi::CONTENDED
        )),
    ),
))]
pub async fn delete(
    State(app): State<Arc<App>>,
    caller: Caller,
    loan_id: LoanId,
    if_match: IfMatch,
) -> Result<Reply, ApiError> {
    let attempts = AtomicUsize::new(0);
    write_with_retry(&if_match, CONTENDED, || async {
        let fresh = attempts.fetch_add(1, Ordering::Relaxed) > 0;
        let current = loan_for_write(&app, &caller, &loan_id, fresh, &if_match).await?;
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
