//! Test support: a fresh table per test in DynamoDB Local, and a small client that builds
//! real `lambda_http::Request`s and calls a function's handler in-process.
//!
//! DynamoDB Local's address comes from `AWS_ENDPOINT_URL_DYNAMODB` (the test command starts
//! it and sets this); it defaults to `http://127.0.0.1:8000`.

#![warn(missing_docs)]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use aws_sdk_dynamodb::config::Credentials;
use http::{HeaderMap, Method, StatusCode};
use lambda_http::{Body, Request, Response};
use serde_json::Value;
use shared::auth::{Caller, Role, TokenKeys};
use shared::domain::ids::ClientId;
use shared::{App, Config, Store};

pub mod bench;
pub mod calls;
pub mod factories;
pub mod faults;
pub mod loan;
pub mod outage;
pub mod routes;
pub mod seed;

/// The secret every test app signs cursors with.
pub const TEST_CURSOR_SECRET: &str = "test-cursor-secret-0123456789abcdef";
/// The secret every test app signs tokens with.
pub const TEST_TOKEN_SECRET: &str = "test-token-secret-0123456789abcdefgh";

/// Which function's handler a request goes to.
pub type Handler =
    for<'a> fn(&'a Arc<App>, Request) -> Pin<Box<dyn Future<Output = Response<Body>> + Send + 'a>>;

/// An app over its own, newly created table.
pub struct TestApp {
    /// The app handlers are called with, as a function's `main` would build it.
    pub app: Arc<App>,
    /// The table's name: `test-<ULID>`, unique to this test.
    pub table: String,
    /// Every DynamoDB operation the app's client has made.
    pub calls: calls::CallLog,
    /// Deletes the table when the test is done with it.
    pub cleanup: DeletesTable,
}

/// Deletes a test's table when the last of its clones is dropped, so that a DynamoDB
/// Local kept running between runs (`make ddb-start`) does not pile up a few hundred
/// tables a run.
///
/// The test's own runtime is finishing (or the test is unwinding) when this runs, so the
/// delete is made on a thread of its own, with a runtime and a client of its own, and
/// waited for at most five seconds; a failure to delete is ignored (the table is only
/// litter).
#[derive(Debug, Clone)]
pub struct DeletesTable {
    /// Held only to be dropped: the last clone's drop deletes the table.
    _table: Arc<TableToDelete>,
}

#[derive(Debug)]
struct TableToDelete(String);

impl DeletesTable {
    /// Deletes `table` when the last clone is dropped.
    pub fn new(table: &str) -> Self {
        Self {
            _table: Arc::new(TableToDelete(table.to_owned())),
        }
    }
}

impl Drop for TableToDelete {
    fn drop(&mut self) {
        let table = std::mem::take(&mut self.0);
        let deleting = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                let client = dynamodb(&test_config(&table)).await;
                let delete = client.delete_table().table_name(&table).send();
                let _ = tokio::time::timeout(std::time::Duration::from_secs(5), delete).await;
            });
        });
        let _ = deleting.join();
    }
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
        "TOKEN_SECRET" => Some(TEST_TOKEN_SECRET.into()),
        "AWS_ENDPOINT_URL_DYNAMODB" => Some(endpoint()),
        _ => None,
    })
    .expect("test configuration is complete")
}

/// A DynamoDB client for DynamoDB Local, built like the functions build theirs, with
/// static local credentials.
pub async fn dynamodb(config: &Config) -> aws_sdk_dynamodb::Client {
    let client = shared::store::dynamodb_client(config);
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
        let calls = calls::CallLog::default();
        let client = calls.attach(dynamodb(&config).await);
        shared::store::table::create_table(&client, &table)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "cannot create table in DynamoDB Local at {}: {e:?}",
                    endpoint()
                )
            });
        let app = Arc::new(App::new(Store::new(client, &table), &config).expect("app builds"));
        calls.take();
        Self {
            app,
            cleanup: DeletesTable::new(&table),
            table,
            calls,
        }
    }

    /// The app's store, for arranging data and inspecting the table directly.
    pub fn store(&self) -> &Store {
        &self.app.store
    }

    /// An app whose DynamoDB client reaches its (already created) table through `endpoint`
    /// (a proxy) and suffers `faults`.
    pub async fn spawn_with(endpoint: Option<&str>, faults: &faults::Faults) -> Self {
        let base = Self::spawn().await;
        let mut config = test_config(&base.table);
        if let Some(endpoint) = endpoint {
            config.dynamodb_endpoint = Some(endpoint.to_owned());
        }
        let client = base.calls.attach(faults.attach(dynamodb(&config).await));
        let app = Arc::new(App::new(Store::new(client, &base.table), &config).expect("app builds"));
        Self { app, ..base }
    }

    /// An app that reaches its (already created) table through `endpoint` (a proxy) with
    /// timeouts short enough that a stalled database makes a request give up within a
    /// second: 250 ms per attempt, 800 ms per operation, the standard three attempts. Its
    /// idempotency claims are leased for one second instead of thirty, so that a retry
    /// after a write of unknown outcome need not wait long.
    pub async fn spawn_impatient(endpoint: &str) -> Self {
        let base = Self::spawn().await;
        let mut config = test_config(&base.table);
        config.dynamodb_endpoint = Some(endpoint.to_owned());
        let timeouts = aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
            .connect_timeout(std::time::Duration::from_millis(500))
            .operation_attempt_timeout(std::time::Duration::from_millis(250))
            .operation_timeout(std::time::Duration::from_millis(800))
            .build();
        let client = dynamodb(&config).await;
        let conf = client
            .config()
            .to_builder()
            .timeout_config(timeouts)
            .build();
        let client = base.calls.attach(aws_sdk_dynamodb::Client::from_conf(conf));
        let store = Store::new(client, &base.table).with_idempotency_lease(1);
        let app = Arc::new(App::new(store, &config).expect("app builds"));
        Self { app, ..base }
    }

    /// An app over the same table, straight to DynamoDB Local with the standard timeouts
    /// (and the same one-second idempotency lease), for the steps around a request that
    /// `self` makes under faults: arranging, retrying and inspecting must not depend on
    /// how quickly a loaded database answers, only the request under test may.
    pub async fn patient_twin(&self) -> Self {
        let config = test_config(&self.table);
        let calls = calls::CallLog::default();
        let client = calls.attach(dynamodb(&config).await);
        let store = Store::new(client, &self.table).with_idempotency_lease(1);
        let app = Arc::new(App::new(store, &config).expect("app builds"));
        Self {
            app,
            table: self.table.clone(),
            calls,
            cleanup: self.cleanup.clone(),
        }
    }

    /// The address of DynamoDB Local, as `host:port`.
    pub fn upstream() -> String {
        endpoint()
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned()
    }

    /// A valid token for `caller`, signed with the app's key.
    pub fn token_for(&self, caller: &Caller) -> String {
        self.app
            .tokens
            .issue(caller, TokenKeys::now())
            .expect("token issues")
            .access_token
    }

    /// A valid admin token.
    pub fn admin_token(&self) -> String {
        self.token_for(&Caller {
            username: "test-admin".into(),
            role: Role::Admin,
            client_id: None,
        })
    }

    /// A valid token of a customer bound to `client_id`.
    pub fn customer_token(&self, client_id: &str) -> String {
        self.token_for(&Caller {
            username: format!("customer-{}", client_id.to_lowercase()),
            role: Role::User,
            client_id: Some(ClientId::parse(client_id).expect("a client id")),
        })
    }

    /// Calls `handler` as an admin.
    pub async fn as_admin(&self, handler: Handler, request: TestRequest) -> TestResponse {
        call(&self.app, handler, request.bearer(&self.admin_token())).await
    }

    /// Sends `request` as it is (with whatever token it carries) to the function that
    /// serves its path, as API Gateway would.
    pub async fn send(&self, request: TestRequest) -> TestResponse {
        let handler = routes::handler_for(&request.path());
        call(&self.app, handler, request).await
    }

    /// Sends `request` as an admin to the function that serves its path.
    pub async fn admin(&self, request: TestRequest) -> TestResponse {
        self.send(request.bearer(&self.admin_token())).await
    }

    /// Sends `request` as the customer bound to `client_id` to the function that serves
    /// its path.
    pub async fn customer(&self, client_id: &str, request: TestRequest) -> TestResponse {
        self.send(request.bearer(&self.customer_token(client_id)))
            .await
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

    /// A body of raw bytes, as API Gateway hands over one that is not UTF-8 (base64-decoded).
    pub fn binary_body(mut self, body: &[u8]) -> Self {
        self.body = Body::Binary(body.to_vec());
        self
    }

    /// Adds a header whose value is raw bytes, which need not be UTF-8 (or even ASCII).
    pub fn header_bytes(mut self, name: &str, value: &[u8]) -> Self {
        let value =
            http::HeaderValue::from_bytes(value).expect("a header value without CR, LF or NUL");
        self.builder = self.builder.header(name, value);
        self
    }

    /// The address API Gateway saw the connection come from
    /// (`requestContext.http.sourceIp`), as a Lambda event carries it.
    pub fn source_ip(mut self, ip: &str) -> Self {
        let mut context =
            lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext::default();
        context.http.source_ip = Some(ip.to_owned());
        self.builder = self
            .builder
            .extension(lambda_http::request::RequestContext::ApiGatewayV2(context));
        self
    }

    /// `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    /// Adds a header (repeating a name appends another value).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    /// The path the request is for.
    pub fn path(&self) -> String {
        self.builder
            .uri_ref()
            .map(|uri| uri.path().to_owned())
            .unwrap_or_default()
    }

    /// The finished `lambda_http::Request`; panics on an invalid method, URI or header.
    pub fn build(self) -> Request {
        self.builder.body(self.body).expect("valid test request")
    }
}

/// A response with its body parsed as JSON (or `Null` when empty).
#[derive(Debug)]
pub struct TestResponse {
    /// The HTTP status.
    pub status: StatusCode,
    /// Every response header.
    pub headers: HeaderMap,
    /// The body as JSON; a text body that is not JSON becomes a JSON string.
    pub body: Value,
}

impl TestResponse {
    /// The first value of header `name`, if present and visible ASCII.
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
pub async fn call(app: &Arc<App>, handler: Handler, request: TestRequest) -> TestResponse {
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

/// `text` as a client id; panics unless it is one.
pub fn client_id(text: &str) -> ClientId {
    ClientId::parse(text).unwrap_or_else(|| panic!("{text:?} is not a client id"))
}

/// The auth function's handler.
pub fn auth_handler<'a>(
    app: &'a Arc<App>,
    request: Request,
) -> Pin<Box<dyn Future<Output = Response<Body>> + Send + 'a>> {
    Box::pin(auth::handle(app, request))
}

/// The loans function's handler.
pub fn loans_handler<'a>(
    app: &'a Arc<App>,
    request: Request,
) -> Pin<Box<dyn Future<Output = Response<Body>> + Send + 'a>> {
    Box::pin(loans::handle(app, request))
}

/// The clients function's handler.
pub fn clients_handler<'a>(
    app: &'a Arc<App>,
    request: Request,
) -> Pin<Box<dyn Future<Output = Response<Body>> + Send + 'a>> {
    Box::pin(clients::handle(app, request))
}

/// Creates a user through `POST /users` as an admin; panics unless it is created.
pub async fn create_user(
    app: &TestApp,
    username: &str,
    password: &str,
    role: &str,
    client_id: Option<&str>,
) -> Value {
    let body = serde_json::json!({"username": username, "password": password, "role": role, "client_id": client_id});
    let response = app
        .as_admin(auth_handler, request(Method::POST, "/users").json(&body))
        .await;
    assert_eq!(response.status, 201, "create user: {}", response.body);
    response.body
}

/// Logs in and returns the response.
pub async fn login(app: &TestApp, username: &str, password: &str) -> TestResponse {
    login_from(app, username, password, DEFAULT_TEST_IP).await
}

/// The source address of requests that do not choose one.
pub const DEFAULT_TEST_IP: &str = "198.51.100.7";

/// Logs in from source address `ip` and returns the response.
pub async fn login_from(app: &TestApp, username: &str, password: &str, ip: &str) -> TestResponse {
    let body = serde_json::json!({"username": username, "password": password});
    call(
        &app.app,
        auth_handler,
        request(Method::POST, "/auth/login")
            .json(&body)
            .source_ip(ip),
    )
    .await
}

/// Creates a client as an admin and returns its body.
pub async fn create_client(app: &TestApp) -> Value {
    let response = app
        .as_admin(
            clients_handler,
            request(Method::POST, "/clients").json(&factories::client_body()),
        )
        .await;
    assert_eq!(response.status, 201, "create client: {}", response.body);
    response.body
}

/// Captures this thread's log output (JSON, as the functions write it) for assertions.
/// Tests run on a current-thread runtime, so every handler log lands here.
pub struct LogCapture {
    buffer: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    _guard: tracing::subscriber::DefaultGuard,
}

#[derive(Clone)]
struct SharedWriter(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for SharedWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut buffer) = self.0.lock() {
            buffer.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogCapture {
    /// Starts capturing at `DEBUG` and above, until the capture is dropped.
    pub fn start() -> Self {
        let buffer = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let writer = SharedWriter(buffer.clone());
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(move || writer.clone())
            .finish();
        Self {
            buffer,
            _guard: tracing::subscriber::set_default(subscriber),
        }
    }

    /// Everything logged so far, one JSON object per line.
    pub fn text(&self) -> String {
        self.buffer
            .lock()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }
}

/// Applies for a loan for `client_id` as an admin and returns its body.
pub async fn create_loan(app: &TestApp, client_id: &str) -> Value {
    let body =
        serde_json::json!({"amount": "10000.00", "annual_interest_rate": "12", "term_months": 12});
    let response = app
        .as_admin(
            loans_handler,
            request(Method::POST, &format!("/clients/{client_id}/loans")).json(&body),
        )
        .await;
    assert_eq!(response.status, 201, "create loan: {}", response.body);
    response.body
}
