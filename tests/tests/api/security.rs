//! OWASP API Security Top 10 (2023), the items about who may do what:
//! API1 object level, API2 authentication, API3 property level, API5 function level.

use api_tests::factories::client_body;
use api_tests::*;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::Method;
use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::{Value, json};

/// Every route that needs a token, with a body where the route takes one.
fn protected_routes(
    client_id: &str,
    loan_id: &str,
) -> Vec<(Handler, Method, String, Option<Value>)> {
    let client = format!("/clients/{client_id}");
    let loan = format!("/loans/{loan_id}");
    let terms = json!({"amount": "1000.00", "annual_interest_rate": "10", "term_months": 6});
    vec![
        (
            loans_handler as Handler,
            Method::POST,
            format!("{client}/loans"),
            Some(terms.clone()),
        ),
        (loans_handler, Method::GET, format!("{client}/loans"), None),
        (loans_handler, Method::GET, "/loans".into(), None),
        (loans_handler, Method::GET, loan.clone(), None),
        (
            loans_handler,
            Method::PUT,
            loan.clone(),
            Some(terms.clone()),
        ),
        (
            loans_handler,
            Method::PATCH,
            loan.clone(),
            Some(json!({"status": "approved"})),
        ),
        (loans_handler, Method::DELETE, loan.clone(), None),
        (loans_handler, Method::GET, format!("{loan}/schedule"), None),
        (loans_handler, Method::POST, "/quotes".into(), Some(terms)),
        (
            clients_handler as Handler,
            Method::GET,
            "/clients".into(),
            None,
        ),
        (
            clients_handler,
            Method::POST,
            "/clients".into(),
            Some(client_body()),
        ),
        (clients_handler, Method::GET, client.clone(), None),
        (
            clients_handler,
            Method::PUT,
            client.clone(),
            Some(client_body()),
        ),
        (
            clients_handler,
            Method::PATCH,
            client.clone(),
            Some(json!({"first_name": "X"})),
        ),
        (clients_handler, Method::DELETE, client, None),
        (auth_handler, Method::GET, "/auth/me".into(), None),
        (auth_handler, Method::GET, "/users".into(), None),
        (
            auth_handler,
            Method::POST,
            "/users".into(),
            Some(
                json!({"username": "intruder", "password": "long enough password", "role": "admin"}),
            ),
        ),
        (auth_handler, Method::DELETE, "/users/someone".into(), None),
    ]
}

fn build(method: Method, uri: &str, body: &Option<Value>) -> TestRequest {
    let req = request(method, uri);
    match body {
        Some(body) => req.json(body),
        None => req,
    }
}

fn claims(now: i64) -> Value {
    json!({"sub": "mallory", "role": "admin", "client_id": null, "iss": "lending-api",
           "aud": "lending-api", "iat": now, "exp": now + 600, "jti": "forged"})
}

fn sign(claims: &Value, secret: &str) -> String {
    encode(
        &Header::default(),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

/// Tokens that must all be refused, each with what is wrong with it.
fn bad_authorizations() -> Vec<(String, &'static str)> {
    let now = chrono::Utc::now().timestamp();
    let with = |key: &str, value: Value| {
        let mut c = claims(now);
        c[key] = value;
        sign(&c, TEST_TOKEN_SECRET)
    };
    let valid = sign(&claims(now), TEST_TOKEN_SECRET);
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims(now).to_string())
    );
    let (head, rest) = valid.split_once('.').unwrap();
    let (_, signature) = rest.split_once('.').unwrap();
    let mut tampered = claims(now);
    tampered["sub"] = json!("someone-else");
    let tampered = format!(
        "{head}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(tampered.to_string())
    );
    vec![
        ("Bearer not-a-jwt".into(), "malformed token"),
        ("Basic YWRtaW46YWRtaW4=".into(), "another scheme"),
        ("Bearer".into(), "no token after the scheme"),
        (format!("Bearer {unsigned}"), "alg none"),
        (
            format!("Bearer {tampered}"),
            "payload changed after signing",
        ),
        (
            format!("Bearer {}", with("exp", json!(now - 3600))),
            "expired",
        ),
        (
            format!("Bearer {}", with("iss", json!("evil"))),
            "wrong issuer",
        ),
        (
            format!("Bearer {}", with("aud", json!("another-api"))),
            "wrong audience",
        ),
        (
            format!("Bearer {}", with("exp", json!((now + 600).to_string()))),
            "exp as a string",
        ),
        (
            format!(
                "Bearer {}",
                sign(&claims(now), "another-secret-of-sufficient-length!!")
            ),
            "signed with another key",
        ),
    ]
}

#[tokio::test]
async fn api2_every_protected_route_refuses_missing_and_bad_tokens_with_401() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let loan = create_loan(&app, client["id"].as_str().unwrap()).await;
    let before = app.all_items().await;

    for (handler, method, uri, body) in
        protected_routes(client["id"].as_str().unwrap(), loan["id"].as_str().unwrap())
    {
        let response = call(&app.app, handler, build(method.clone(), &uri, &body)).await;
        response.assert_problem(401);
        assert_eq!(
            response.header("www-authenticate"),
            Some("Bearer"),
            "{method} {uri}"
        );
        for (authorization, why) in bad_authorizations() {
            let req = build(method.clone(), &uri, &body).header("authorization", &authorization);
            let response = call(&app.app, handler, req).await;
            assert_eq!(
                response.status, 401,
                "{method} {uri} with {why}: {}",
                response.body
            );
            assert_eq!(response.header("www-authenticate"), Some("Bearer"), "{why}");
        }
    }
    assert_eq!(app.all_items().await, before, "nothing changed");
}

#[tokio::test]
async fn api2_a_forged_role_cannot_be_raised() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let token = app.customer_token(client["id"].as_str().unwrap());
    let (head, rest) = token.split_once('.').unwrap();
    let (payload, signature) = rest.split_once('.').unwrap();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    claims["role"] = json!("admin");
    claims["client_id"] = Value::Null;
    let forged = format!(
        "{head}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );

    let response = call(
        &app.app,
        clients_handler,
        request(Method::GET, "/clients").bearer(&forged),
    )
    .await;

    response.assert_problem(401);
}

#[tokio::test]
async fn api5_a_customer_gets_403_on_every_admin_only_operation() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let own = client["id"].as_str().unwrap();
    let loan = create_loan(&app, own).await;
    let loan_id = loan["id"].as_str().unwrap();
    let token = app.customer_token(own);
    let before = app.all_items().await;
    // What the contract lets a customer do; everything else must be 403.
    let customer_may = [
        (Method::GET, format!("/clients/{own}")),
        (Method::GET, "/auth/me".to_owned()),
        (Method::POST, format!("/clients/{own}/loans")),
        (Method::GET, format!("/clients/{own}/loans")),
        (Method::GET, "/loans".to_owned()),
        (Method::GET, format!("/loans/{loan_id}")),
        (Method::GET, format!("/loans/{loan_id}/schedule")),
        (Method::POST, "/quotes".to_owned()),
    ];

    for (handler, method, uri, body) in protected_routes(own, loan_id) {
        if customer_may.contains(&(method.clone(), uri.clone())) {
            continue;
        }
        let response = call(
            &app.app,
            handler,
            build(method.clone(), &uri, &body).bearer(&token),
        )
        .await;
        response.assert_problem(403);
    }
    assert_eq!(app.all_items().await, before, "nothing changed");
}

#[tokio::test]
async fn api1_a_customer_sees_another_clients_loans_and_schedules_as_missing() {
    let app = TestApp::spawn().await;
    let own = create_client(&app).await;
    let other = create_client(&app).await;
    let other_id = other["id"].as_str().unwrap();
    let theirs = create_loan(&app, other_id).await;
    let theirs_id = theirs["id"].as_str().unwrap();
    let token = app.customer_token(own["id"].as_str().unwrap());
    let before = app.all_items().await;
    let missing = ulid::Ulid::generate().to_string();
    let terms = json!({"amount": "1000.00", "annual_interest_rate": "10", "term_months": 6});

    let cases = [
        (
            Method::GET,
            format!("/loans/{theirs_id}"),
            None,
            format!("/loans/{missing}"),
        ),
        (
            Method::GET,
            format!("/loans/{theirs_id}/schedule"),
            None,
            format!("/loans/{missing}/schedule"),
        ),
        (
            Method::PATCH,
            format!("/loans/{theirs_id}"),
            Some(json!({"status": "cancelled"})),
            format!("/loans/{missing}"),
        ),
        (
            Method::GET,
            format!("/clients/{other_id}/loans"),
            None,
            format!("/clients/{missing}/loans"),
        ),
        (
            Method::POST,
            format!("/clients/{other_id}/loans"),
            Some(terms),
            format!("/clients/{missing}/loans"),
        ),
    ];
    for (method, uri, body, missing_uri) in cases {
        let foreign = call(
            &app.app,
            loans_handler,
            build(method.clone(), &uri, &body).bearer(&token),
        )
        .await;
        let absent = call(
            &app.app,
            loans_handler,
            build(method.clone(), &missing_uri, &body).bearer(&token),
        )
        .await;
        foreign.assert_problem(404);
        absent.assert_problem(404);
        for field in ["type", "title", "status", "detail"] {
            assert_eq!(
                foreign.body[field], absent.body[field],
                "{method} {uri}: {field}"
            );
        }
    }
    let listed = call(
        &app.app,
        loans_handler,
        request(Method::GET, &format!("/loans?client_id={other_id}")).bearer(&token),
    )
    .await;
    assert_eq!(
        listed.body["items"],
        json!([]),
        "filtering on another client shows nothing"
    );
    let all = call(
        &app.app,
        loans_handler,
        request(Method::GET, "/loans").bearer(&token),
    )
    .await;
    assert_eq!(
        all.body["items"],
        json!([]),
        "the customer has no loans of its own"
    );
    assert_eq!(app.all_items().await, before, "nothing changed");
}

#[tokio::test]
async fn api1_a_customer_sees_its_own_client_and_another_client_as_missing() {
    let app = TestApp::spawn().await;
    let own = create_client(&app).await;
    let other = create_client(&app).await;
    let token = app.customer_token(own["id"].as_str().unwrap());

    let mine = call(
        &app.app,
        clients_handler,
        request(
            Method::GET,
            &format!("/clients/{}", own["id"].as_str().unwrap()),
        )
        .bearer(&token),
    )
    .await;
    let theirs = call(
        &app.app,
        clients_handler,
        request(
            Method::GET,
            &format!("/clients/{}", other["id"].as_str().unwrap()),
        )
        .bearer(&token),
    )
    .await;
    let missing = call(
        &app.app,
        clients_handler,
        request(Method::GET, &format!("/clients/{}", ulid::Ulid::generate())).bearer(&token),
    )
    .await;

    assert_eq!(mine.status, 200);
    assert_eq!(mine.body, own);
    theirs.assert_problem(404);
    missing.assert_problem(404);
    for field in ["type", "title", "status", "detail"] {
        assert_eq!(
            theirs.body[field], missing.body[field],
            "{field} reveals nothing"
        );
    }
}

#[tokio::test]
async fn api3_server_owned_fields_cannot_be_set() {
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
            .as_admin(
                clients_handler,
                request(Method::PATCH, &uri).json(&json!({field: value})),
            )
            .await;
        response.assert_problem(422);
        assert_eq!(response.error_pointers(), [format!("/{field}")]);
    }
    assert_eq!(app.all_items().await, before);
}

#[tokio::test]
async fn api3_password_hashes_never_appear_in_responses_or_logs() {
    let logs = LogCapture::start();
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let password = "a very secret passphrase";

    let created = create_user(&app, "hashless", password, "user", client["id"].as_str()).await;
    let token = login(&app, "hashless", password).await;
    login(&app, "hashless", "wrong passphrase!!").await;
    let listed = app
        .as_admin(auth_handler, request(Method::GET, "/users"))
        .await;
    let me = call(
        &app.app,
        auth_handler,
        request(Method::GET, "/auth/me").bearer(token.body["access_token"].as_str().unwrap()),
    )
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
