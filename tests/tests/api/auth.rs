//! Login, `/auth/me` and user administration.

use api_tests::*;
use http::Method;
use serde_json::json;

const PASSWORD: &str = "correct horse battery staple";

#[tokio::test]
async fn login_with_right_credentials_returns_a_bearer_token_that_works() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let client_id = client["id"].as_str().unwrap();
    create_user(&app, "Ana.Lopez", PASSWORD, "user", Some(client_id)).await;

    let response = login(&app, "ana.lopez", PASSWORD).await;

    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.body["token_type"], "Bearer");
    assert_eq!(response.body["expires_in"], 300);
    let token = response.body["access_token"].as_str().unwrap();
    let me = app
        .send(request(Method::GET, "/auth/me").bearer(token))
        .await;
    assert_eq!(me.status, 200);
    assert_eq!(
        me.body,
        json!({"username": "ana.lopez", "role": "user", "client_id": client_id})
    );
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_identical_401s() {
    let app = TestApp::spawn().await;
    create_user(&app, "root2", PASSWORD, "admin", None).await;

    let attempt = |username: &'static str| {
        let body = json!({"username": username, "password": "not the password"});
        app.send(
            request(Method::POST, "/auth/login")
                .json(&body)
                .header("x-request-id", "same-id"),
        )
    };
    let wrong_password = attempt("root2").await;
    let unknown_user = attempt("nobody-here").await;

    wrong_password.assert_problem(401);
    unknown_user.assert_problem(401);
    assert_eq!(wrong_password.body, unknown_user.body);
    assert_eq!(wrong_password.header("www-authenticate"), Some("Bearer"));
}

#[tokio::test]
async fn login_rejects_malformed_requests() {
    let app = TestApp::spawn().await;
    let cases = [
        (json!({"username": "a"}), 422, "no password"),
        (
            json!({"username": "a", "password": "b", "remember": true}),
            422,
            "unknown field",
        ),
        (
            json!({"username": "a".repeat(65), "password": "b"}),
            422,
            "username too long",
        ),
        (
            json!({"username": "a", "password": "b".repeat(129)}),
            422,
            "password too long",
        ),
    ];
    for (body, status, why) in cases {
        let response = app
            .send(request(Method::POST, "/auth/login").json(&body))
            .await;
        assert_eq!(response.status.as_u16(), status, "{why}: {}", response.body);
    }
    let get = app.send(request(Method::GET, "/auth/login")).await;
    get.assert_problem(405);
    assert_eq!(get.header("allow"), Some("POST"));
}

#[tokio::test]
async fn create_user_validates_every_field() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let client_id = client["id"].as_str().unwrap();
    let missing_client = ulid::Ulid::generate().to_string();
    let cases = [
        (
            json!({"username": "ok-name", "password": "short", "role": "user", "client_id": client_id}),
            "/password",
            "password under 12",
        ),
        (
            json!({"username": "ok-name", "password": PASSWORD, "role": "owner", "client_id": null}),
            "/role",
            "unknown role",
        ),
        (
            json!({"username": "no spaces", "password": PASSWORD, "role": "admin"}),
            "/username",
            "bad username",
        ),
        (
            json!({"username": "ok-name", "password": PASSWORD, "role": "user"}),
            "/client_id",
            "user without client",
        ),
        (
            json!({"username": "ok-name", "password": PASSWORD, "role": "user", "client_id": missing_client}),
            "/client_id",
            "user of a missing client",
        ),
        (
            json!({"username": "ok-name", "password": PASSWORD, "role": "admin", "client_id": client_id}),
            "/client_id",
            "admin bound to a client",
        ),
        (
            json!({"username": "ok-name", "password": PASSWORD, "role": "admin", "is_superuser": true}),
            "/is_superuser",
            "unknown field",
        ),
    ];
    for (body, pointer, why) in cases {
        let response = app.admin(request(Method::POST, "/users").json(&body)).await;
        response.assert_problem(422);
        assert_eq!(
            response.error_pointers(),
            [pointer],
            "{why}: {}",
            response.body
        );
    }
    assert_eq!(
        app.all_items().await.len(),
        3,
        "only the client and its guards"
    );
}

#[tokio::test]
async fn create_user_returns_201_without_the_hash_and_409_for_a_taken_username() {
    let app = TestApp::spawn().await;
    let created = create_user(&app, "Maria", PASSWORD, "admin", None).await;
    assert_eq!(created["username"], "maria");
    assert_eq!(created["role"], "admin");
    assert!(created.get("password").is_none() && created.get("password_hash").is_none());

    let again = json!({"username": "MARIA", "password": PASSWORD, "role": "admin"});
    let response = app
        .admin(request(Method::POST, "/users").json(&again))
        .await;
    response.assert_problem(409);
}

#[tokio::test]
async fn list_users_pages_newest_first() {
    let app = TestApp::spawn().await;
    for name in ["first", "second", "third"] {
        create_user(&app, name, PASSWORD, "admin", None).await;
    }
    let page = app.admin(request(Method::GET, "/users?limit=2")).await;
    assert_eq!(page.status, 200);
    let names: Vec<&str> = page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["third", "second"]);
    let cursor = page.body["next_cursor"].as_str().unwrap();
    let rest = app
        .admin(request(
            Method::GET,
            &format!("/users?limit=2&cursor={cursor}"),
        ))
        .await;
    assert_eq!(rest.body["items"][0]["username"], "first");
    assert!(rest.body["next_cursor"].is_null());
}

#[tokio::test]
async fn delete_user_returns_204_then_404_and_the_user_can_no_longer_log_in() {
    let app = TestApp::spawn().await;
    create_user(&app, "stayer", PASSWORD, "admin", None).await;
    create_user(&app, "leaver", PASSWORD, "admin", None).await;
    let token = login(&app, "leaver", PASSWORD).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let deleted = app.admin(request(Method::DELETE, "/users/leaver")).await;
    let again = app.admin(request(Method::DELETE, "/users/leaver")).await;

    assert_eq!(deleted.status, 204);
    again.assert_problem(404);
    login(&app, "leaver", PASSWORD).await.assert_problem(401);
    // Access tokens are not looked up: one issued before the deletion keeps working until
    // it expires (at most 5 minutes), the documented bound; its refresh token is dead.
    let me = app
        .send(request(Method::GET, "/auth/me").bearer(&token))
        .await;
    assert_eq!(me.status, 200);
}

#[tokio::test]
async fn an_admin_cannot_delete_its_own_account() {
    let app = TestApp::spawn().await;
    create_user(&app, "solo", PASSWORD, "admin", None).await;
    let token = login(&app, "solo", PASSWORD).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = app
        .send(request(Method::DELETE, "/users/solo").bearer(&token))
        .await;
    response.assert_problem(409);
}
