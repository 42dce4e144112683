//! The auth function: `/auth/login`, `/auth/me`, `/users` and `/users/{username}`.
//!
//! Login is the only operation of the API that takes no token. Everything else here is
//! for admins, except `GET /auth/me`, which tells any caller who it is.

use http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};
use shared::http::{self as web, route};
use shared::{ApiError, App};

mod login;
mod users;

/// Serves one request.
pub async fn handle(app: &App, request: Request) -> Response<Body> {
    web::serve(request, |request| route(app, request)).await
}

async fn route(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let segments = web::segments(&request);
    let path: Vec<&str> = segments.iter().map(String::as_str).collect();
    let method = request.method().clone();
    if path == ["auth", "login"] {
        return match method {
            Method::POST => login::login(app, &request).await,
            _ => Err(route::method_not_allowed(&[Method::POST])),
        };
    }
    let caller = app.tokens.authenticate(&request)?;
    match path.as_slice() {
        ["auth", "me"] => match method {
            Method::GET => web::json(StatusCode::OK, &caller),
            _ => Err(route::method_not_allowed(&[Method::GET])),
        },
        ["users"] => match method {
            Method::GET => users::list(app, &caller, &request).await,
            Method::POST => {
                caller.require_admin()?;
                shared::idempotency::once(app, &caller, &request, |attempt| {
                    users::create(app, &caller, &request, attempt)
                })
                .await
            }
            _ => Err(route::method_not_allowed(&[Method::GET, Method::POST])),
        },
        ["users", username] => match method {
            Method::DELETE => users::delete(app, &caller, &request, username).await,
            _ => Err(route::method_not_allowed(&[Method::DELETE])),
        },
        _ => Err(route::no_route()),
    }
}
