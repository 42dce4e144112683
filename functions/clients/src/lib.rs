//! The clients function: `/clients` and `/clients/{client_id}`.
//!
//! Handlers take checked pieces of the request (see `shared::http::extract`), call the
//! store, and reply; validation lives in [`wire`] and the domain types, persistence in
//! `shared::store::clients`, and error rendering in `shared::error`. Every route needs a
//! token. Admins may do everything; a customer may only read its own client, and another
//! client is `404` to it, as if it did not exist.

use std::sync::Arc;

use axum::extract::State;
use chrono::Utc;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::auth::Caller;
use shared::domain::client::Client;
use shared::domain::ids::ClientId;
use shared::domain::time::Timestamp;
use shared::error::FieldError;
use shared::http::extract::client_not_found;
use shared::http::{
    self as web, Admin, Idempotency, IfMatch, Json, Query, QueryPairs, Reply, Routes, get,
    write_with_retry,
};
use shared::list::{self, PageRequest};
use shared::store::clients::ClientFilter;
use shared::{ApiError, App};

pub mod wire;

use wire::ClientInput;

/// The function's routes.
pub fn router(app: Arc<App>) -> axum::Router {
    Routes::new()
        .route("/clients", get(list_clients).post(create_client))
        .route(
            "/clients/{client_id}",
            get(get_client)
                .put(replace_client)
                .patch(update_client)
                .delete(delete_client),
        )
        .build(app)
}

/// Serves one request in-process (tests and benchmarks), as the Lambda runtime would.
pub async fn handle(app: &Arc<App>, request: Request) -> Response<Body> {
    web::respond(router(app.clone()), request).await
}

const CONTENDED: &str = "the client is being changed by other requests; retry";

async fn create_client(
    State(app): State<Arc<App>>,
    Admin(caller): Admin,
    idempotency: Idempotency,
    Json { value: input, raw }: Json<ClientInput>,
) -> Result<Reply, ApiError> {
    let app = &*app;
    idempotency
        .once(app, &caller, &raw, |attempt| async move {
            let details = input.into_details(None, Utc::now().date_naive())?;
            let now = Timestamp::now();
            let client = Client::new(ClientId::new_at(now), details, now);
            let reply = Reply::created(&client.location(), &client, client.version())?;
            app.store
                .create_client(&client, &attempt.write_for(&reply))
                .await?;
            Ok(reply)
        })
        .await
}

async fn get_client(
    State(app): State<Arc<App>>,
    caller: Caller,
    id: ClientId,
) -> Result<Reply, ApiError> {
    if !caller.can_see_client(&id) {
        return Err(client_not_found());
    }
    let client = app
        .store
        .get_client(&id)
        .await?
        .ok_or_else(client_not_found)?;
    Reply::resource(StatusCode::OK, &client, client.version())
}

async fn replace_client(
    state: State<Arc<App>>,
    admin: Admin,
    id: ClientId,
    if_match: IfMatch,
    body: Json<ClientInput>,
) -> Result<Reply, ApiError> {
    write_client(state, admin, id, if_match, body, false).await
}

async fn update_client(
    state: State<Arc<App>>,
    admin: Admin,
    id: ClientId,
    if_match: IfMatch,
    body: Json<ClientInput>,
) -> Result<Reply, ApiError> {
    write_client(state, admin, id, if_match, body, true).await
}

/// `PUT` (`patch` false: every editable field comes from the request) and `PATCH`
/// (fields absent from the request keep their value).
async fn write_client(
    State(app): State<Arc<App>>,
    _: Admin,
    id: ClientId,
    if_match: IfMatch,
    Json { value: input, .. }: Json<ClientInput>,
    patch: bool,
) -> Result<Reply, ApiError> {
    write_with_retry(&if_match, CONTENDED, || async {
        let current = app
            .store
            .get_client(&id)
            .await?
            .ok_or_else(client_not_found)?;
        if_match.check(current.version())?;
        let base = patch.then_some(current.details());
        let details = input.clone().into_details(base, Utc::now().date_naive())?;
        if &details == current.details() {
            return Ok(Reply::resource(
                StatusCode::OK,
                &current,
                current.version(),
            )?);
        }
        let next = current.revise(details, Timestamp::now());
        app.store.replace_client(&current, &next).await?;
        Ok(Reply::resource(StatusCode::OK, &next, next.version())?)
    })
    .await
}

async fn delete_client(
    State(app): State<Arc<App>>,
    _: Admin,
    id: ClientId,
    if_match: IfMatch,
) -> Result<Reply, ApiError> {
    write_with_retry(&if_match, CONTENDED, || async {
        // One query reads the client and its loans; the delete is conditional on both.
        let current = app
            .store
            .client_partition(&id)
            .await?
            .ok_or_else(client_not_found)?;
        if_match.check(current.client.version())?;
        if let Some(open) = current.open_loan() {
            return Err(ApiError::Conflict(format!(
                "the client has a loan that is {}; it can be deleted once every loan is rejected, cancelled or paid",
                open.status()
            ))
            .into());
        }
        app.store.delete_client(&current).await?;
        Ok(Reply::no_content())
    })
    .await
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
    State(app): State<Arc<App>>,
    Admin(caller): Admin,
    pairs: QueryPairs,
) -> Result<Reply, ApiError> {
    let query = Query::parse(pairs, &LIST_PARAMETERS)?;
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
    Reply::ok(&list::page(items, next, &app.cursors, &binding)?)
}
