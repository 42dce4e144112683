//! API8, security misconfiguration: unknown methods and media types are refused, errors
//! never carry internals, responses forbid caching and sniffing, and CORS is limited to
//! configured origins.

use api_tests::faults::Faults;
use api_tests::*;
use http::Method;
use serde_json::json;

#[tokio::test]
async fn wrong_methods_are_405_with_allow_on_every_function() {
    let app = TestApp::spawn().await;
    let id = ulid::Ulid::generate();
    let cases: Vec<(Handler, Method, String, &str)> = vec![
        (
            clients_handler,
            Method::DELETE,
            "/clients".into(),
            "GET, POST",
        ),
        (
            clients_handler,
            Method::POST,
            format!("/clients/{id}"),
            "GET, PUT, PATCH, DELETE",
        ),
        (loans_handler, Method::POST, "/loans".into(), "GET"),
        (
            loans_handler,
            Method::POST,
            format!("/loans/{id}"),
            "GET, PUT, PATCH, DELETE",
        ),
        (
            loans_handler,
            Method::DELETE,
            format!("/loans/{id}/schedule"),
            "GET",
        ),
        (loans_handler, Method::GET, "/quotes".into(), "POST"),
        (
            loans_handler,
            Method::PUT,
            format!("/clients/{id}/loans"),
            "GET, POST",
        ),
        (auth_handler, Method::GET, "/auth/login".into(), "POST"),
        (auth_handler, Method::POST, "/auth/me".into(), "GET"),
        (auth_handler, Method::PUT, "/users".into(), "GET, POST"),
        (
            auth_handler,
            Method::PUT,
            "/users/someone".into(),
            "GET, PATCH, DELETE",
        ),
        (auth_handler, Method::GET, "/auth/refresh".into(), "POST"),
        (auth_handler, Method::GET, "/auth/logout".into(), "POST"),
        (auth_handler, Method::GET, "/auth/password".into(), "POST"),
    ];
    for (handler, method, uri, allow) in cases {
        let response = app.as_admin(handler, request(method.clone(), &uri)).await;
        response.assert_problem(405);
        assert_eq!(response.header("allow"), Some(allow), "{method} {uri}");
    }
}

#[tokio::test]
async fn bodies_without_json_content_type_are_415_everywhere() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let before = app.all_items().await;
    let body =
        json!({"amount": "1000.00", "annual_interest_rate": "10", "term_months": 6}).to_string();
    let loans = format!("/clients/{}/loans", client["id"].as_str().unwrap());
    let cases: Vec<(Handler, &str, &str)> = vec![
        (clients_handler, "/clients", "text/plain"),
        (loans_handler, "/quotes", "application/xml"),
        (loans_handler, &loans, "application/x-www-form-urlencoded"),
    ];
    for (handler, uri, content_type) in cases {
        let response = app
            .as_admin(
                handler,
                request(Method::POST, uri)
                    .raw_body(body.clone())
                    .header("content-type", content_type),
            )
            .await;
        response.assert_problem(415);
    }
    assert_eq!(app.all_items().await, before);
}

#[tokio::test]
async fn an_unexpected_database_error_is_a_bare_500_without_internals() {
    let faults = Faults::default();
    let app = TestApp::spawn_with(None, &faults).await;
    let client = create_client(&app).await;

    faults.fail_once("GetItem", "ValidationException");
    let response = app
        .admin(request(
            Method::GET,
            &format!("/clients/{}", client["id"].as_str().unwrap()),
        ))
        .await;

    response.assert_problem(500);
    let text = response.body.to_string();
    for internal in [
        "ValidationException",
        "arn:aws",
        "secret",
        "GetItem",
        "panicked",
        "src/",
    ] {
        assert!(
            !text.contains(internal),
            "the body reveals {internal:?}: {text}"
        );
    }
}

#[tokio::test]
async fn responses_forbid_caching_and_sniffing_and_never_grant_cors_themselves() {
    let app = TestApp::spawn().await;
    let ok = app
        .admin(request(Method::GET, "/clients").header("origin", "https://evil.example"))
        .await;
    let error = app
        .send(request(Method::GET, "/clients").header("origin", "https://evil.example"))
        .await;
    for response in [&ok, &error] {
        assert_eq!(response.header("cache-control"), Some("no-store"));
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
        assert!(
            response.header("access-control-allow-origin").is_none(),
            "CORS is the gateway's, per configured origin"
        );
    }
}

#[test]
fn the_gateway_allows_only_configured_origins() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml")).unwrap();
    let template: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let cors = &template["Resources"]["LendingApi"]["Properties"]["CorsConfiguration"];
    let origins = serde_yaml::to_string(&cors["AllowOrigins"]).unwrap();
    assert!(
        origins.contains("CorsAllowedOrigins"),
        "origins come from a parameter: {origins}"
    );
    assert!(!origins.contains('*'), "never every origin");
    let default =
        serde_yaml::to_string(&template["Parameters"]["CorsAllowedOrigins"]["Default"]).unwrap();
    assert!(
        !default.contains('*'),
        "the default is not a wildcard either: {default}"
    );
    assert_eq!(cors["AllowCredentials"].as_bool(), Some(false));
}
