//! Every route the workspace serves is documented, with exactly the methods it serves.
//!
//! The routes come from the cargo-lambda router table in the root `Cargo.toml`
//! (`[workspace.metadata.lambda.watch.router]`), the same table `cargo lambda watch` serves.
//! The methods come from the functions themselves: each is asked for a method no path
//! serves and must answer `405` with an `Allow` header naming exactly the documented
//! methods. That exchange happens before any database call, so no database is needed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test: a failed step is a failed test"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use lambda_http::{Body, Request};
use serde_json::Value;
use shared::auth::{Caller, Role, TokenKeys};
use shared::{App, Config};

/// The router table: path → the function that serves it.
fn router() -> BTreeMap<String, String> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let root: toml::Table = text.parse().unwrap();
    let table = root["workspace"]["metadata"]["lambda"]["watch"]["router"]
        .as_table()
        .expect("[workspace.metadata.lambda.watch.router] in the root Cargo.toml");
    table
        .iter()
        .map(|(path, function)| (path.clone(), function.as_str().unwrap().to_owned()))
        .collect()
}

fn document() -> Value {
    serde_json::from_str(&openapi::json()).unwrap()
}

/// The documented methods of `path`, upper-case.
fn documented_methods(document: &Value, path: &str) -> BTreeSet<String> {
    let methods = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    document["paths"][path]
        .as_object()
        .map(|item| {
            methods
                .iter()
                .filter(|method| item.contains_key(**method))
                .map(|method| method.to_uppercase())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_routed_path_is_documented_and_nothing_else() {
    let document = document();
    let documented: BTreeSet<String> = document["paths"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let routed: BTreeSet<String> = router().into_keys().collect();
    let undocumented: Vec<&String> = routed.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "routes of the router table missing from the OpenAPI document: {undocumented:?}; \
         give each handler a #[utoipa::path], list it in its function's Operations and \
         regenerate docs/openapi.json"
    );
    let unrouted: Vec<&String> = documented.difference(&routed).collect();
    assert!(
        unrouted.is_empty(),
        "documented paths no function is routed for: {unrouted:?}"
    );
    for path in &routed {
        assert!(
            !documented_methods(&document, path).is_empty(),
            "{path} documents no operation"
        );
    }
}

/// An app whose store is never reached, and an admin token for it.
async fn app() -> (std::sync::Arc<App>, String) {
    let secret = "openapi-route-test-secret-of-at-least-32-bytes";
    let config = Config::from_lookup(|name| match name {
        "TABLE_NAME" => Some("never-used".into()),
        "CURSOR_SECRET" | "TOKEN_SECRET" => Some(secret.into()),
        "AWS_ENDPOINT_URL_DYNAMODB" => Some("http://127.0.0.1:9".into()),
        _ => None,
    })
    .unwrap();
    let admin = Caller {
        username: "admin".into(),
        role: Role::Admin,
        client_id: None,
    };
    let token = TokenKeys::new(secret.as_bytes())
        .issue(&admin, TokenKeys::now())
        .unwrap()
        .access_token;
    (App::from_config(&config).unwrap(), token)
}

/// `path` with its parameters filled in with values each handler accepts.
fn concrete(path: &str) -> String {
    path.replace("{client_id}", "01KB3F8Q9M6T2N4R5S7V8W9X0Y")
        .replace("{loan_id}", "01KB3FA2C4E6G8J0K2M4P6R8T0")
        .replace("{username}", "ana")
}

#[tokio::test]
async fn every_path_documents_exactly_the_methods_its_function_serves() {
    let (app, token) = app().await;
    let document = document();
    for (path, function) in router() {
        let request: Request = http::Request::builder()
            .method("OPTIONS")
            .uri(concrete(&path))
            .header("authorization", format!("Bearer {token}"))
            .body(Body::Empty)
            .unwrap();
        let response = match function.as_str() {
            "clients" => clients::handle(&app, request).await,
            "loans" => loans::handle(&app, request).await,
            "auth" => auth::handle(&app, request).await,
            other => panic!("the router names a function this test does not know: {other}"),
        };
        assert_eq!(response.status(), 405, "OPTIONS {path} must be 405");
        let header = response.headers()["allow"].to_str().unwrap();
        let allow: BTreeSet<String> = header
            .split(',')
            .map(|method| method.trim().to_owned())
            .collect();
        assert_eq!(
            documented_methods(&document, &path),
            allow,
            "{path}: the documented methods must be those its function serves (Allow)"
        );
        let description = document["paths"][&path]["description"].as_str().unwrap();
        assert!(
            description.contains(&format!("`Allow: {header}`")),
            "{path}: its description must quote the Allow header ({header}): {description}"
        );
    }
}
