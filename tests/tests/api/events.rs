//! The API Gateway events in `events/` (for `sam local invoke`) stay true: every operation
//! of `docs/openapi.json` has one, each is a well-formed HTTP API payload 2.0 event, and
//! each, fed as it is to the handler of the function that serves its path (parsed by
//! `lambda_http` exactly as the Lambda runtime parses an invocation), answers the status its
//! name documents against a table holding `lending-admin event-fixtures`.
//!
//! The operations come from the OpenAPI document, so a new route fails
//! `every_operation_has_an_event` until `scripts/events.py` has a row for it.

use std::collections::BTreeSet;
use std::path::PathBuf;

use api_tests::{TestApp, routes};
use futures::StreamExt as _;
use serde_json::Value;
use shared::auth::{Caller, Role};

/// The token placeholder of the events' `Authorization` header, for an admin.
const TOKEN_PLACEHOLDER: &str = "Bearer DEV_TOKEN";
/// The placeholder of the events that act as the fixtures' customer.
const CUSTOMER_TOKEN_PLACEHOLDER: &str = "Bearer DEV_CUSTOMER_TOKEN";
/// Operations whose credential is in the body: their events carry no `Authorization`.
const NO_TOKEN: [&str; 3] = [
    "POST /auth/login",
    "POST /auth/refresh",
    "POST /auth/logout",
];
/// Operations whose event acts as the fixtures' customer.
const AS_CUSTOMER: [&str; 1] = ["POST /auth/password"];

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// One file of `events/`.
struct EventFile {
    name: String,
    /// `METHOD /route`, from the file's `routeKey`.
    route_key: String,
    /// The status its name documents.
    status: u16,
    text: String,
    json: Value,
}

fn event_files() -> Vec<EventFile> {
    let mut files: Vec<EventFile> = std::fs::read_dir(root().join("events"))
        .expect("an events/ folder")
        .map(|entry| entry.expect("a readable entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("a UTF-8 file name")
                .to_owned();
            let status = name
                .trim_end_matches(".json")
                .rsplit('.')
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| panic!("{name}: not named <method>-<path>.<status>.json"));
            let text = std::fs::read_to_string(&path).expect("a readable event");
            let json: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
            let route_key = json["routeKey"]
                .as_str()
                .unwrap_or_else(|| panic!("{name}: no routeKey"))
                .to_owned();
            EventFile {
                name,
                route_key,
                status,
                text,
                json,
            }
        })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(!files.is_empty(), "events/ holds no event");
    files
}

/// `METHOD /path` of every operation of the OpenAPI document.
fn operations() -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join("docs/openapi.json")).expect("the document");
    let document: Value = serde_json::from_str(&text).expect("JSON");
    let methods = ["get", "put", "post", "delete", "patch", "head", "options"];
    let mut operations = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in methods.iter().filter(|m| item.get(**m).is_some()) {
            operations.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    operations
}

/// The file name an event of `route_key` must have, but for its status.
fn name_prefix(route_key: &str) -> String {
    let (method, route) = route_key.split_once(' ').unwrap_or((route_key, ""));
    let segments: Vec<&str> = route
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_start_matches('{').trim_end_matches('}'))
        .collect();
    format!("{}-{}.", method.to_lowercase(), segments.join("-"))
}

#[test]
fn every_operation_has_an_event_and_every_event_an_operation() {
    let operations = operations();
    let files = event_files();
    let covered: BTreeSet<String> = files.iter().map(|f| f.route_key.clone()).collect();
    let missing: Vec<&String> = operations.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "operations without an event in events/: {missing:?}; add a row to EVENTS in \
         scripts/events.py, run it, and commit events/"
    );
    let unknown: Vec<&String> = covered.difference(&operations).collect();
    assert!(
        unknown.is_empty(),
        "events of no documented operation: {unknown:?}"
    );
}

#[test]
fn every_event_is_a_well_formed_http_api_event() {
    for file in event_files() {
        let (name, event) = (&file.name, &file.json);
        assert!(
            name.starts_with(&name_prefix(&file.route_key)),
            "{name}: its name must start with {}",
            name_prefix(&file.route_key)
        );
        assert_eq!(event["version"], "2.0", "{name}: payload format 2.0");
        let context = &event["requestContext"];
        assert_eq!(context["routeKey"], event["routeKey"], "{name}: routeKey");
        assert_eq!(context["stage"], "$default", "{name}: the API's stage");
        let (method, route) = file.route_key.split_once(' ').expect("METHOD /route");
        assert_eq!(context["http"]["method"], method, "{name}: method");
        assert_eq!(context["http"]["path"], event["rawPath"], "{name}: path");
        assert!(
            context["http"]["sourceIp"]
                .as_str()
                .is_some_and(|ip| !ip.is_empty()),
            "{name}: requestContext.http.sourceIp"
        );
        // The raw path is the route with its path parameters filled in.
        let mut expected = String::new();
        for segment in route.split('/').filter(|s| !s.is_empty()) {
            expected.push('/');
            match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(param) => expected.push_str(
                    event["pathParameters"][param]
                        .as_str()
                        .unwrap_or_else(|| panic!("{name}: no pathParameters.{param}")),
                ),
                None => expected.push_str(segment),
            }
        }
        assert_eq!(event["rawPath"], expected.as_str(), "{name}: rawPath");
        let headers = event["headers"].as_object().expect("headers");
        assert!(
            headers.keys().all(|h| *h == h.to_lowercase()),
            "{name}: API Gateway lower-cases header names"
        );
        if let Some(body) = event["body"].as_str() {
            assert_eq!(
                headers.get("content-type").and_then(Value::as_str),
                Some("application/json"),
                "{name}: a JSON body says so"
            );
            serde_json::from_str::<Value>(body)
                .unwrap_or_else(|e| panic!("{name}: the body is not JSON: {e}"));
            assert_eq!(
                headers.get("content-length").and_then(Value::as_str),
                Some(body.len().to_string().as_str()),
                "{name}: content-length"
            );
        }
        let route_key = file.route_key.as_str();
        let placeholder = if NO_TOKEN.contains(&route_key) {
            None
        } else if AS_CUSTOMER.contains(&route_key) {
            Some(CUSTOMER_TOKEN_PLACEHOLDER)
        } else {
            Some(TOKEN_PLACEHOLDER)
        };
        assert_eq!(
            headers.get("authorization").and_then(Value::as_str),
            placeholder,
            "{name}: the token placeholder (none where the body holds the credential)"
        );
    }
}

/// The admin `scripts/dev-token` signs for by default.
fn admin() -> Caller {
    Caller {
        username: "admin".into(),
        role: Role::Admin,
        client_id: None,
    }
}

/// The fixtures' customer, as `scripts/dev-token --events-customer` signs for it.
fn events_customer() -> Caller {
    Caller {
        username: infra::fixtures::CUSTOMER_USERNAME.into(),
        role: Role::User,
        client_id: shared::domain::ids::ClientId::parse(infra::fixtures::CLIENT_ID),
    }
}

/// Feeds `file` to its function on a fresh table with the fixtures; the status it got, or
/// what went wrong.
async fn run(file: &EventFile) -> Result<(), String> {
    let app = TestApp::spawn().await;
    infra::fixtures::load(app.store(), &app.app.tokens)
        .await
        .map_err(|e| format!("{}: fixtures: {e}", file.name))?;
    let text = file
        .text
        .replace(
            TOKEN_PLACEHOLDER,
            &format!("Bearer {}", app.token_for(&admin())),
        )
        .replace(
            CUSTOMER_TOKEN_PLACEHOLDER,
            &format!("Bearer {}", app.token_for(&events_customer())),
        );
    let request = lambda_http::request::from_str(&text)
        .map_err(|e| format!("{}: not an event lambda_http reads: {e}", file.name))?;
    let path = file.json["rawPath"].as_str().unwrap_or_default();
    let handler = routes::handler_for(path);
    let response = handler(&app.app, request).await;
    let status = response.status().as_u16();
    if status == file.status {
        return Ok(());
    }
    let body = match response.body() {
        lambda_http::Body::Text(text) => text.clone(),
        _ => String::new(),
    };
    Err(format!(
        "{}: expected {}, got {status}: {body}",
        file.name, file.status
    ))
}

#[tokio::test]
async fn every_event_gets_its_documented_status() {
    let files = event_files();
    let failures: Vec<String> = futures::stream::iter(&files)
        .map(run)
        .buffer_unordered(4)
        .filter_map(|outcome| async move { outcome.err() })
        .collect()
        .await;
    assert!(
        failures.is_empty(),
        "events that did not get their documented status:\n  {}",
        failures.join("\n  ")
    );
}
