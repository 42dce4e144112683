//! Reading and changing one login (admins only): `GET` and `PATCH /users/{username}`.
//! Every change (role, client binding, disabled flag, password reset) revokes all the
//! user's refresh tokens at once; the last enabled admin cannot be disabled or demoted
//! (`409`).

use std::sync::Arc;

use axum::extract::State;
use http::StatusCode;
use serde::Deserialize;
use shared::auth::{Role, password};
use shared::domain::ids::ClientId;
use shared::domain::user::{User, Username};
use shared::http::extract::user_not_found;
use shared::http::{Admin, IfMatch, Json, Lost, Reply, write_with_retry};
use shared::store::StoreError;
use shared::{ApiError, App, FieldError};

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
    description = "Changes a login's role, client binding, disabled flag or password (a \
        reset: the same rules as a new password). Making a customer an admin drops its client \
        unless one is named (then `422`); making an admin a customer needs a `client_id`. \
        Every change revokes all the login's refresh tokens at once, so its access tokens stop \
        being renewed and lapse within 5 minutes; a disabled login cannot log in. The last \
        enabled admin cannot be disabled or demoted (`409`). Honours `If-Match`.",
    security(("bearerAuth" = ["admin"])),
    params(Username, IfMatch),
    request_body(content = UserChange, description = "The fields to change."),
    responses(
        (status = 200, description = "The login as changed.", body = User, headers(("ETag"))),
        (status = 404, description = "No login has this username."),
        (status = 409, description = "It is the last enabled admin, or the write kept losing \
            to concurrent ones."),
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
