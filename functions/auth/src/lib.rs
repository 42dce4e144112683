//! The auth function: `/auth/login`, `/auth/me`, `/users` and `/users/{username}`.
//!
//! Login is the only operation of the API that takes no token. Everything else here is
//! for admins, except `GET /auth/me`, which tells any caller who it is.

use std::sync::Arc;

use lambda_http::{Body, Request, Response};
use shared::App;
use shared::auth::Caller;
use shared::error::ApiError;
use shared::http::{self as web, Reply, Routes, get, post};

mod login;
mod users;

/// The function's routes.
pub fn router(app: Arc<App>) -> axum::Router {
    Routes::new()
        .public("/auth/login", post(login::login))
        .route("/auth/me", get(me))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{username}", web::delete(users::delete))
        .build(app)
}

/// Serves one request in-process (tests and benchmarks), as the Lambda runtime would.
pub async fn handle(app: &Arc<App>, request: Request) -> Response<Body> {
    web::respond(router(app.clone()), request).await
}

/// `GET /auth/me`: who the caller is.
async fn me(caller: Caller) -> Result<Reply, ApiError> {
    Reply::ok(&caller)
}
