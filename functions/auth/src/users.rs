//! User administration (admins only): create, list, delete.

use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use shared::auth::{Caller, Role, password};
use shared::domain::time::{Timestamp, is_valid_id};
use shared::domain::user::{User, Username};
use shared::http::{self as web, IfMatch, Query};
use shared::idempotency::Attempt;
use shared::list::{self, PageRequest};
use shared::{ApiError, App, FieldError};

/// `POST /users` body.
#[derive(Deserialize)]
struct NewUser {
    username: String,
    password: String,
    role: String,
    #[serde(default)]
    client_id: Option<String>,
}

impl NewUser {
    /// Validates every field; returns the user to store and its password.
    fn validate(self, now: Timestamp) -> Result<(User, String), ApiError> {
        let mut errors = Vec::new();
        let username = Username::parse(&self.username)
            .map_err(|e| errors.push(FieldError::body("username", e)))
            .ok();
        if let Err(e) = password::check_strength(&self.password) {
            errors.push(FieldError::body("password", e));
        }
        let role = Role::parse(&self.role)
            .map_err(|e| errors.push(FieldError::body("role", e)))
            .ok();
        match (role, &self.client_id) {
            (Some(Role::User), None) => {
                errors.push(FieldError::body("client_id", "is required for a user"));
            }
            (Some(Role::User), Some(id)) if !is_valid_id(id) => {
                errors.push(FieldError::body(
                    "client_id",
                    "no client exists with this id",
                ));
            }
            (Some(Role::Admin), Some(_)) => {
                errors.push(FieldError::body("client_id", "must be null for an admin"));
            }
            _ => {}
        }
        match (username, role) {
            (Some(username), Some(role)) if errors.is_empty() => Ok((
                User {
                    username,
                    role,
                    client_id: self.client_id,
                    created_at: now,
                    version: 1,
                },
                self.password,
            )),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

/// `POST /users` (for an admin): hashes the password (Argon2id) and stores the user; a
/// customer's `client_id` must name an existing client.
pub async fn create(
    app: &App,
    caller: &Caller,
    request: &Request,
    attempt: Attempt,
) -> Result<Response<Body>, ApiError> {
    let input: NewUser = web::parse_json(request)?;
    let (user, secret) = input.validate(Timestamp::now())?;
    let hash = password::hash(secret).await?;
    let response = web::created(&user.location(), &user, user.version)?;
    app.store
        .create_user(&user, &hash, &attempt.write_for(&response)?)
        .await?;
    tracing::info!(username = %user.username.as_str(), role = user.role.as_str(), by = %caller.username, "user created");
    Ok(response)
}

/// `GET /users`: one page of users, newest first.
pub async fn list(
    app: &App,
    caller: &Caller,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    caller.require_admin()?;
    let query = Query::parse(request, &["limit", "cursor"])?;
    let page = PageRequest::from_query(&query)?;
    let binding = list::binding("users.list", &caller.username, &[], page.limit);
    let start = page.resume(&app.cursors, &binding)?;
    let (items, next) = app.store.list_users(page.limit, start).await?;
    web::json(
        StatusCode::OK,
        &list::page(items, next, &app.cursors, &binding)?,
    )
}

/// `DELETE /users/{username}`: honours `If-Match`; an admin cannot delete itself (`409`).
pub async fn delete(
    app: &App,
    caller: &Caller,
    request: &Request,
    username: &str,
) -> Result<Response<Body>, ApiError> {
    caller.require_admin()?;
    let not_found = || ApiError::NotFound("no user exists with this username".into());
    let username = Username::parse(username).map_err(|_| not_found())?;
    if username.as_str() == caller.username {
        return Err(ApiError::Conflict(
            "you cannot delete your own account".into(),
        ));
    }
    let (user, _) = app
        .store
        .get_user(username.as_str())
        .await?
        .ok_or_else(not_found)?;
    IfMatch::from_headers(request.headers()).check(user.version)?;
    if !app.store.delete_user(&user).await? {
        return Err(not_found());
    }
    tracing::info!(username = %username.as_str(), by = %caller.username, "user deleted");
    Ok(web::no_content())
}
