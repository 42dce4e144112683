//! `POST /clients/{client_id}/loans`: applying for a loan, through a product (a customer
//! always does; the product sets the currency and rate, the amount and term stay inside
//! its bounds) or, for an admin, as a bespoke loan with explicit terms.
//!
//! Everything the application needs is checked before its one transaction, which also
//! takes a pending slot of the client (at most three), counts the loan on its product
//! (conditional on the product still being active) and stores the idempotency record.

use std::sync::Arc;

use axum::extract::State;
use shared::auth::Caller;
use shared::domain::ids::{LoanId, ProductId};
use shared::domain::loan::{Loan, Purpose};
use shared::domain::loan_change::LoanChange;
use shared::domain::product::Product;
use shared::domain::schedule::LoanTerms;
use shared::domain::time::Timestamp;
use shared::http::{Idempotency, Json, Reply, VisibleClient};
use shared::store::StoreError;
use shared::{ApiError, App, FieldError};

use crate::wire::LoanInput;

/// The `422` of a product that does not exist or no longer takes applications.
fn inactive_product() -> ApiError {
    StoreError::ProductInactive.into()
}

/// `POST /clients/{client_id}/loans`, for a client the caller may see: a new `pending`
/// loan; `404` for a client that does not exist (checked in the write's transaction).
#[cfg_attr(feature = "openapi", utoipa::path(
    post,
    path = "/clients/{client_id}/loans",
    operation_id = "applyForLoan",
    tag = "Loans",
    summary = "Apply for a loan",
    description = format!(
        "Creates a loan for the client, always `pending`, with its monthly payment and totals \
         computed from the terms. Through a product (`product_id`), the currency and rate are \
         the product's and `amount` and `term_months` must be inside its bounds; a customer \
         must apply this way. An admin may book a bespoke loan with explicit terms instead. A \
         client holds at most {} `pending` loans: a further application is `409` until one \
         is approved, rejected or cancelled.",
        shared::domain::loan_status::MAX_PENDING_LOANS
    ),
    security(("bearerAuth" = ["admin"]), ("bearerAuth" = ["user"])),
    extensions(("x-customer" = json!("only for its own client (another is `404`), and only through an active product."))),
    params(VisibleClient, Idempotency),
    request_body(content = LoanInput, description = "The terms of the loan."),
    responses(
        (status = 201, description = "The new loan, `pending`, at version 1.", body = Loan,
            headers(("Location"), ("ETag"))),
        (status = 404, description = crate::openapi::NOT_ITS_CLIENT),
        (status = 409, description = "The client already has its most pending applications, \
            or is being deleted."),
        (status = 422, description = "`status` was sent (every new loan is `pending`); the \
            product is unknown or inactive, or the amount or term is outside its bounds; a \
            customer sent a rate or currency, or no product; or the terms cannot be \
            scheduled."),
    ),
))]
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
            let (terms, purpose, product) = terms_of(app, caller, input).await?;
            let now = Timestamp::now();
            let mut loan = Loan::apply(LoanId::new_at(now), &client_id, &terms, purpose, now)?;
            if let Some(product) = &product {
                loan = loan.through(product.id());
            }
            let reply = Reply::created(&loan.location(), &loan, loan.version())?;
            app.store
                .create_loan(&loan, &attempt.write_for(&reply))
                .await?;
            tracing::info!(loan_id = %loan.id(), %client_id, product = ?loan.product_id(), by = %caller.username, "loan applied for");
            Ok(reply)
        })
        .await
}

/// The terms of the application `input` describes, and its product if it names one.
async fn terms_of(
    app: &App,
    caller: &Caller,
    mut input: LoanInput,
) -> Result<(LoanTerms, Option<Purpose>, Option<Product>), ApiError> {
    input.forbid_status("is set by the server: every new loan is pending")?;
    let product_id = input.product_id.take();
    let mut errors = Vec::new();
    if product_id.is_some() || !caller.is_admin() {
        for (field, given) in [
            ("annual_interest_rate", input.annual_interest_rate.is_some()),
            ("currency", input.currency.is_some()),
        ] {
            if given {
                errors.push(FieldError::body(field, "comes from the loan's product"));
            }
        }
    }
    let product_id = match product_id {
        Some(Some(text)) => Some(text),
        Some(None) => {
            errors.push(FieldError::body("product_id", "must not be null"));
            None
        }
        None if !caller.is_admin() => {
            errors.push(FieldError::body(
                "product_id",
                "is required: a customer applies through one of the lender's products",
            ));
            None
        }
        None => None,
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let change = LoanChange::try_from(input)?;
    let Some(product_id) = product_id else {
        let (terms, purpose) = change.new_terms()?;
        return Ok((terms, purpose, None));
    };
    let id = ProductId::parse(&product_id).ok_or_else(inactive_product)?;
    let product = app
        .store
        .get_product(&id)
        .await?
        .filter(Product::active)
        .ok_or_else(inactive_product)?;
    let mut errors = Vec::new();
    if change.amount.is_none() {
        errors.push(FieldError::body("amount", "is required"));
    }
    if change.term_months.is_none() {
        errors.push(FieldError::body("term_months", "is required"));
    }
    let (Some(amount), Some(term)) = (change.amount, change.term_months) else {
        return Err(ApiError::Validation(errors));
    };
    let terms = product
        .terms()
        .loan_terms(amount, term)
        .map_err(|failures| {
            ApiError::Validation(
                failures
                    .into_iter()
                    .map(|(field, detail)| FieldError::body(field, detail))
                    .collect(),
            )
        })?;
    Ok((terms, change.purpose.flatten(), Some(product)))
}
