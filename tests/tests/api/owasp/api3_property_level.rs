//! API3, broken object property level authorization: no caller sets a field the server
//! owns, and no response or log line shows a password hash.

use api_tests::*;
use http::Method;
use serde_json::json;

#[tokio::test]
async fn server_owned_fields_cannot_be_set() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let uri = format!("/clients/{}", client["id"].as_str().unwrap());
    let before = app.all_items().await;
    let cases = [
        ("id", json!(ulid::Ulid::generate().to_string())),
        ("version", json!(99)),
        ("created_at", json!("2000-01-01T00:00:00Z")),
        ("updated_at", json!("2000-01-01T00:00:00Z")),
    ];
    for (field, value) in cases {
        let response = app
            .admin(request(Method::PATCH, &uri).json(&json!({field: value})))
            .await;
        response.assert_problem(422);
        assert_eq!(response.error_pointers(), [format!("/{field}")]);
    }
    assert_eq!(app.all_items().await, before);
}

#[tokio::test]
async fn password_hashes_never_appear_in_responses_or_logs() {
    let logs = LogCapture::start();
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let password = "a very secret passphrase";

    let created = create_user(&app, "hashless", password, "user", client["id"].as_str()).await;
    let token = login(&app, "hashless", password).await;
    login(&app, "hashless", "wrong passphrase!!").await;
    let listed = app.admin(request(Method::GET, "/users")).await;
    let me = app
        .send(request(Method::GET, "/auth/me").bearer(token.body["access_token"].as_str().unwrap()))
        .await;

    for body in [&created, &token.body, &listed.body, &me.body] {
        let text = body.to_string();
        assert!(
            !text.contains("argon2") && !text.contains("password"),
            "leak in {text}"
        );
    }
    let logged = logs.text();
    assert!(
        logged.contains("login succeeded"),
        "the capture works: {logged}"
    );
    assert!(
        !logged.contains("argon2") && !logged.contains(password),
        "leak in logs"
    );
}
