//! The loans function: `/clients/{client_id}/loans`, `/loans`, `/loans/{loan_id}`,
//! `/loans/{loan_id}/schedule` and `/quotes`.
//!
//! Every route needs a token. Admins may do everything. A customer may apply for a loan
//! for its own client, list and read its own loans and their schedules, cancel its own
//! pending loan, and ask for quotes; another client's loans are `404` to it, and any
//! other operation is `403`.

use http::Method;
use lambda_http::{Body, Request, Response};
use shared::auth::Caller;
use shared::domain::loan::Loan;
use shared::domain::time::is_valid_id;
use shared::http::{self as web, route};
use shared::{ApiError, App};

mod lists;
mod single;
pub mod wire;

pub use single::WRITE_ATTEMPTS;

/// Serves one request.
pub async fn handle(app: &App, request: Request) -> Response<Body> {
    web::serve(request, |request| route(app, request)).await
}

async fn route(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let caller = app.tokens.authenticate(&request)?;
    let segments = web::segments(&request);
    let path: Vec<&str> = segments.iter().map(String::as_str).collect();
    let method = request.method().clone();
    match path.as_slice() {
        ["clients", client_id, "loans"] => match method {
            Method::GET => lists::client_loans(app, &caller, &request, client_id).await,
            Method::POST => {
                if !is_valid_id(client_id) || !caller.can_see_client(client_id) {
                    return Err(client_not_found());
                }
                shared::idempotency::once(app, &caller, &request, |attempt| {
                    single::apply(app, &caller, &request, client_id, attempt)
                })
                .await
            }
            _ => Err(route::method_not_allowed(&[Method::GET, Method::POST])),
        },
        ["loans"] => match method {
            Method::GET => lists::loans(app, &caller, &request).await,
            _ => Err(route::method_not_allowed(&[Method::GET])),
        },
        ["loans", loan_id] => match method {
            Method::GET => single::get(app, &caller, loan_id).await,
            Method::PUT => {
                single::update(app, &caller, &request, loan_id, single::Mode::Replace).await
            }
            Method::PATCH => {
                single::update(app, &caller, &request, loan_id, single::Mode::Patch).await
            }
            Method::DELETE => single::delete(app, &caller, &request, loan_id).await,
            _ => Err(route::method_not_allowed(&[
                Method::GET,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])),
        },
        ["loans", loan_id, "schedule"] => match method {
            Method::GET => single::schedule(app, &caller, loan_id).await,
            _ => Err(route::method_not_allowed(&[Method::GET])),
        },
        ["quotes"] => match method {
            Method::POST => single::quote(&request),
            _ => Err(route::method_not_allowed(&[Method::POST])),
        },
        _ => Err(route::no_route()),
    }
}

fn loan_not_found() -> ApiError {
    ApiError::NotFound("no loan exists with this id".into())
}

fn client_not_found() -> ApiError {
    ApiError::NotFound("no client exists with this id".into())
}

/// A loan the caller may see: missing and foreign loans are the same `404`.
async fn visible_loan(
    app: &App,
    caller: &Caller,
    loan_id: &str,
    for_update: bool,
) -> Result<Loan, ApiError> {
    if !is_valid_id(loan_id) {
        return Err(loan_not_found());
    }
    let loan = if for_update {
        app.store.get_loan_for_update(loan_id).await?
    } else {
        app.store.get_loan(loan_id).await?
    };
    loan.filter(|loan| caller.can_see_client(&loan.client_id))
        .ok_or_else(loan_not_found)
}
