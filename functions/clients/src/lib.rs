//! The clients function: `/clients` and `/clients/{client_id}`.
//!
//! Handlers parse, call the store, and respond; validation lives in [`wire`] and the
//! domain types, persistence in `shared::store::clients`, and error rendering in
//! `shared::error`. Every route needs a token. Admins may do everything; a customer may
//! only read its own client, and another client is `404` to it, as if it did not exist.

use chrono::Utc;
use http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};
use shared::auth::Caller;
use shared::domain::client::Client;
use shared::domain::time::{Timestamp, is_valid_id};
use shared::error::FieldError;
use shared::http::{self as web, IfMatch, Query, route};
use shared::idempotency::Attempt;
use shared::list::{self, PageRequest};
use shared::store::clients::{ClientFilter, WriteError};
use shared::{ApiError, App};

pub mod wire;

use wire::ClientInput;

/// How often a write without `If-Match` re-reads and retries after losing a race.
const WRITE_ATTEMPTS: usize = 8;

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
        ["clients"] => match method {
            Method::GET => list_clients(app, &caller, &request).await,
            Method::POST => {
                caller.require_admin()?;
                shared::idempotency::once(app, &caller, &request, |attempt| {
                    create_client(app, &request, attempt)
                })
                .await
            }
            _ => Err(route::method_not_allowed(&[Method::GET, Method::POST])),
        },
        ["clients", id] => match method {
            Method::GET => get_client(app, &caller, id).await,
            Method::PUT => update_client(app, &caller, &request, id, Mode::Replace).await,
            Method::PATCH => update_client(app, &caller, &request, id, Mode::Patch).await,
            Method::DELETE => delete_client(app, &caller, &request, id).await,
            _ => Err(route::method_not_allowed(&[
                Method::GET,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])),
        },
        _ => Err(route::no_route()),
    }
}

fn not_found() -> ApiError {
    ApiError::NotFound("no client exists with this id".into())
}

async fn load(app: &App, id: &str) -> Result<Client, ApiError> {
    if !is_valid_id(id) {
        return Err(not_found());
    }
    app.store.get_client(id).await?.ok_or_else(not_found)
}

async fn create_client(
    app: &App,
    request: &Request,
    attempt: Attempt,
) -> Result<Response<Body>, ApiError> {
    let input: ClientInput = web::parse_json(request)?;
    let details = input.into_details(None, Utc::now().date_naive())?;
    let client = Client::new(details, Timestamp::now());
    let response = web::created(&client.location(), &client, client.version)?;
    app.store
        .create_client(&client, &attempt.write_for(&response)?)
        .await?;
    Ok(response)
}

async fn get_client(app: &App, caller: &Caller, id: &str) -> Result<Response<Body>, ApiError> {
    if !caller.can_see_client(id) {
        return Err(not_found());
    }
    let client = load(app, id).await?;
    web::resource(StatusCode::OK, &client, client.version)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `PUT`: every editable field comes from the request.
    Replace,
    /// `PATCH`: fields absent from the request keep their value.
    Patch,
}

async fn update_client(
    app: &App,
    caller: &Caller,
    request: &Request,
    id: &str,
    mode: Mode,
) -> Result<Response<Body>, ApiError> {
    caller.require_admin()?;
    let if_match = IfMatch::from_headers(request.headers());
    let input: ClientInput = web::parse_json(request)?;
    for attempt in 0..WRITE_ATTEMPTS {
        let current = load(app, id).await?;
        if_match.check(current.version)?;
        let base = (mode == Mode::Patch).then_some(&current.details);
        let details = input.clone().into_details(base, Utc::now().date_naive())?;
        if details == current.details {
            return web::resource(StatusCode::OK, &current, current.version);
        }
        let next = current.revise(details, Timestamp::now());
        match app.store.replace_client(&current, &next).await {
            Ok(()) => return web::resource(StatusCode::OK, &next, next.version),
            Err(WriteError::Stale) if !if_match.is_present() => {
                shared::store::backoff(attempt).await
            }
            Err(WriteError::Stale) => return Err(ApiError::PreconditionFailed),
            Err(WriteError::Api(err)) => return Err(err),
        }
    }
    Err(contended())
}

async fn delete_client(
    app: &App,
    caller: &Caller,
    request: &Request,
    id: &str,
) -> Result<Response<Body>, ApiError> {
    caller.require_admin()?;
    let if_match = IfMatch::from_headers(request.headers());
    if !is_valid_id(id) {
        return Err(not_found());
    }
    for attempt in 0..WRITE_ATTEMPTS {
        // One query reads the client and its loans; the delete is conditional on both.
        let current = app
            .store
            .client_partition(id)
            .await?
            .ok_or_else(not_found)?;
        if_match.check(current.client.version)?;
        match app.store.delete_client(&current).await {
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
    ApiError::Conflict("the client is being changed by other requests; retry".into())
}

/// Query parameters of `GET /clients`.
const LIST_PARAMETERS: [&str; 5] = ["limit", "cursor", "email", "document_number", "name"];

fn parse_filter(query: &Query) -> Result<ClientFilter, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut bounded = |name: &str, max: usize, normalize: fn(&str) -> String| {
        query
            .parse_with(name, |raw| {
                if raw.chars().count() > max {
                    Err(format!("must be at most {max} characters"))
                } else {
                    Ok(normalize(raw))
                }
            })
            .map_err(|e| errors.push(e))
            .ok()
            .flatten()
    };
    let filter = ClientFilter {
        email: bounded("email", 254, str::to_lowercase),
        document_number: bounded("document_number", 30, str::to_ascii_uppercase),
        name: bounded("name", 100, str::to_lowercase),
    };
    if errors.is_empty() {
        Ok(filter)
    } else {
        Err(errors)
    }
}

async fn list_clients(
    app: &App,
    caller: &Caller,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    caller.require_admin()?;
    let query = Query::parse(request, &LIST_PARAMETERS)?;
    let page = PageRequest::from_query(&query)?;
    let filter = parse_filter(&query).map_err(ApiError::Validation)?;
    let binding = list::binding(
        "clients.list",
        &caller.username,
        &[
            ("email", filter.email.as_deref()),
            ("document_number", filter.document_number.as_deref()),
            ("name", filter.name.as_deref()),
        ],
        page.limit,
    );
    let start = page.resume(&app.cursors, &binding)?;
    let (items, next) = app.store.list_clients(&filter, page.limit, start).await?;
    web::json(
        StatusCode::OK,
        &list::page(items, next, &app.cursors, &binding)?,
    )
}
