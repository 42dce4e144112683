//! API2, broken authentication: every protected route refuses a missing, malformed,
//! forged or expired token with `401`.

use api_tests::*;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::Method;
use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::{Value, json};

use super::{build, protected_routes};

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
async fn every_protected_route_refuses_missing_and_bad_tokens_with_401() {
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
async fn a_forged_role_cannot_be_raised() {
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

    let response = app
        .send(request(Method::GET, "/clients").bearer(&forged))
        .await;

    response.assert_problem(401);
}
