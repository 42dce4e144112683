//! Successful responses: a status, a few headers and a JSON body, built whole before they
//! are sent, so that a creating request can store the exact response it will answer (see
//! `idempotency`) in the same transaction as what it creates.

use axum::response::IntoResponse;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use serde::Serialize;

use super::conditional::etag;
use crate::error::ApiError;

/// A successful response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    /// A JSON response.
    pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Result<Self, ApiError> {
        let body = serde_json::to_string(value).map_err(ApiError::internal)?;
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        Ok(Self {
            status,
            headers,
            body,
        })
    }

    /// `200 OK` with a JSON body.
    pub fn ok<T: Serialize>(value: &T) -> Result<Self, ApiError> {
        Self::json(StatusCode::OK, value)
    }

    /// A single resource with its `ETag`.
    pub fn resource<T: Serialize>(
        status: StatusCode,
        value: &T,
        version: u64,
    ) -> Result<Self, ApiError> {
        let mut reply = Self::json(status, value)?;
        reply.headers.insert(header::ETAG, etag(version));
        Ok(reply)
    }

    /// `201 Created` with `Location` and `ETag`.
    pub fn created<T: Serialize>(
        location: &str,
        value: &T,
        version: u64,
    ) -> Result<Self, ApiError> {
        let mut reply = Self::resource(StatusCode::CREATED, value, version)?;
        let location = HeaderValue::from_str(location).map_err(ApiError::internal)?;
        reply.headers.insert(header::LOCATION, location);
        Ok(reply)
    }

    /// `204 No Content`.
    pub fn no_content() -> Self {
        Self {
            status: StatusCode::NO_CONTENT,
            headers: HeaderMap::new(),
            body: String::new(),
        }
    }

    /// A stored response, as it is replayed.
    pub fn from_parts(status: StatusCode, headers: HeaderMap, body: String) -> Self {
        Self {
            status,
            headers,
            body,
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body text; empty for a response without one.
    pub fn body(&self) -> &str {
        &self.body
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> axum::response::Response {
        let mut response = http::Response::new(axum::body::Body::from(self.body));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
    }
}
