//! `POST /auth/login`: credentials in, a 15-minute bearer token out.
//!
//! A wrong password and an unknown username give the same `401` body after the same
//! amount of work (one Argon2id verification either way). Failures are counted per
//! username; past the limit the username is locked with `429` until its window ends.

use std::sync::Arc;

use axum::extract::State;
use serde::Deserialize;
use shared::auth::{Caller, TokenKeys, password};
use shared::domain::user::Username;
use shared::http::{Json, Reply};
use shared::{ApiError, App, FieldError};

/// `POST /auth/login` body.
#[derive(Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(description = "A username and password to log in with.")
)]
pub struct Credentials {
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = shared::openapi::user::login_username)
    )]
    username: String,
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = shared::openapi::user::login_password)
    )]
    password: String,
}

/// Inputs longer than any valid username are refused before any work is done.
const MAX_USERNAME_CHARS: usize = Username::MAX_CHARS;

fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized("the username or password is incorrect".into())
}

/// `POST /auth/login`: refuses a locked username (`429`) before any hashing work, verifies
/// the password, then counts the failure (`401`) or clears the count and issues a token.
#[cfg_attr(feature = "openapi", utoipa::path(
    post,
    path = "/auth/login",
    operation_id = "login",
    tag = "Authentication",
    summary = "Log in",
    description = format!(
        "Trades a username and password for a bearer token that lives {} minutes. A wrong \
         username and a wrong password give the same `401` after the same work. After {} \
         failures within {} minutes a username is locked (`429`) until that window ends, \
         whether or not it exists.",
        shared::auth::token::TOKEN_LIFETIME_SECS / 60,
        shared::store::logins::MAX_FAILURES,
        shared::store::logins::WINDOW_SECS / 60,
    ),
    security(()),
    request_body(content = Credentials, description = "The username and password."),
    responses(
        (status = 200, description = "A bearer token.", body = shared::auth::token::IssuedToken),
        (status = 401, description = "The username or the password is wrong (one answer for \
            both)."),
        (status = 429),
    ),
))]
pub async fn login(
    State(app): State<Arc<App>>,
    Json {
        value: credentials, ..
    }: Json<Credentials>,
) -> Result<Reply, ApiError> {
    let username = credentials.username.trim().to_lowercase();
    let mut errors = Vec::new();
    if username.is_empty() || username.chars().count() > MAX_USERNAME_CHARS {
        errors.push(FieldError::body(
            "username",
            format!("must be 1 to {MAX_USERNAME_CHARS} characters"),
        ));
    }
    if credentials.password.is_empty()
        || credentials.password.chars().count() > password::MAX_PASSWORD_CHARS
    {
        errors.push(FieldError::body(
            "password",
            format!("must be 1 to {} characters", password::MAX_PASSWORD_CHARS),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }

    let now = TokenKeys::now();
    let failures = app.store.login_failures(&username, now).await?;
    if let Some(retry_after_secs) = failures.locked_for {
        return Err(ApiError::TooManyRequests { retry_after_secs });
    }
    let (user, hash) = app.store.get_user(&username).await?.unzip();
    // Verified even when there is no such user (against a dummy hash), to cost the same.
    let matched = password::verify(credentials.password, hash).await?;
    let user = match user {
        Some(user) if matched => user,
        _ => {
            // Counted for unknown usernames too, so the brake reveals nothing.
            app.store.record_login_failure(&username, now).await?;
            return Err(invalid_credentials());
        }
    };
    // Most logins have no failures to forget: spare them the write.
    if failures.recorded {
        app.store.clear_login_failures(&username).await?;
    }
    tracing::info!(username = %username, "login succeeded");
    let token = app.tokens.issue(&Caller::from(&user), now)?;
    Reply::ok(&token)
}
