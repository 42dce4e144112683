//! `POST /auth/login`: credentials in, a 5-minute access token and a refresh token out.
//!
//! A wrong password, an unknown username and a disabled user give the same `401` body
//! after the same work (one Argon2id verification either way). The brake counts
//! failures per (username, source address) and per address (see `store::logins`); the
//! right password from another address still logs in, so no one can lock a user out.
//! The attempt claim and the two reads (the address's counter, the user) run at once.

use std::sync::Arc;

use axum::extract::State;
use serde::Deserialize;
use shared::auth::token::{TokenPair, new_refresh_token, refresh_lifetime_secs};
use shared::auth::{Caller, TokenKeys, password};
use shared::domain::user::Username;
use shared::http::{Json, Reply, SourceIp};
use shared::store::StoreError;
use shared::store::users::Account;
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

/// `429` for a braked login, logged with the username and the address.
pub(crate) fn braked(username: &str, ip: &SourceIp, retry_after_secs: u64) -> ApiError {
    tracing::warn!(username = %username, ip = %ip.as_str(), retry_after_secs, "login braked");
    ApiError::TooManyRequests { retry_after_secs }
}

/// `POST /auth/login`: refuses a braked pair or address (`429`) before any hashing work,
/// verifies the password, then counts the failure (`401`) or starts a session.
#[cfg_attr(feature = "openapi", utoipa::path(
    post,
    path = "/auth/login",
    operation_id = "login",
    tag = "Authentication",
    summary = "Log in",
    description = format!(
        "Trades a username and password for an access token that lives {} minutes and a \
         refresh token (12 hours for an admin, 30 days for a customer). A wrong username, a \
         wrong password and a disabled login give the same `401` after the same work. {} \
         failures for one username from one address within {} minutes brake that pair \
         (`429`) until the window ends; {} failures from one address across usernames brake \
         the address. The right password from another address still logs in.",
        shared::auth::token::TOKEN_LIFETIME_SECS / 60,
        shared::store::logins::MAX_FAILURES,
        shared::store::logins::WINDOW_SECS / 60,
        shared::store::logins::MAX_ADDRESS_FAILURES,
    ),
    security(()),
    request_body(content = Credentials, description = "The username and password."),
    responses(
        (status = 200, description = "An access token and a refresh token.",
            body = shared::auth::token::TokenPair),
        (status = 401, description = "The username or the password is wrong, or the login is \
            disabled (one answer for all three)."),
        (status = 429),
    ),
))]
pub async fn login(
    State(app): State<Arc<App>>,
    ip: SourceIp,
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
    let store = &app.store;
    let (pair, address, account) = tokio::try_join!(
        store.claim_login_attempt(&username, ip.as_str(), now),
        store.address_braked(ip.as_str(), now),
        store.get_account(&username),
    )?;
    if let Some(secs) = address.or(pair) {
        return Err(braked(&username, &ip, secs));
    }
    // Verified even when there is no such user (against a dummy hash), to cost the same.
    let hash = account.as_ref().map(|a| a.password_hash.clone());
    let verdict = password::verify(credentials.password.clone(), hash).await?;
    let account = match account {
        Some(account) if verdict.matched && !account.user.disabled() => account,
        other => {
            store.record_address_failure(ip.as_str(), now).await?;
            let reason = match other {
                Some(account) if verdict.matched && account.user.disabled() => "disabled",
                Some(_) => "wrong password",
                None => "unknown username",
            };
            tracing::warn!(username = %username, ip = %ip.as_str(), reason, "login refused");
            return Err(invalid_credentials());
        }
    };

    let refresh_token = new_refresh_token()?;
    let lifetime = refresh_lifetime_secs(account.user.role());
    let digest = app.tokens.refresh_digest(&refresh_token);
    let rehash = async {
        if verdict.needs_rehash {
            rehash(&app, &account, credentials.password).await
        } else {
            Ok(())
        }
    };
    tokio::try_join!(
        async {
            store
                .forgive_login_attempts(&username, ip.as_str())
                .await
                .map_err(ApiError::from)
        },
        async {
            store
                .start_session(&account, &digest, now + lifetime)
                .await
                .map_err(ApiError::from)
        },
        rehash,
    )?;
    tracing::info!(username = %username, ip = %ip.as_str(), "login succeeded");
    let access = app.tokens.issue(&Caller::from(&account.user), now)?;
    Reply::ok(&TokenPair::new(access, refresh_token, lifetime))
}

/// Replaces a hash of an earlier Argon2 cost now that the password is known; a concurrent
/// password change wins.
async fn rehash(app: &App, account: &Account, password: String) -> Result<(), ApiError> {
    let new_hash = password::hash(password).await?;
    match app.store.rehash_password(account, &new_hash).await {
        Ok(()) => {
            tracing::info!(username = %account.user.username().as_str(), "password rehashed");
            Ok(())
        }
        Err(StoreError::Stale) => Ok(()),
        Err(other) => Err(other.into()),
    }
}
