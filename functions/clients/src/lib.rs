//! The clients function: `/clients` and `/clients/{client_id}`.
//!
//! Handlers take checked pieces of the request (see `shared::http::extract`), call the
//! store, and reply; validation lives in [`wire`] and the domain types, persistence in
//! `shared::store::clients`, and error rendering in `shared::error`. Every route needs a
//! token. Admins may do everything; a customer may only read its own client, and another
//! client is `404` to it, as if it did not exist.

use std::sync::Arc;

use lambda_http::{Body, Request, Response};
use shared::App;
use shared::http::{self as web, Routes, get};

use list::list_clients;
use single::{create_client, delete_client, get_client, replace_client, update_client};

mod list;
#[cfg(feature = "openapi")]
pub mod openapi;
mod single;
pub mod wire;

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
