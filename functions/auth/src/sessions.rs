//! `POST /auth/refresh` and `POST /auth/logout`: what a refresh token buys, and how a
//! login ends. Neither takes an access token: the refresh token is the credential. A
//! refresh is a keyed-hash lookup and a transaction, never an Argon2 hash.

use std::sync::Arc;

use axum::extract::State;
use serde::Deserialize;
use shared::auth::token::{TokenPair, looks_like_refresh_token, new_refresh_token};
use shared::auth::{Caller, TokenKeys};
use shared::http::{Json, Reply, SourceIp};
use shared::store::sessions::Refreshed;
use shared::{ApiError, App};

/// The body of `POST /auth/refresh` and `POST /auth/logout`.
#[derive(Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(description = "A refresh token from a login or an earlier refresh.")
)]
pub struct RefreshRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = shared::openapi::user::refresh_token)
    )]
    refresh_token: String,
}

fn refused(ip: &SourceIp, why: &'static str) -> ApiError {
    tracing::warn!(ip = %ip.as_str(), why, "refresh token refused");
    ApiError::Unauthorized("the refresh token is invalid, expired or revoked".into())
}

/// `POST /auth/refresh`: spends the refresh token and returns a new pair.
#[cfg_attr(feature = "openapi", utoipa::path(
    post,
    path = "/auth/refresh",
    operation_id = "refresh",
    tag = "Authentication",
    summary = "Renew the tokens",
    description = "Spends a refresh token and returns a new access token and a new refresh \
        token, which expires when the login's first one would have. The role and client of \
        the new access token are the user's current ones. A refresh token works once: \
        presenting a spent one again revokes every refresh token of that login (someone \
        else holds a copy) and is `401`, as is a token that expired, was logged out, or \
        whose user was changed, disabled or deleted since.",
    security(()),
    request_body(content = RefreshRequest, description = "The refresh token to spend."),
    responses(
        (status = 200, description = "A new access token and refresh token.", body = TokenPair),
        (status = 401, description = "The refresh token is unknown, expired, spent, revoked, \
            or its user changed."),
    ),
))]
pub async fn refresh(
    State(app): State<Arc<App>>,
    ip: SourceIp,
    Json { value, .. }: Json<RefreshRequest>,
) -> Result<Reply, ApiError> {
    if !looks_like_refresh_token(&value.refresh_token) {
        return Err(refused(&ip, "malformed"));
    }
    let now = TokenKeys::now();
    let next = new_refresh_token()?;
    let outcome = app
        .store
        .refresh_session(
            &app.tokens.refresh_digest(&value.refresh_token),
            &app.tokens.refresh_digest(&next),
            now,
        )
        .await?;
    match outcome {
        Refreshed::Renewed {
            account,
            expires_at,
        } => {
            let access = app.tokens.issue(&Caller::from(&account.user), now)?;
            tracing::info!(username = %account.user.username().as_str(), ip = %ip.as_str(),
                "tokens refreshed");
            Reply::ok(&TokenPair::new(access, next, expires_at - now))
        }
        Refreshed::Refused => Err(refused(&ip, "unknown, expired, spent or revoked")),
    }
}

/// `POST /auth/logout`: revokes the refresh token's login (every token of its family).
#[cfg_attr(feature = "openapi", utoipa::path(
    post,
    path = "/auth/logout",
    operation_id = "logout",
    tag = "Authentication",
    summary = "Log out",
    description = "Revokes the refresh token and every other refresh token of the same login. \
        Logging out again with the same token is `204` too. Access tokens already issued \
        stay valid until they expire (at most 5 minutes).",
    security(()),
    request_body(content = RefreshRequest, description = "A refresh token of the login to end."),
    responses(
        (status = 204, description = "The login's refresh tokens are revoked."),
        (status = 401, description = "No such refresh token."),
    ),
))]
pub async fn logout(
    State(app): State<Arc<App>>,
    ip: SourceIp,
    Json { value, .. }: Json<RefreshRequest>,
) -> Result<Reply, ApiError> {
    if !looks_like_refresh_token(&value.refresh_token) {
        return Err(refused(&ip, "malformed"));
    }
    let digest = app.tokens.refresh_digest(&value.refresh_token);
    if app.store.revoke_session(&digest).await? {
        tracing::info!(ip = %ip.as_str(), "logged out");
        Ok(Reply::no_content())
    } else {
        Err(refused(&ip, "unknown"))
    }
}
