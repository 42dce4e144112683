//! The auth function: `/auth/login`, `/auth/refresh`, `/auth/logout`, `/auth/password`,
//! `/auth/me`, `/users` and `/users/{username}`.
//!
//! Login, refresh and logout are the only operations of the API that take no access
//! token (the credentials or the refresh token are what they check). `/users...` is for
//! admins; `GET /auth/me` and `POST /auth/password` are for any signed-in caller.

use std::sync::Arc;

use lambda_http::{Body, Request, Response};
use shared::App;
use shared::auth::Caller;
use shared::error::ApiError;
use shared::http::{self as web, Reply, Routes, get, post};

mod login;
#[cfg(feature = "openapi")]
pub mod openapi;
mod password;
mod sessions;
mod user_change;
mod users;

/// The function's routes.
pub fn router(app: Arc<App>) -> axum::Router {
    Routes::new()
        .public("/auth/login", post(login::login))
        .public("/auth/refresh", post(sessions::refresh))
        .public("/auth/logout", post(sessions::logout))
        .route("/auth/password", post(password::change))
        .route("/auth/me", get(me))
        .route("/users", get(users::list).post(users::create))
        .route(
            "/users/{username}",
            get(user_change::read)
                .patch(user_change::update)
                .delete(users::delete),
        )
        .build(app)
}

/// Serves one request in-process (tests and benchmarks), as the Lambda runtime would.
pub async fn handle(app: &Arc<App>, request: Request) -> Response<Body> {
    web::respond(router(app.clone()), request).await
}

/// `GET /auth/me`: who the caller is.
#[cfg_attr(feature = "openapi", utoipa::path(
    get,
    path = "/auth/me",
    operation_id = "getMe",
    tag = "Authentication",
    summary = "Who am I",
    description = "The caller, as its token describes it.",
    security(("bearerAuth" = ["admin"]), ("bearerAuth" = ["user"])),
    extensions(("x-customer" = json!("yes.")), ("x-stateless" = json!(true))),
    responses((status = 200, description = "The caller.", body = Caller)),
))]
async fn me(caller: Caller) -> Result<Reply, ApiError> {
    Reply::ok(&caller)
}
