//! One client at a time: create, read, replace, change and delete, each honouring what the
//! caller may see (a customer only its own client) and `If-Match` on writes.

use std::sync::Arc;

use axum::extract::State;
use chrono::Utc;
use http::StatusCode;
use shared::auth::Caller;
use shared::domain::client::Client;
use shared::domain::ids::ClientId;
use shared::domain::time::Timestamp;
use shared::http::extract::client_not_found;
use shared::http::{Admin, Idempotency, IfMatch, Json, Reply, write_with_retry};
use shared::{ApiError, App};

#[cfg(feature = "openapi")]
use crate::openapi;
use crate::wire::ClientInput;

const CONTENDED: &str = "the client is being changed by other requests; retry";

#[cfg_attr(feature = "openapi", utoipa::path(
    post,
    path = "/clients",
    operation_id = "createClient",
    tag = "Clients",
    summary = "Create a client",
    description = "Registers a borrower. Its email and document number must be unique.",
    security(("bearerAuth" = ["admin"])),
    params(Idempotency),
    request_body(content = ClientInput, description = "Every editable field of the client."),
    responses(
        (status = 201, description = "The new client, at version 1.", body = Client,
            headers(("Location"), ("ETag"))),
        (status = 409, description = openapi::TAKEN),
    ),
))]
pub(crate) async fn create_client(
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

#[cfg_attr(feature = "openapi", utoipa::path(
    get,
    path = "/clients/{client_id}",
    operation_id = "getClient",
    tag = "Clients",
    summary = "Read a client",
    security(("bearerAuth" = ["admin"]), ("bearerAuth" = ["user"])),
    extensions(("x-customer" = json!("only its own client; any other is `404`."))),
    params(ClientId),
    responses(
        (status = 200, description = "The client.", body = Client, headers(("ETag"))),
        (status = 404, description = "No client has this id, or it is not the caller's."),
    ),
))]
pub(crate) async fn get_client(
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

#[cfg_attr(feature = "openapi", utoipa::path(
    put,
    path = "/clients/{client_id}",
    operation_id = "replaceClient",
    tag = "Clients",
    summary = "Replace a client",
    description = "Sets every editable field; an optional field left out is cleared. A change \
        that alters nothing returns the client as it is, at the same version.",
    security(("bearerAuth" = ["admin"])),
    params(ClientId, IfMatch),
    request_body(content = ClientInput, description = "Every editable field of the client."),
    responses(
        (status = 200, description = "The client as it now is.", body = Client,
            headers(("ETag"))),
        (status = 404, description = openapi::MISSING),
        (status = 409, description = format!("{} {}", openapi::TAKEN, openapi::CONTENDED)),
    ),
))]
pub(crate) async fn replace_client(
    state: State<Arc<App>>,
    admin: Admin,
    id: ClientId,
    if_match: IfMatch,
    body: Json<ClientInput>,
) -> Result<Reply, ApiError> {
    write_client(state, admin, id, if_match, body, false).await
}

#[cfg_attr(feature = "openapi", utoipa::path(
    patch,
    path = "/clients/{client_id}",
    operation_id = "updateClient",
    tag = "Clients",
    summary = "Change some fields of a client",
    description = "Changes only the fields sent; `null` clears `phone` or `monthly_income`. A \
        change that alters nothing returns the client as it is, at the same version.",
    security(("bearerAuth" = ["admin"])),
    params(ClientId, IfMatch),
    request_body(content = openapi::ClientPatch, description = "The fields to change."),
    responses(
        (status = 200, description = "The client as it now is.", body = Client,
            headers(("ETag"))),
        (status = 404, description = openapi::MISSING),
        (status = 409, description = format!("{} {}", openapi::TAKEN, openapi::CONTENDED)),
    ),
))]
pub(crate) async fn update_client(
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

#[cfg_attr(feature = "openapi", utoipa::path(
    delete,
    path = "/clients/{client_id}",
    operation_id = "deleteClient",
    tag = "Clients",
    summary = "Delete a client",
    description = "Deletes the client with all its loans and customer logins and frees its \
        email and document number; refused while it has a loan that is `pending`, \
        `approved` or `active`. No loan or login is ever left without its client.",
    security(("bearerAuth" = ["admin"])),
    params(ClientId, IfMatch),
    responses(
        (status = 204, description = "The client is gone."),
        (status = 404, description = openapi::MISSING),
        (status = 409, description = format!(
            "The client has a loan that is `pending`, `approved` or `active`. {}",
            openapi::CONTENDED
        )),
    ),
))]
pub(crate) async fn delete_client(
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
