//! What a handler takes from a request, each piece checked on the way in, in the order a
//! handler lists them: who calls ([`Caller`], [`Admin`]), which resource the path names
//! (typed ids, whose failure to parse is that resource's `404`), the query, the
//! `Idempotency-Key`, and last the JSON body ([`Json`]: `413`, `415`, `400`, `422`).

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use http::request::Parts;
use serde::de::DeserializeOwned;

use super::body::{MAX_BODY_BYTES, parse_json, too_large};
use super::query::QueryPairs;
use crate::App;
use crate::auth::Caller;
use crate::domain::ids::{ClientId, LoanId, ProductId, TxnId};
use crate::domain::user::Username;
use crate::error::ApiError;

fn unauthenticated() -> ApiError {
    ApiError::Unauthorized("a valid bearer token is required".into())
}

impl FromRequestParts<Arc<App>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _app: &Arc<App>) -> Result<Self, ApiError> {
        // The router's authentication put it there; a public route has none.
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(unauthenticated)
    }
}

/// A caller with the admin role; anyone else is `403`.
#[derive(Debug, Clone)]
pub struct Admin(pub Caller);

impl FromRequestParts<Arc<App>> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, app).await?;
        caller.require_admin()?;
        Ok(Self(caller))
    }
}

/// The path parameter `name`, percent-decoded.
async fn path_parameter(parts: &mut Parts, name: &str) -> Option<String> {
    let params = RawPathParams::from_request_parts(parts, &()).await.ok()?;
    params
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// The `404` of a client that does not exist or that the caller may not see.
pub fn client_not_found() -> ApiError {
    ApiError::NotFound("no client exists with this id".into())
}

/// The `404` of a loan that does not exist or that the caller may not see.
pub fn loan_not_found() -> ApiError {
    ApiError::NotFound("no loan exists with this id".into())
}

/// The `404` of a product that does not exist or that the caller may not see.
pub fn product_not_found() -> ApiError {
    ApiError::NotFound("no product exists with this id".into())
}

/// The `404` of a user that does not exist.
pub fn user_not_found() -> ApiError {
    ApiError::NotFound("no user exists with this username".into())
}

impl<S: Send + Sync> FromRequestParts<S> for ClientId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        path_parameter(parts, "client_id")
            .await
            .and_then(|text| ClientId::parse(&text))
            .ok_or_else(client_not_found)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for LoanId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        path_parameter(parts, "loan_id")
            .await
            .and_then(|text| LoanId::parse(&text))
            .ok_or_else(loan_not_found)
    }
}

/// The `404` of a transaction that the loan does not have.
pub fn txn_not_found() -> ApiError {
    ApiError::NotFound("the loan has no transaction with this id".into())
}

impl<S: Send + Sync> FromRequestParts<S> for TxnId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        path_parameter(parts, "txn_id")
            .await
            .and_then(|text| TxnId::parse(&text))
            .ok_or_else(txn_not_found)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ProductId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        path_parameter(parts, "product_id")
            .await
            .and_then(|text| ProductId::parse(&text))
            .ok_or_else(product_not_found)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Username {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        path_parameter(parts, "username")
            .await
            .and_then(|text| Username::parse(&text).ok())
            .ok_or_else(user_not_found)
    }
}

/// The client of the path, which the caller may see: admins see every client, a customer
/// only its own; any other is the same `404` as a client that does not exist.
#[derive(Debug, Clone)]
pub struct VisibleClient(pub ClientId);

impl FromRequestParts<Arc<App>> for VisibleClient {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, app).await?;
        let client_id = ClientId::from_request_parts(parts, app).await?;
        if !caller.can_see_client(&client_id) {
            return Err(client_not_found());
        }
        Ok(Self(client_id))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        Ok(Self::of(parts))
    }
}

/// The method and path of a request, which with its body identify what it asks for.
#[derive(Debug, Clone)]
pub struct Target {
    /// The method.
    pub method: http::Method,
    /// The path, without the query.
    pub path: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Target {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        Ok(Self {
            method: parts.method.clone(),
            path: parts.uri.path().to_owned(),
        })
    }
}

/// A JSON body read as `T` (see `body`), with the bytes it came from.
#[derive(Debug)]
pub struct Json<T> {
    /// The parsed body.
    pub value: T,
    /// The body as sent.
    pub raw: Vec<u8>,
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, ApiError> {
        let (parts, body) = request.into_parts();
        // A Lambda event's body is already in memory; the only way to fail reading it
        // here is to exceed the limit.
        let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
            .await
            .map_err(|_| too_large())?;
        let value = parse_json(&parts.headers, &bytes)?;
        Ok(Self {
            value,
            raw: bytes.to_vec(),
        })
    }
}

/// The address the request came from, as API Gateway saw the connection
/// (`requestContext.http.sourceIp`). Never a header the caller sets: `X-Forwarded-For` and
/// the like are the caller's to forge. A request without a request context (only in
/// process, in tests) counts as the address `unknown`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceIp(pub String);

impl SourceIp {
    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SourceIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        let ip = match parts
            .extensions
            .get::<lambda_http::request::RequestContext>()
        {
            Some(lambda_http::request::RequestContext::ApiGatewayV2(context)) => {
                context.http.source_ip.clone()
            }
            #[allow(unreachable_patterns)]
            _ => None,
        };
        // Only characters an IPv4 or IPv6 address has, so it is safe in a key and a log.
        let ip = ip
            .filter(|ip| {
                (1..=45).contains(&ip.len())
                    && ip
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() || b == b'.' || b == b':')
            })
            .unwrap_or_else(|| "unknown".to_owned());
        Ok(Self(ip))
    }
}
