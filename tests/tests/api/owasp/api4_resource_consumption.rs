//! API4, unrestricted resource consumption: huge limits, huge bodies, huge strings and
//! deeply nested JSON are refused early, with the exact status, and change nothing.

use api_tests::factories::client_body;
use api_tests::*;
use http::Method;
use serde_json::{Value, json};

fn raw_json(method: Method, uri: &str, body: String) -> TestRequest {
    request(method, uri)
        .raw_body(body)
        .header("content-type", "application/json")
}

#[tokio::test]
async fn oversized_requests_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let client_id = client["id"].as_str().unwrap().to_owned();
    let before = app.all_items().await;
    let long = "a".repeat(10_000);
    let megabyte = json!({"first_name": "x".repeat(1024 * 1024)}).to_string();
    let nested = format!(
        "{{\"first_name\": {}{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let many_fields = format!(
        "{{{}}}",
        (0..5_000)
            .map(|i| format!("\"f{i}\":0"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let with = |field: &str, value: Value| {
        let mut body = client_body();
        body[field] = value;
        body
    };
    let loan = |field: &str, value: Value| {
        let mut body = json!({"amount": "1000.00", "annual_interest_rate": "10", "term_months": 6});
        body[field] = value;
        body
    };
    let loans = format!("/clients/{client_id}/loans");

    let cases: Vec<(Handler, TestRequest, u16, &str)> = vec![
        (
            clients_handler,
            request(Method::GET, "/clients?limit=1000000"),
            422,
            "a huge limit",
        ),
        (
            loans_handler,
            request(Method::GET, "/loans?limit=101"),
            422,
            "a limit over 100",
        ),
        (
            clients_handler,
            raw_json(Method::POST, "/clients", megabyte),
            413,
            "a 1 MB body",
        ),
        (
            clients_handler,
            raw_json(Method::POST, "/clients", nested),
            422,
            "10,000 levels of nesting",
        ),
        (
            clients_handler,
            raw_json(Method::POST, "/clients", many_fields),
            422,
            "5,000 unknown fields",
        ),
        (
            clients_handler,
            request(Method::POST, "/clients").json(&with("first_name", json!(long))),
            422,
            "a 10,000-character name",
        ),
        (
            clients_handler,
            request(Method::POST, "/clients").json(&with("email", json!(format!("{long}@x.com")))),
            422,
            "a 10,000-character email",
        ),
        (
            clients_handler,
            request(Method::POST, "/clients").json(&with("document_number", json!(long))),
            422,
            "a 10,000-character document",
        ),
        (
            loans_handler,
            request(Method::POST, &loans).json(&loan("purpose", json!(long))),
            422,
            "a 10,000-character purpose",
        ),
        (
            loans_handler,
            request(Method::POST, &loans).json(&loan("amount", json!("9".repeat(10_000)))),
            422,
            "a 10,000-digit amount",
        ),
        (
            clients_handler,
            request(Method::GET, &format!("/clients?name={long}")),
            422,
            "a 10,000-character filter",
        ),
        (
            loans_handler,
            request(Method::GET, &format!("/loans?cursor={long}")),
            400,
            "a 10,000-character cursor",
        ),
        (
            clients_handler,
            request(Method::POST, "/clients")
                .json(&client_body())
                .header("idempotency-key", &long),
            400,
            "a 10,000-character idempotency key",
        ),
    ];
    for (handler, req, status, why) in cases {
        let response = app.as_admin(handler, req).await;
        assert_eq!(response.status.as_u16(), status, "{why}: {}", response.body);
        response.assert_problem(status);
        assert!(
            response.body.to_string().len() < 8 * 1024,
            "{why}: the answer stays small"
        );
    }
    assert_eq!(app.all_items().await, before, "nothing changed");
}

#[tokio::test]
async fn a_huge_password_is_refused_before_any_hashing() {
    let app = TestApp::spawn().await;
    app.calls.take();
    let response = login(&app, "admin", &"p".repeat(10_000)).await;
    response.assert_problem(422);
    assert!(
        app.calls.take().is_empty(),
        "refused before touching the database"
    );
}
