//! Sessions: refresh-token rotation and reuse detection, logout, and the revocation that
//! every account change brings.

use api_tests::*;
use http::Method;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";

/// Logs in (from the default address) and returns the body; panics unless it is `200`.
async fn session(app: &TestApp, username: &str, password: &str) -> Value {
    let response = login(app, username, password).await;
    assert_eq!(response.status, 200, "login: {}", response.body);
    response.body
}

fn refresh_token(body: &Value) -> String {
    body["refresh_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no refresh token in {body}"))
        .to_owned()
}

async fn refresh(app: &TestApp, token: &str) -> TestResponse {
    app.send(
        request(Method::POST, "/auth/refresh")
            .json(&json!({"refresh_token": token}))
            .source_ip(DEFAULT_TEST_IP),
    )
    .await
}

async fn logout(app: &TestApp, token: &str) -> TestResponse {
    app.send(request(Method::POST, "/auth/logout").json(&json!({"refresh_token": token})))
        .await
}

#[tokio::test]
async fn login_returns_a_five_minute_access_token_and_a_refresh_token_by_role() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    create_user(&app, "boss", PASSWORD, "admin", None).await;
    create_user(&app, "ana", PASSWORD, "user", client["id"].as_str()).await;

    let admin = session(&app, "boss", PASSWORD).await;
    let customer = session(&app, "ana", PASSWORD).await;

    assert_eq!(admin["token_type"], "Bearer");
    assert_eq!(admin["expires_in"], 300);
    assert_eq!(admin["refresh_expires_in"], 12 * 3600);
    assert_eq!(customer["refresh_expires_in"], 30 * 24 * 3600);
    let (a, c) = (refresh_token(&admin), refresh_token(&customer));
    assert_eq!(a.len(), 43);
    assert_ne!(a, c);
    let stored = format!("{:?}", app.all_items().await);
    assert!(
        !stored.contains(&a) && !stored.contains(&c),
        "only hashes are stored"
    );
}

#[tokio::test]
async fn refresh_spends_the_token_and_returns_a_working_pair() {
    let app = TestApp::spawn().await;
    create_user(&app, "boss", PASSWORD, "admin", None).await;
    let first = refresh_token(&session(&app, "boss", PASSWORD).await);

    let renewed = refresh(&app, &first).await;

    assert_eq!(renewed.status, 200, "{}", renewed.body);
    assert_eq!(renewed.body["expires_in"], 300);
    let remaining = renewed.body["refresh_expires_in"].as_i64().unwrap();
    assert!(
        (12 * 3600 - 60..=12 * 3600).contains(&remaining),
        "{remaining}"
    );
    let second = refresh_token(&renewed.body);
    assert_ne!(second, first);
    let access = renewed.body["access_token"].as_str().unwrap();
    let me = app
        .send(request(Method::GET, "/auth/me").bearer(access))
        .await;
    assert_eq!(me.body["username"], "boss");
    let third = refresh(&app, &second).await;
    assert_eq!(third.status, 200, "the new token is live: {}", third.body);
}

#[tokio::test]
async fn a_spent_refresh_token_presented_again_revokes_its_whole_family() {
    let app = TestApp::spawn().await;
    create_user(&app, "boss", PASSWORD, "admin", None).await;
    let first = refresh_token(&session(&app, "boss", PASSWORD).await);
    let other_login = refresh_token(&session(&app, "boss", PASSWORD).await);
    let second = refresh_token(&refresh(&app, &first).await.body);

    let replay = refresh(&app, &first).await;

    replay.assert_problem(401);
    refresh(&app, &second).await.assert_problem(401);
    assert_eq!(
        refresh(&app, &other_login).await.status,
        200,
        "another login of the same user is another family"
    );
}

#[tokio::test]
async fn two_parallel_refreshes_with_one_token_give_one_success_and_revoke_the_family() {
    let app = TestApp::spawn().await;
    create_user(&app, "boss", PASSWORD, "admin", None).await;
    let token = refresh_token(&session(&app, "boss", PASSWORD).await);

    let (a, b) = tokio::join!(refresh(&app, &token), refresh(&app, &token));

    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 401], "{} / {}", a.body, b.body);
    let winner = if a.status == 200 { &a } else { &b };
    refresh(&app, &refresh_token(&winner.body))
        .await
        .assert_problem(401);
}

#[tokio::test]
async fn logout_revokes_the_family_and_answers_204_again() {
    let app = TestApp::spawn().await;
    create_user(&app, "boss", PASSWORD, "admin", None).await;
    let first = refresh_token(&session(&app, "boss", PASSWORD).await);
    let second = refresh_token(&refresh(&app, &first).await.body);

    let out = logout(&app, &first).await;
    let again = logout(&app, &second).await;

    assert_eq!(out.status, 204, "{}", out.body);
    assert_eq!(again.status, 204, "{}", again.body);
    refresh(&app, &second).await.assert_problem(401);
}

#[tokio::test]
async fn refresh_and_logout_refuse_anything_but_a_live_refresh_token() {
    let app = TestApp::spawn().await;
    create_user(&app, "boss", PASSWORD, "admin", None).await;
    let body = session(&app, "boss", PASSWORD).await;
    let access = body["access_token"].as_str().unwrap().to_owned();
    let unknown = "A".repeat(43);
    let cases = [
        (access.as_str(), "an access token"),
        (unknown.as_str(), "a token never issued"),
        ("short", "malformed"),
        ("", "empty"),
    ];
    for (token, why) in cases {
        let response = refresh(&app, token).await;
        response.assert_problem(401);
        assert_eq!(response.header("www-authenticate"), Some("Bearer"), "{why}");
        logout(&app, token).await.assert_problem(401);
    }
    let unknown_field = app
        .send(
            request(Method::POST, "/auth/refresh")
                .json(&json!({"refresh_token": refresh_token(&body), "scope": "admin"})),
        )
        .await;
    unknown_field.assert_problem(422);
    // A refresh token is no bearer token.
    let me = app
        .send(request(Method::GET, "/auth/me").bearer(&refresh_token(&body)))
        .await;
    me.assert_problem(401);
}

#[tokio::test]
async fn every_account_change_revokes_the_users_refresh_tokens() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let other = create_client(&app).await;
    let (home, away) = (
        client["id"].as_str().unwrap(),
        other["id"].as_str().unwrap(),
    );
    let cases = [
        (json!({"disabled": true}), "disabled"),
        (json!({"role": "admin"}), "re-roled"),
        (json!({"client_id": away}), "rebound to another client"),
        (
            json!({"password": "a brand new passphrase"}),
            "password reset",
        ),
    ];
    for (i, (change, why)) in cases.into_iter().enumerate() {
        let username = format!("customer-{i}");
        create_user(&app, &username, PASSWORD, "user", Some(home)).await;
        let token = refresh_token(&session(&app, &username, PASSWORD).await);

        let patched = app
            .admin(request(Method::PATCH, &format!("/users/{username}")).json(&change))
            .await;

        assert_eq!(patched.status, 200, "{why}: {}", patched.body);
        refresh(&app, &token).await.assert_problem(401);
    }
    create_user(&app, "leaver", PASSWORD, "user", Some(home)).await;
    let token = refresh_token(&session(&app, "leaver", PASSWORD).await);
    let deleted = app.admin(request(Method::DELETE, "/users/leaver")).await;
    assert_eq!(deleted.status, 204);
    refresh(&app, &token).await.assert_problem(401);
}

#[tokio::test]
async fn a_user_deleted_and_made_again_does_not_inherit_old_refresh_tokens() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    create_user(&app, "boss", PASSWORD, "admin", None).await;
    create_user(&app, "twin", PASSWORD, "admin", None).await;
    let token = refresh_token(&session(&app, "twin", PASSWORD).await);

    app.admin(request(Method::DELETE, "/users/twin")).await;
    create_user(&app, "twin", PASSWORD, "user", client["id"].as_str()).await;

    refresh(&app, &token).await.assert_problem(401);
}

#[tokio::test]
async fn deleting_a_client_ends_its_customers_sessions() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let id = client["id"].as_str().unwrap();
    create_user(&app, "ana", PASSWORD, "user", Some(id)).await;
    let token = refresh_token(&session(&app, "ana", PASSWORD).await);

    let deleted = app
        .admin(request(Method::DELETE, &format!("/clients/{id}")))
        .await;

    assert_eq!(deleted.status, 204, "{}", deleted.body);
    refresh(&app, &token).await.assert_problem(401);
}

#[tokio::test]
async fn a_password_change_needs_the_current_password_and_revokes_every_session() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    create_user(&app, "ana", PASSWORD, "user", client["id"].as_str()).await;
    let body = session(&app, "ana", PASSWORD).await;
    let access = body["access_token"].as_str().unwrap().to_owned();
    let change = |current: &str, new: &str| {
        app.send(
            request(Method::POST, "/auth/password")
                .bearer(&access)
                .json(&json!({"current_password": current, "new_password": new})),
        )
    };
    let cases = [
        (
            "not my password",
            "a brand new passphrase",
            "/current_password",
        ),
        (PASSWORD, "short", "/new_password"),
        (PASSWORD, "1qaz2wsx3edc", "/new_password"),
        (PASSWORD, "i-am-ana-and-proud", "/new_password"),
    ];
    for (current, new, pointer) in cases {
        let response = change(current, new).await;
        response.assert_problem(422);
        assert_eq!(response.error_pointers(), [pointer], "{}", response.body);
    }

    let changed = change(PASSWORD, "a brand new passphrase").await;

    assert_eq!(changed.status, 204, "{}", changed.body);
    refresh(&app, &refresh_token(&body))
        .await
        .assert_problem(401);
    login(&app, "ana", PASSWORD).await.assert_problem(401);
    assert_eq!(
        login(&app, "ana", "a brand new passphrase").await.status,
        200
    );
    let anonymous = app
        .send(request(Method::POST, "/auth/password").json(&json!({
            "current_password": PASSWORD, "new_password": "another new passphrase"})))
        .await;
    anonymous.assert_problem(401);
}

#[tokio::test]
async fn a_disabled_user_cannot_log_in_and_gets_the_same_401_as_a_wrong_password() {
    let app = TestApp::spawn().await;
    create_user(&app, "boss", PASSWORD, "admin", None).await;
    create_user(&app, "sleepy", PASSWORD, "admin", None).await;
    let disable = app
        .admin(request(Method::PATCH, "/users/sleepy").json(&json!({"disabled": true})))
        .await;
    assert_eq!(disable.status, 200);
    assert_eq!(disable.body["disabled"], true);

    let disabled = login(&app, "sleepy", PASSWORD).await;
    let wrong = login(&app, "boss", "not the password at all").await;

    disabled.assert_problem(401);
    assert_eq!(disabled.body["detail"], wrong.body["detail"]);
    let enable = app
        .admin(request(Method::PATCH, "/users/sleepy").json(&json!({"disabled": false})))
        .await;
    assert_eq!(enable.status, 200);
    assert_eq!(login(&app, "sleepy", PASSWORD).await.status, 200);
}

#[tokio::test]
async fn the_last_enabled_admin_cannot_be_deleted_disabled_or_demoted() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let id = client["id"].as_str().unwrap();
    create_user(&app, "only", PASSWORD, "admin", None).await;
    let attempts = [
        request(Method::DELETE, "/users/only"),
        request(Method::PATCH, "/users/only").json(&json!({"disabled": true})),
        request(Method::PATCH, "/users/only").json(&json!({"role": "user", "client_id": id})),
    ];
    for attempt in attempts {
        app.admin(attempt).await.assert_problem(409);
    }
    assert_eq!(login(&app, "only", PASSWORD).await.status, 200);

    create_user(&app, "second", PASSWORD, "admin", None).await;
    let demoted = app
        .admin(
            request(Method::PATCH, "/users/only").json(&json!({"role": "user", "client_id": id})),
        )
        .await;
    assert_eq!(demoted.status, 200, "{}", demoted.body);
    assert_eq!(demoted.body["client_id"], id);
    app.admin(request(Method::DELETE, "/users/second"))
        .await
        .assert_problem(409);
}

#[tokio::test]
async fn get_and_patch_user_honour_etags_and_validate() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let id = client["id"].as_str().unwrap();
    create_user(&app, "ana", PASSWORD, "user", Some(id)).await;

    let read = app.admin(request(Method::GET, "/users/ana")).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.header("etag"), Some("\"1\""));
    assert_eq!(read.body["disabled"], false);
    assert!(read.body.get("password_hash").is_none());
    app.admin(request(Method::GET, "/users/nobody"))
        .await
        .assert_problem(404);
    let stale = app
        .admin(
            request(Method::PATCH, "/users/ana")
                .header("if-match", "\"7\"")
                .json(&json!({"disabled": true})),
        )
        .await;
    stale.assert_problem(412);
    let missing_client = ulid::Ulid::generate().to_string();
    let invalid = [
        (json!({"role": "owner"}), "/role"),
        (json!({"client_id": missing_client}), "/client_id"),
        (json!({"role": "admin", "client_id": id}), "/client_id"),
        (json!({"client_id": null}), "/client_id"),
        (json!({"password": "ana-secret-passphrase"}), "/password"),
        (json!({"password": "            "}), "/password"),
        (json!({"disabled": true, "superuser": true}), "/superuser"),
    ];
    for (body, pointer) in invalid {
        let response = app
            .admin(request(Method::PATCH, "/users/ana").json(&body))
            .await;
        response.assert_problem(422);
        assert_eq!(
            response.error_pointers(),
            [pointer],
            "{body}: {}",
            response.body
        );
    }
    let promoted = app
        .admin(
            request(Method::PATCH, "/users/ana")
                .header("if-match", "\"1\"")
                .json(&json!({"role": "admin"})),
        )
        .await;
    assert_eq!(promoted.status, 200, "{}", promoted.body);
    assert_eq!(promoted.header("etag"), Some("\"2\""));
    assert_eq!(promoted.body["client_id"], Value::Null);
    let customer = app.customer(id, request(Method::GET, "/users/ana")).await;
    customer.assert_problem(403);
}

#[tokio::test]
async fn new_passwords_follow_the_rules() {
    let app = TestApp::spawn().await;
    let cases = [
        (" ".repeat(12), "all whitespace"),
        ("z".repeat(16), "one character repeated"),
        ("welcome-maria-2026".into(), "contains the username"),
        ("1q2w3e4r5t6y".into(), "a common password"),
    ];
    for (password, why) in cases {
        let body = json!({"username": "maria", "password": password, "role": "admin"});
        let response = app.admin(request(Method::POST, "/users").json(&body)).await;
        response.assert_problem(422);
        assert_eq!(response.error_pointers(), ["/password"], "{why}");
    }
}

#[tokio::test]
async fn refresh_and_logout_make_only_the_calls_they_need() {
    let app = TestApp::spawn().await;
    create_user(&app, "boss", PASSWORD, "admin", None).await;
    let token = refresh_token(&session(&app, "boss", PASSWORD).await);
    app.calls.take();

    let renewed = refresh(&app, &token).await;
    let refresh_calls = app.calls.take();
    let out = logout(&app, &refresh_token(&renewed.body)).await;
    let logout_calls = app.calls.take();

    assert_eq!(renewed.status, 200);
    assert_eq!(refresh_calls, ["GetItem", "GetItem", "TransactWriteItems"]);
    assert_eq!(out.status, 204);
    assert_eq!(logout_calls, ["GetItem", "UpdateItem"]);
}
