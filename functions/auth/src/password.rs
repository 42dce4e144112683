//! `POST /auth/password`: a user changes its own password, proving it knows the current
//! one. A wrong current password counts against the login brake of the user and address,
//! like a failed login; a change revokes every refresh token of the user.

use std::sync::Arc;

use axum::extract::State;
use serde::Deserialize;
use shared::auth::{Caller, TokenKeys, password};
use shared::http::{Json, Reply, SourceIp};
use shared::store::StoreError;
use shared::{ApiError, App, FieldError};

use crate::login::braked;

/// `POST /auth/password` body.
#[derive(Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(description = "The current password and the new one.")
)]
pub struct PasswordChange {
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = shared::openapi::user::login_password)
    )]
    current_password: String,
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = shared::openapi::user::new_password)
    )]
    new_password: String,
}

/// `POST /auth/password` (self): `204`, and every refresh token of the user revoked.
#[cfg_attr(feature = "openapi", utoipa::path(
    post,
    path = "/auth/password",
    operation_id = "changePassword",
    tag = "Authentication",
    summary = "Change my password",
    description = "Changes the caller's own password. The current password must be given \
        (a wrong one is `422` on `/current_password` and counts as a failed login from this \
        address). Every refresh token of the user is revoked; access tokens already issued \
        expire within 5 minutes.",
    security(("bearerAuth" = ["admin"]), ("bearerAuth" = ["user"])),
    extensions(("x-customer" = json!("yes, for its own password."))),
    request_body(content = PasswordChange, description = "The current and the new password."),
    responses(
        (status = 204, description = "The password is changed."),
        (status = 409, description = "The user changed meanwhile: retry."),
        (status = 422, description = "The current password is wrong, or the new one breaks the \
            rules."),
        (status = 429),
    ),
))]
pub async fn change(
    State(app): State<Arc<App>>,
    caller: Caller,
    ip: SourceIp,
    Json { value, .. }: Json<PasswordChange>,
) -> Result<Reply, ApiError> {
    let mut errors = Vec::new();
    if value.current_password.is_empty()
        || value.current_password.chars().count() > password::MAX_PASSWORD_CHARS
    {
        errors.push(FieldError::body(
            "current_password",
            format!("must be 1 to {} characters", password::MAX_PASSWORD_CHARS),
        ));
    }
    if let Err(e) = password::check_strength(&value.new_password, &caller.username) {
        errors.push(FieldError::body("new_password", e));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let now = TokenKeys::now();
    let store = &app.store;
    let username = caller.username.as_str();
    let (pair, account) = tokio::try_join!(
        store.claim_login_attempt(username, ip.as_str(), now),
        store.get_account(username),
    )?;
    if let Some(secs) = pair {
        return Err(braked(username, &ip, secs));
    }
    let Some(account) = account.filter(|a| !a.user.disabled()) else {
        return Err(ApiError::Unauthorized(
            "a valid bearer token is required".into(),
        ));
    };
    let verdict =
        password::verify(value.current_password, Some(account.password_hash.clone())).await?;
    if !verdict.matched {
        store.record_address_failure(ip.as_str(), now).await?;
        tracing::warn!(username = %username, ip = %ip.as_str(), "password change refused: wrong current password");
        return Err(ApiError::invalid(
            "current_password",
            "is not your current password",
        ));
    }
    let new_hash = password::hash(value.new_password).await?;
    let user = &account.user;
    let next = user
        .changed(user.role(), user.client_id().cloned(), user.disabled())
        .map_err(ApiError::internal)?;
    match store.update_user(&account, &next, Some(&new_hash)).await {
        Ok(()) => {}
        Err(StoreError::Stale) => {
            return Err(ApiError::Conflict(
                "the account changed meanwhile; retry".into(),
            ));
        }
        Err(other) => return Err(other.into()),
    }
    store.forgive_login_attempts(username, ip.as_str()).await?;
    tracing::info!(username = %username, ip = %ip.as_str(), "password changed; refresh tokens revoked");
    Ok(Reply::no_content())
}
