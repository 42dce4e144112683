//! User administration (admins only): create, list, read, change, delete. Every change
//! of a user and its deletion revoke all its refresh tokens at once; the last enabled
//! admin cannot be deleted, disabled or demoted (`409`).

use std::sync::Arc;

use axum::extract::State;
use http::StatusCode;
use serde::Deserialize;
use shared::auth::{Role, password};
use shared::domain::ids::ClientId;
use shared::domain::time::Timestamp;
use shared::domain::user::{User, Username};
use shared::http::extract::user_not_found;
use shared::http::{
    Admin, Idempotency, IfMatch, Json, Lost, Query, QueryPairs, Reply, write_with_retry,
};
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

/// `PATCH /users/{username}` body: any subset.
#[derive(Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(description = "Changes to a login; any subset of the fields.")
)]
pub struct UserChange {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = shared::openapi::user::role))]
    role: Option<String>,
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(schema_with = shared::openapi::user::client_id))]
    client_id: Option<Option<String>>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = shared::openapi::user::disabled))]
    disabled: Option<bool>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = shared::openapi::user::new_password))]
    password: Option<String>,
}

impl UserChange {
    /// Whether the body asks for nothing.
    fn is_empty(&self) -> bool {
        self.role.is_none()
            && self.client_id.is_none()
            && self.disabled.is_none()
            && self.password.is_none()
    }

    /// `current` with the changes applied, at its next version; checks every field.
    fn apply(&self, current: &User) -> Result<User, ApiError> {
        let mut errors = Vec::new();
        let role = match &self.role {
            Some(text) => Role::parse(text)
                .map_err(|e| errors.push(FieldError::body("role", e)))
                .ok(),
            None => Some(current.role()),
        };
        let client_id = match &self.client_id {
            Some(Some(text)) => match ClientId::parse(text) {
                Some(id) => Some(id),
                None => {
                    errors.push(FieldError::body(
                        "client_id",
                        "no client exists with this id",
                    ));
                    None
                }
            },
            Some(None) => None,
            // An admin made from a customer loses its client; otherwise it stays.
            None if role == Some(Role::Admin) => None,
            None => current.client_id().cloned(),
        };
        if let Some(Err(e)) = self
            .password
            .as_ref()
            .map(|p| password::check_strength(p, current.username().as_str()))
        {
            errors.push(FieldError::body("password", e));
        }
        let Some(role) = role else {
            return Err(ApiError::Validation(errors));
        };
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let disabled = self.disabled.unwrap_or(current.disabled());
        current
            .changed(role, client_id, disabled)
            .map_err(|e| ApiError::invalid("client_id", e.to_string()))
    }
}

/// `GET /users/{username}`: one login, with its `ETag`.
#[cfg_attr(feature = "openapi", utoipa::path(
    get,
    path = "/users/{username}",
    operation_id = "getUser",
    tag = "Users",
    summary = "Read a login",
    description = "One login (never its password).",
    security(("bearerAuth" = ["admin"])),
    params(Username),
    responses(
        (status = 200, description = "The login.", body = User, headers(("ETag"))),
        (status = 404, description = "No login has this username."),
    ),
))]
pub async fn read(
    State(app): State<Arc<App>>,
    Admin(_caller): Admin,
    username: Username,
) -> Result<Reply, ApiError> {
    let (user, _) = app
        .store
        .get_user(username.as_str())
        .await?
        .ok_or_else(user_not_found)?;
    Reply::resource(StatusCode::OK, &user, user.version())
}

/// `PATCH /users/{username}`: role, client binding, disabled flag, password reset.
#[cfg_attr(feature = "openapi", utoipa::path(
    patch,
    path = "/users/{username}",
    operation_id = "updateUser",
    tag = "Users",
    summary = "Change a login",
    description = "Changes a login's role, client binding, disabled flag or password (a reset:         the same rules as a new password). Making a customer an admin drops its client unless         one is named (then `422`); making an admin a customer needs a `client_id`. Every change         revokes all the login's refresh tokens at once, so its access tokens stop being renewed         and lapse within 5 minutes; a disabled login cannot log in. The last enabled admin         cannot be disabled or demoted (`409`). Honours `If-Match`.",
    security(("bearerAuth" = ["admin"])),
    params(Username, IfMatch),
    request_body(content = UserChange, description = "The fields to change."),
    responses(
        (status = 200, description = "The login as changed.", body = User, headers(("ETag"))),
        (status = 404, description = "No login has this username."),
        (status = 409, description = "It is the last enabled admin, or the write kept losing             to concurrent ones."),
        (status = 412, description = "`If-Match` names another version."),
        (status = 422, description = "A field breaks the rules, or the client does not exist."),
    ),
))]
pub async fn update(
    State(app): State<Arc<App>>,
    Admin(caller): Admin,
    username: Username,
    if_match: IfMatch,
    Json { value: change, .. }: Json<UserChange>,
) -> Result<Reply, ApiError> {
    let new_hash = match &change.password {
        Some(secret) if password::check_strength(secret, username.as_str()).is_ok() => {
            Some(password::hash(secret.clone()).await?)
        }
        _ => None,
    };
    let store = &app.store;
    let user = write_with_retry(&if_match, "the login kept changing; retry", || async {
        let account = store
            .get_account(username.as_str())
            .await?
            .ok_or_else(user_not_found)?;
        if_match.check(account.user.version())?;
        if change.is_empty() {
            return Ok(account.user);
        }
        let next = change.apply(&account.user)?;
        match store
            .update_user(&account, &next, new_hash.as_deref())
            .await
        {
            Ok(()) => Ok(next),
            Err(StoreError::MissingClient) => Err(Lost::Failed(ApiError::invalid(
                "client_id",
                "no client exists with this id",
            ))),
            Err(other) => Err(other.into()),
        }
    })
    .await?;
    tracing::info!(username = %username.as_str(), by = %caller.username, role = user.role().as_str(),
        disabled = user.disabled(), password_reset = change.password.is_some(),
        "user changed; refresh tokens revoked");
    Reply::resource(StatusCode::OK, &user, user.version())
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
