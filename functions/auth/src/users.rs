//! User administration (admins only): create, list, delete (reading and changing one is
//! in `user_change`). Deleting a user revokes all its refresh tokens at once; the last
//! enabled admin cannot be deleted (`409`).

use std::sync::Arc;

use axum::extract::State;
use serde::Deserialize;
use shared::auth::{Role, password};
use shared::domain::ids::ClientId;
use shared::domain::time::Timestamp;
use shared::domain::user::{User, Username};
use shared::http::extract::user_not_found;
use shared::http::{Admin, Idempotency, IfMatch, Json, Query, QueryPairs, Reply};
use shared::list::{self, PageRequest};
use shared::store::StoreError;
use shared::{ApiError, App, FieldError};

/// `POST /users` body.
#[derive(Deserialize)]
pub struct NewUser {
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
        if let Err(e) = password::check_strength(&self.password, self.username.trim()) {
            errors.push(FieldError::body("password", e));
        }
        let role = Role::parse(&self.role)
            .map_err(|e| errors.push(FieldError::body("role", e)))
            .ok();
        let mut client_id = None;
        match (role, &self.client_id) {
            (Some(Role::User), None) => {
                errors.push(FieldError::body("client_id", "is required for a user"));
            }
            (Some(Role::User), Some(text)) => match ClientId::parse(text) {
                Some(id) => client_id = Some(id),
                None => errors.push(FieldError::body(
                    "client_id",
                    "no client exists with this id",
                )),
            },
            (Some(Role::Admin), Some(_)) => {
                errors.push(FieldError::body("client_id", "must be null for an admin"));
            }
            _ => {}
        }
        match (username, role) {
            (Some(username), Some(role)) if errors.is_empty() => {
                Ok((User::new(username, role, client_id, now)?, self.password))
            }
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

/// `POST /users` (for an admin): hashes the password (Argon2id) and stores the user; a
/// customer's `client_id` must name an existing client.
#[cfg_attr(feature = "openapi", utoipa::path(
    post,
    path = "/users",
    operation_id = "createUser",
    tag = "Users",
    summary = "Create a login",
    description = "Creates an admin, or a customer login (`user`) bound to an existing client; \
        the login is deleted with its client.",
    security(("bearerAuth" = ["admin"])),
    params(Idempotency),
    request_body(content = NewUser, description = "The new login."),
    responses(
        (status = 201, description = "The new login, at version 1.", body = User,
            headers(("Location"), ("ETag"))),
        (status = 409, description = "The username is taken."),
        (status = 422, description = "A customer's `client_id` is missing or names no client \
            (or one being deleted), or an admin has one."),
    ),
))]
pub async fn create(
    State(app): State<Arc<App>>,
    Admin(caller): Admin,
    idempotency: Idempotency,
    Json { value: input, raw }: Json<NewUser>,
) -> Result<Reply, ApiError> {
    let app = &*app;
    let caller = &caller;
    idempotency
        .once(app, caller, &raw, |attempt| async move {
            let (user, secret) = input.validate(Timestamp::now())?;
            let hash = password::hash(secret).await?;
            let reply = Reply::created(&user.location(), &user, user.version())?;
            app.store
                .create_user(&user, &hash, &attempt.write_for(&reply))
                .await
                .map_err(|err| match err {
                    StoreError::MissingClient => {
                        ApiError::invalid("client_id", "no client exists with this id")
                    }
                    other => other.into(),
                })?;
            tracing::info!(username = %user.username().as_str(), role = user.role().as_str(), by = %caller.username, "user created");
            Ok(reply)
        })
        .await
}

/// `GET /users`: one page of users, newest first.
#[cfg_attr(feature = "openapi", utoipa::path(
    get,
    path = "/users",
    operation_id = "listUsers",
    tag = "Users",
    summary = "List logins",
    description = "Logins, newest first.",
    security(("bearerAuth" = ["admin"])),
    params(PageRequest),
    responses((status = 200, description = "A page of logins.", body = shared::openapi::UserPage)),
))]
pub async fn list(
    State(app): State<Arc<App>>,
    Admin(caller): Admin,
    pairs: QueryPairs,
) -> Result<Reply, ApiError> {
    let query = Query::parse(pairs, &["limit", "cursor"])?;
    let page = PageRequest::from_query(&query)?;
    let binding = list::binding("users.list", &caller.username, &[], page.limit);
    let start = page.resume(&app.cursors, &binding)?;
    let (items, next) = app.store.list_users(page.limit, start).await?;
    Reply::ok(&list::page(items, next, &app.cursors, &binding)?)
}

/// `DELETE /users/{username}`: honours `If-Match`; an admin cannot delete itself (`409`).
#[cfg_attr(feature = "openapi", utoipa::path(
    delete,
    path = "/users/{username}",
    operation_id = "deleteUser",
    tag = "Users",
    summary = "Delete a login",
    description = "Deletes a login: it cannot log in or refresh again, and an access token it \
        already holds lapses within 5 minutes. An admin cannot delete its own login, nor \
        the last enabled admin.",
    security(("bearerAuth" = ["admin"])),
    params(Username, IfMatch),
    responses(
        (status = 204, description = "The login is gone."),
        (status = 404, description = "No login has this username."),
        (status = 409, description = "An admin tried to delete its own login, or the last \
            enabled admin."),
    ),
))]
pub async fn delete(
    State(app): State<Arc<App>>,
    Admin(caller): Admin,
    username: Username,
    if_match: IfMatch,
) -> Result<Reply, ApiError> {
    if username.as_str() == caller.username {
        return Err(ApiError::Conflict(
            "you cannot delete your own account".into(),
        ));
    }
    let (user, _) = app
        .store
        .get_user(username.as_str())
        .await?
        .ok_or_else(user_not_found)?;
    if_match.check(user.version())?;
    match app.store.delete_user(&user).await {
        Ok(()) => {}
        Err(StoreError::Stale) => return Err(user_not_found()),
        Err(other) => return Err(other.into()),
    }
    tracing::info!(username = %username.as_str(), by = %caller.username, "user deleted");
    Ok(Reply::no_content())
}
