//! The events the benchmarks hand to the functions: API Gateway HTTP API requests
//! (payload format 2.0, what `lambda_http` receives behind the deployed `HttpApi`), and
//! reading the response a function posts back.

use serde_json::{Map, Value, json};

use crate::BoxError;

/// An HTTP request to wrap in an API Gateway event.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// `GET`, `POST`, …
    pub method: &'static str,
    /// The path, starting with `/`, without the query string.
    pub path: String,
    /// The raw query string, without `?` (empty for none).
    pub query: String,
    /// Headers, with lower-case names as API Gateway delivers them.
    pub headers: Vec<(String, String)>,
    /// A JSON body, if any.
    pub body: Option<String>,
    /// The address API Gateway saw the connection come from (`requestContext.http.sourceIp`).
    pub source_ip: String,
}

impl HttpRequest {
    /// A request without headers, query or body.
    pub fn new(method: &'static str, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            query: String::new(),
            headers: Vec::new(),
            body: None,
            source_ip: "127.0.0.1".into(),
        }
    }

    /// Sets the source address of the connection, as API Gateway reports it.
    pub fn from_ip(mut self, ip: &str) -> Self {
        self.source_ip = ip.to_owned();
        self
    }

    /// Adds `Authorization: Bearer <token>`.
    pub fn bearer(mut self, token: &str) -> Self {
        self.headers
            .push(("authorization".into(), format!("Bearer {token}")));
        self
    }

    /// Sets the query string (`limit=20`).
    pub fn query(mut self, query: impl Into<String>) -> Self {
        self.query = query.into();
        self
    }

    /// Sets a JSON body and `Content-Type: application/json`.
    pub fn json(mut self, body: &Value) -> Self {
        self.headers
            .push(("content-type".into(), "application/json".into()));
        self.body = Some(body.to_string());
        self
    }

    /// The API Gateway HTTP API event (payload format 2.0) for this request, as the
    /// deployed `$default` stage sends it.
    pub fn event(&self) -> Vec<u8> {
        let mut headers = Map::new();
        for (name, value) in [
            ("accept", "application/json"),
            ("host", "api.lending.example"),
            ("user-agent", "lending-bench"),
            ("x-forwarded-for", "127.0.0.1"),
            ("x-forwarded-port", "443"),
            ("x-forwarded-proto", "https"),
        ] {
            headers.insert(name.into(), value.into());
        }
        for (name, value) in &self.headers {
            headers.insert(name.clone(), Value::String(value.clone()));
        }
        let mut event = json!({
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": self.path,
            "rawQueryString": self.query,
            "headers": headers,
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "bench",
                "domainName": "api.lending.example",
                "domainPrefix": "api",
                "http": {
                    "method": self.method,
                    "path": self.path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": self.source_ip,
                    "userAgent": "lending-bench"
                },
                "requestId": "bench-request",
                "routeKey": "$default",
                "stage": "$default",
                "time": "27/Nov/2026:00:00:00 +0000",
                "timeEpoch": 1_795_737_600_000_u64
            },
            "isBase64Encoded": false
        });
        if !self.query.is_empty() {
            let parameters: Map<String, Value> = self
                .query
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .map(|(name, value)| (name.to_owned(), Value::String(value.to_owned())))
                .collect();
            event["queryStringParameters"] = Value::Object(parameters);
        }
        if let Some(body) = &self.body {
            event["body"] = Value::String(body.clone());
        }
        event.to_string().into_bytes()
    }
}

/// What a `lambda_http` function answered: the status and the body parsed as JSON
/// (`Null` when empty).
#[derive(Debug)]
pub struct HttpResponse {
    /// The HTTP status.
    pub status: u16,
    /// The `content-type` header, if any.
    pub content_type: Option<String>,
    /// The body as JSON.
    pub body: Value,
}

/// Reads the API Gateway response document a function posted.
pub fn http_response(posted: &[u8]) -> Result<HttpResponse, BoxError> {
    let document: Value = serde_json::from_slice(posted)?;
    let status = document["statusCode"]
        .as_u64()
        .and_then(|status| u16::try_from(status).ok())
        .ok_or_else(|| format!("no statusCode in the response: {document}"))?;
    let content_type = document["headers"]["content-type"]
        .as_str()
        .map(str::to_owned);
    let body = match document["body"].as_str() {
        Some(text) if !text.is_empty() => {
            if document["isBase64Encoded"].as_bool() == Some(true) {
                return Err("unexpected base64 body".into());
            }
            serde_json::from_str(text)?
        }
        _ => Value::Null,
    };
    Ok(HttpResponse {
        status,
        content_type,
        body,
    })
}

/// Checks that a response is the `401` Problem Details every function gives a request
/// without a token, so a timed run is known to have run the function's real code.
pub fn expect_unauthorized(posted: &[u8]) -> Result<(), BoxError> {
    let response = http_response(posted)?;
    let problem = response.content_type.as_deref() == Some("application/problem+json")
        && response.body["status"].as_u64() == Some(401);
    if response.status == 401 && problem {
        Ok(())
    } else {
        Err(format!("expected a 401 Problem Details, got {response:?}").into())
    }
}
