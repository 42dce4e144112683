//! Client routes: every contract status that applies to clients.

use api_tests::factories::client_body;
use api_tests::*;
use chrono::{Months, Utc};
use http::Method;
use serde_json::{Value, json};

async fn create(app: &TestApp, body: &Value) -> TestResponse {
    app.admin(request(Method::POST, "/clients").json(body))
        .await
}

async fn created_client(app: &TestApp) -> Value {
    let response = create(app, &client_body()).await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.body
}

fn path(client: &Value) -> String {
    format!(
        "/clients/{}",
        client["id"].as_str().expect("client has an id")
    )
}

#[tokio::test]
async fn create_client_returns_201_with_location_etag_and_server_fields() {
    let app = TestApp::spawn().await;
    let mut body = client_body();
    body["email"] = json!("  Ana.Lopez@Example.com ");
    body["monthly_income"] = json!("15000.5");

    let response = create(&app, &body).await;

    assert_eq!(response.status, 201, "{}", response.body);
    let id = response.body["id"].as_str().unwrap();
    assert_eq!(
        response.header("location"),
        Some(format!("/clients/{id}").as_str())
    );
    assert_eq!(response.header("etag"), Some("\"1\""));
    assert_eq!(response.body["version"], 1);
    assert_eq!(
        response.body["email"], "Ana.Lopez@Example.com",
        "trimmed, case kept"
    );
    assert_eq!(
        response.body["monthly_income"], "15000.50",
        "money is a string with minor units"
    );
    assert!(response.body["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(response.body["created_at"], response.body["updated_at"]);
    assert!(response.header("x-request-id").is_some());
}

#[tokio::test]
async fn create_client_returns_422_with_a_pointer_per_invalid_field() {
    let app = TestApp::spawn().await;
    // Seventeen today, and still on the server's today if that is already tomorrow; a
    // fixed date would come of age one day.
    let minor = (Utc::now().date_naive() - Months::new(17 * 12))
        .format("%Y-%m-%d")
        .to_string();
    let cases = [
        ("first_name", json!(""), "blank name"),
        (
            "last_name",
            json!("x".repeat(101)),
            "name over 100 characters",
        ),
        ("email", json!("not-an-email"), "invalid email"),
        ("document_number", json!("AB-1"), "document with a dash"),
        ("phone", json!("5512345678"), "phone without +"),
        ("birth_date", json!(minor), "a minor"),
        ("birth_date", json!("01/01/1990"), "wrong date format"),
        ("monthly_income", json!("100.999"), "three decimals in MXN"),
        ("monthly_income", json!("-1"), "negative income"),
        ("monthly_income", json!(25000), "income as a JSON number"),
        (
            "first_name",
            json!("\u{200B}\u{200D}"),
            "only zero-width characters",
        ),
        (
            "last_name",
            json!(" \u{2060}\u{FEFF} "),
            "only invisible characters",
        ),
        (
            "first_name",
            json!("Ana\u{202E}zíraM"),
            "a right-to-left override",
        ),
        (
            "last_name",
            json!("\u{2067}López\u{2069}"),
            "bidirectional isolates",
        ),
        ("email", json!("a@b"), "no dot in the domain"),
        ("monthly_income", json!(true), "income of the wrong type"),
        ("first_name", json!(42), "name of the wrong type"),
        ("email", Value::Null, "null required field"),
    ];
    for (field, value, why) in cases {
        let mut body = client_body();
        body[field] = value;
        let response = create(&app, &body).await;
        response.assert_problem(422);
        assert_eq!(
            response.error_pointers(),
            [format!("/{field}")],
            "{why}: {}",
            response.body
        );
    }
    assert!(app.all_items().await.is_empty(), "nothing was written");
}

#[tokio::test]
async fn create_client_reports_every_missing_field_and_every_unknown_field() {
    let app = TestApp::spawn().await;

    let missing = create(&app, &json!({"first_name": "Ana"})).await;
    let mut extra = client_body();
    extra["is_admin"] = json!(true);
    extra["version"] = json!(9);
    let unknown = create(&app, &extra).await;

    missing.assert_problem(422);
    let mut pointers = missing.error_pointers();
    pointers.sort();
    assert_eq!(
        pointers,
        ["/birth_date", "/document_number", "/email", "/last_name"]
    );
    unknown.assert_problem(422);
    assert_eq!(
        unknown.error_pointers(),
        ["/is_admin", "/version"],
        "server fields cannot be set"
    );
    assert!(app.all_items().await.is_empty());
}

#[tokio::test]
async fn create_client_rejects_malformed_bodies() {
    let app = TestApp::spawn().await;
    let huge = json!({"first_name": "a".repeat(70 * 1024)}).to_string();
    let cases: [(TestRequest, u16, &str); 5] = [
        (
            request(Method::POST, "/clients")
                .raw_body("{\"first_name\":")
                .header("content-type", "application/json"),
            400,
            "truncated JSON",
        ),
        (
            request(Method::POST, "/clients")
                .raw_body("")
                .header("content-type", "application/json"),
            400,
            "empty body",
        ),
        (
            request(Method::POST, "/clients").raw_body(client_body().to_string()),
            415,
            "no content type",
        ),
        (
            request(Method::POST, "/clients")
                .raw_body(client_body().to_string())
                .header("content-type", "text/plain"),
            415,
            "text/plain",
        ),
        (
            request(Method::POST, "/clients")
                .raw_body(huge)
                .header("content-type", "application/json"),
            413,
            "over 64 KiB",
        ),
    ];
    for (req, status, why) in cases {
        let response = app.admin(req).await;
        assert_eq!(response.status, status, "{why}: {}", response.body);
        response.assert_problem(status);
    }
    assert!(app.all_items().await.is_empty());
}

#[tokio::test]
async fn create_client_returns_409_when_email_or_document_is_taken() {
    let app = TestApp::spawn().await;
    let first = created_client(&app).await;

    let mut same_email = client_body();
    same_email["email"] = json!(first["email"].as_str().unwrap().to_uppercase());
    let mut same_document = client_body();
    same_document["document_number"] =
        json!(first["document_number"].as_str().unwrap().to_lowercase());

    for (body, word) in [(same_email, "email"), (same_document, "document")] {
        let response = create(&app, &body).await;
        response.assert_problem(409);
        assert!(
            response.body["detail"].as_str().unwrap().contains(word),
            "{}",
            response.body
        );
    }
    assert_eq!(
        app.all_items().await.len(),
        3,
        "one client and its two guards"
    );
}

#[tokio::test]
async fn get_client_returns_200_with_etag() {
    let app = TestApp::spawn().await;
    let client = created_client(&app).await;

    let response = app.admin(request(Method::GET, &path(&client))).await;

    assert_eq!(response.status, 200);
    assert_eq!(response.body, client);
    assert_eq!(response.header("etag"), Some("\"1\""));
}

#[tokio::test]
async fn get_client_returns_404_for_missing_or_malformed_ids() {
    let app = TestApp::spawn().await;
    for id in [
        ulid::Ulid::generate().to_string(),
        "not-an-id".into(),
        "..%2F..%2Fetc".into(),
    ] {
        let response = app
            .admin(request(Method::GET, &format!("/clients/{id}")))
            .await;
        response.assert_problem(404);
    }
}

#[tokio::test]
async fn unknown_paths_are_404_and_wrong_methods_are_405_with_allow() {
    let app = TestApp::spawn().await;
    let client = created_client(&app).await;
    let cases = [
        (Method::GET, "/nothing-here".to_owned(), 404, None),
        (
            Method::GET,
            format!("{}/extra/segments", path(&client)),
            404,
            None,
        ),
        (
            Method::DELETE,
            "/clients".to_owned(),
            405,
            Some("GET, POST"),
        ),
        (
            Method::POST,
            path(&client),
            405,
            Some("GET, PUT, PATCH, DELETE"),
        ),
    ];
    for (method, uri, status, allow) in cases {
        let response = app.as_admin(clients_handler, request(method, &uri)).await;
        response.assert_problem(status);
        assert_eq!(response.header("allow"), allow, "{uri}");
    }
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let app = TestApp::spawn().await;
    let echoed = app
        .admin(request(Method::GET, "/clients").header("x-request-id", "abc-123"))
        .await;
    assert_eq!(echoed.header("x-request-id"), Some("abc-123"));
    let hostile = app
        .admin(request(Method::GET, "/clients").header("x-request-id", "a b\"<script>"))
        .await;
    assert_ne!(hostile.header("x-request-id"), Some("a b\"<script>"));
    assert!(
        hostile
            .header("x-request-id")
            .is_some_and(|id| !id.is_empty())
    );
}

#[tokio::test]
async fn put_client_replaces_every_field_and_bumps_the_version() {
    let app = TestApp::spawn().await;
    let client = created_client(&app).await;
    let mut replacement = client_body();
    replacement.as_object_mut().unwrap().remove("phone");

    let response = app
        .admin(
            request(Method::PUT, &path(&client))
                .json(&replacement)
                .header("if-match", "\"1\""),
        )
        .await;

    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.body["version"], 2);
    assert_eq!(response.header("etag"), Some("\"2\""));
    assert_eq!(response.body["email"], replacement["email"]);
    assert!(
        response.body["phone"].is_null(),
        "an absent optional field is cleared by PUT"
    );
    assert_eq!(response.body["created_at"], client["created_at"]);
}

#[tokio::test]
async fn put_client_returns_422_when_a_required_field_is_missing() {
    let app = TestApp::spawn().await;
    let client = created_client(&app).await;
    let response = app
        .admin(request(Method::PUT, &path(&client)).json(&json!({"first_name": "Ana"})))
        .await;
    response.assert_problem(422);
    assert_eq!(response.error_pointers().len(), 4);
}

#[tokio::test]
async fn patch_client_changes_only_the_given_fields_and_null_clears_optional_ones() {
    let app = TestApp::spawn().await;
    let client = created_client(&app).await;

    let response = app
        .admin(
            request(Method::PATCH, &path(&client))
                .json(&json!({"last_name": " Pérez ", "phone": null})),
        )
        .await;

    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.body["last_name"], "Pérez");
    assert!(response.body["phone"].is_null());
    assert_eq!(response.body["first_name"], client["first_name"]);
    assert_eq!(response.body["email"], client["email"]);
    assert_eq!(response.body["version"], 2);
}

#[tokio::test]
async fn patch_client_with_a_stale_if_match_returns_412_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let client = created_client(&app).await;
    let before = app.all_items().await;

    for tag in ["\"7\"", "W/\"1\"", "garbage"] {
        let response = app
            .admin(
                request(Method::PATCH, &path(&client))
                    .json(&json!({"first_name": "Changed"}))
                    .header("if-match", tag),
            )
            .await;
        response.assert_problem(412);
    }
    assert_eq!(app.all_items().await, before);
}

#[tokio::test]
async fn patch_client_moves_the_email_guard_so_the_old_email_is_free_again() {
    let app = TestApp::spawn().await;
    let client = created_client(&app).await;
    let old_email = client["email"].as_str().unwrap().to_owned();

    let response = app
        .admin(
            request(Method::PATCH, &path(&client)).json(
                &json!({"email": "new.address@example.com", "document_number": "NEWDOC12345"}),
            ),
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.body);

    let mut reuse = client_body();
    reuse["email"] = json!(old_email);
    assert_eq!(
        create(&app, &reuse).await.status,
        201,
        "the old email was released"
    );
    let mut clash = client_body();
    clash["email"] = json!("NEW.ADDRESS@example.com");
    create(&app, &clash).await.assert_problem(409);
    assert_eq!(
        app.all_items().await.len(),
        6,
        "two clients, four guards, no stale guard"
    );
}

#[tokio::test]
async fn patch_client_to_a_taken_email_returns_409_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let first = created_client(&app).await;
    let second = created_client(&app).await;
    let before = app.all_items().await;

    let response = app
        .admin(request(Method::PATCH, &path(&second)).json(&json!({"email": first["email"]})))
        .await;

    response.assert_problem(409);
    assert_eq!(app.all_items().await, before);
}

#[tokio::test]
async fn update_of_a_missing_client_returns_404() {
    let app = TestApp::spawn().await;
    let uri = format!("/clients/{}", ulid::Ulid::generate());
    for method in [Method::PUT, Method::PATCH] {
        let response = app.admin(request(method, &uri).json(&client_body())).await;
        response.assert_problem(404);
    }
    let response = app.admin(request(Method::DELETE, &uri)).await;
    response.assert_problem(404);
}

#[tokio::test]
async fn delete_client_returns_204_and_frees_its_email_and_document() {
    let app = TestApp::spawn().await;
    let client = created_client(&app).await;

    let response = app
        .admin(request(Method::DELETE, &path(&client)).header("if-match", "\"1\""))
        .await;

    assert_eq!(response.status, 204);
    assert!(
        app.all_items().await.is_empty(),
        "client and guards are gone"
    );
    app.admin(request(Method::GET, &path(&client)))
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn delete_client_with_a_stale_if_match_returns_412() {
    let app = TestApp::spawn().await;
    let client = created_client(&app).await;
    let response = app
        .admin(request(Method::DELETE, &path(&client)).header("if-match", "\"2\""))
        .await;
    response.assert_problem(412);
    assert_eq!(app.all_items().await.len(), 3);
}
