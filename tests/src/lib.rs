//! Test support: a fresh table per test in DynamoDB Local, and a small client that builds
//! real `lambda_http::Request`s and calls a function's handler in-process.
//!
//! DynamoDB Local's address comes from `AWS_ENDPOINT_URL_DYNAMODB` (the test command starts
//! it and sets this); it defaults to `http://127.0.0.1:8000`.

use std::future::Future;
use std::pin::Pin;

use aws_sdk_dynamodb::config::Credentials;
use http::{HeaderMap, Method, StatusCode};
use lambda_http::{Body, Request, Response};
use serde_json::Value;
use shared::{App, Config, Store};

pub mod factories;

/// The secret every test app signs cursors with.
pub const TEST_CURSOR_SECRET: &str = "test-cursor-secret-0123456789abcdef";

/// Which function's handler a request goes to.
pub type Handler =
    for<'a> fn(&'a App, Request) -> Pin<Box<dyn Future<Output = Response<Body>> + Send + 'a>>;

/// An app over its own, newly created table.
pub struct TestApp {
    pub app: App,
    pub table: String,
}

fn endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL_DYNAMODB").unwrap_or_else(|_| "http://127.0.0.1:8000".into())
}

/// A configuration pointing at `table` in DynamoDB Local.
pub fn test_config(table: &str) -> Config {
    let table = table.to_owned();
    Config::from_lookup(move |name| match name {
        "TABLE_NAME" => Some(table.clone()),
        "CURSOR_SECRET" => Some(TEST_CURSOR_SECRET.into()),
        "AWS_ENDPOINT_URL_DYNAMODB" => Some(endpoint()),
        _ => None,
    })
    .expect("test configuration is complete")
}

/// A DynamoDB client for DynamoDB Local, built like the functions build theirs, with
/// static local credentials.
pub async fn dynamodb(config: &Config) -> aws_sdk_dynamodb::Client {
    let client = shared::store::dynamodb_client(config).await;
    let conf = client
        .config()
        .to_builder()
        .credentials_provider(Credentials::new("local", "local", None, None, "tests"))
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .build();
    aws_sdk_dynamodb::Client::from_conf(conf)
}

impl TestApp {
    /// Creates a uniquely named table and an app over it.
    pub async fn spawn() -> Self {
        let table = format!("test-{}", ulid::Ulid::generate());
        let config = test_config(&table);
        let client = dynamodb(&config).await;
        shared::table::create_table(&client, &table)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "cannot create table in DynamoDB Local at {}: {e:?}",
                    endpoint()
                )
            });
        let app = App::new(Store::new(client, &table), &config).expect("app builds");
        Self { app, table }
    }

    pub fn store(&self) -> &Store {
        &self.app.store
    }

    /// Every item in the table, for asserting that nothing changed (tests only; the API
    /// itself never scans).
    pub async fn all_items(
        &self,
    ) -> Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
        let output = self
            .store()
            .client()
            .scan()
            .table_name(&self.table)
            .consistent_read(true)
            .send()
            .await
            .expect("scan test table");
        let mut items = output.items.unwrap_or_default();
        items.sort_by_key(|item| format!("{:?}{:?}", item.get("PK"), item.get("SK")));
        items
    }
}

/// A request under construction.
pub struct TestRequest {
    builder: http::request::Builder,
    body: Body,
}

/// Starts a request.
pub fn request(method: Method, uri: &str) -> TestRequest {
    TestRequest {
        builder: http::Request::builder().method(method).uri(uri),
        body: Body::Empty,
    }
}

impl TestRequest {
    /// A JSON body with `Content-Type: application/json`.
    pub fn json(mut self, body: &Value) -> Self {
        self.builder = self.builder.header("content-type", "application/json");
        self.body = Body::Text(body.to_string());
        self
    }

    /// A raw body, with no content type unless one is added with [`TestRequest::header`].
    pub fn raw_body(mut self, body: impl Into<String>) -> Self {
        self.body = Body::Text(body.into());
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    pub fn build(self) -> Request {
        self.builder.body(self.body).expect("valid test request")
    }
}

/// A response with its body parsed as JSON (or `Null` when empty).
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a Problem Details body with this status.
    pub fn assert_problem(&self, status: u16) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json")
        );
        for field in ["type", "title", "status", "detail"] {
            assert!(
                !self.body[field].is_null(),
                "problem lacks {field}: {}",
                self.body
            );
        }
        assert_eq!(self.body["status"], status);
        self
    }

    /// The JSON pointers of a validation problem's `errors`.
    pub fn error_pointers(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["pointer"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Calls `handler` in-process with `request`.
pub async fn call(app: &App, handler: Handler, request: TestRequest) -> TestResponse {
    let response = handler(app, request.build()).await;
    let (parts, body) = response.into_parts();
    let body = match body {
        Body::Empty => Value::Null,
        Body::Text(text) => serde_json::from_str(&text).unwrap_or(Value::String(text)),
        Body::Binary(bytes) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        _ => Value::Null,
    };
    TestResponse {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

/// The clients function's handler.
pub fn clients_handler<'a>(
    app: &'a App,
    request: Request,
) -> Pin<Box<dyn Future<Output = Response<Body>> + Send + 'a>> {
    Box::pin(clients::handle(app, request))
}
