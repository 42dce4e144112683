//! `Idempotency-Key` on every creating `POST`: retries replay, never duplicate.

use api_tests::factories::{client_body, loan_body};
use api_tests::*;
use futures::future::join_all;
use http::Method;
use serde_json::json;
use shared::auth::{Caller, Role};

fn count(
    items: &[std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>],
    sk_prefix: &str,
) -> usize {
    items
        .iter()
        .filter(|item| {
            item.get("SK")
                .and_then(|v| v.as_s().ok())
                .is_some_and(|sk| sk.starts_with(sk_prefix))
        })
        .count()
}

#[tokio::test]
async fn a_retried_client_create_replays_the_first_response_and_creates_one_client() {
    let app = TestApp::spawn().await;
    let body = client_body();
    let post = || {
        request(Method::POST, "/clients")
            .json(&body)
            .header("idempotency-key", "client-0001")
    };

    let first = app.admin(post()).await;
    let retry = app.admin(post()).await;

    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(retry.status, 201);
    assert_eq!(retry.body, first.body);
    assert_eq!(retry.header("location"), first.header("location"));
    assert_eq!(retry.header("etag"), first.header("etag"));
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(count(&app.all_items().await, "CLIENT"), 1);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_422_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let first = app
        .admin(
            request(Method::POST, "/clients")
                .json(&client_body())
                .header("idempotency-key", "k1"),
        )
        .await;
    let other = app
        .admin(
            request(Method::POST, "/clients")
                .json(&client_body())
                .header("idempotency-key", "k1"),
        )
        .await;

    assert_eq!(first.status, 201);
    other.assert_problem(422);
    assert_eq!(other.error_pointers(), ["#/header/Idempotency-Key"]);
    assert_eq!(count(&app.all_items().await, "CLIENT"), 1);
}

#[tokio::test]
async fn keys_are_scoped_to_the_caller() {
    let app = TestApp::spawn().await;
    let other_admin = app.token_for(&Caller {
        username: "second-admin".into(),
        role: Role::Admin,
        client_id: None,
    });
    let client = create_client(&app).await;
    let uri = format!("/clients/{}/loans", client["id"].as_str().unwrap());
    let body = loan_body();

    let mine = app
        .admin(
            request(Method::POST, &uri)
                .json(&body)
                .header("idempotency-key", "same"),
        )
        .await;
    let theirs = app
        .send(
            request(Method::POST, &uri)
                .json(&body)
                .header("idempotency-key", "same")
                .bearer(&other_admin),
        )
        .await;

    assert_eq!((mine.status.as_u16(), theirs.status.as_u16()), (201, 201));
    assert_ne!(mine.body["id"], theirs.body["id"], "two callers, two loans");
}

#[tokio::test]
async fn malformed_keys_are_400_and_change_nothing() {
    let app = TestApp::spawn().await;
    let long = "k".repeat(256);
    let cases = [
        ("", "empty"),
        (long.as_str(), "256 characters"),
        ("has space", "a space"),
        ("tab\there", "a tab"),
    ];
    for (key, why) in cases {
        let response = app
            .admin(
                request(Method::POST, "/clients")
                    .json(&client_body())
                    .header("idempotency-key", key),
            )
            .await;
        assert_eq!(response.status, 400, "{why}: {}", response.body);
    }
    let longest = "k".repeat(255);
    let ok = app
        .admin(
            request(Method::POST, "/clients")
                .json(&client_body())
                .header("idempotency-key", &longest),
        )
        .await;
    assert_eq!(ok.status, 201, "255 visible characters are fine");
    assert_eq!(count(&app.all_items().await, "CLIENT"), 1);
}

#[tokio::test]
async fn a_failed_request_releases_its_key() {
    let app = TestApp::spawn().await;
    let mut bad = client_body();
    bad["email"] = json!("not an email");
    let good = client_body();

    let failed = app
        .admin(
            request(Method::POST, "/clients")
                .json(&bad)
                .header("idempotency-key", "fix-and-retry"),
        )
        .await;
    let fixed = app
        .admin(
            request(Method::POST, "/clients")
                .json(&good)
                .header("idempotency-key", "fix-and-retry"),
        )
        .await;

    failed.assert_problem(422);
    assert_eq!(fixed.status, 201, "{}", fixed.body);
}

#[tokio::test]
async fn twenty_parallel_creates_with_one_key_create_one_loan() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let uri = format!("/clients/{}/loans", client["id"].as_str().unwrap());
    let body = loan_body();

    let responses = join_all((0..20).map(|_| {
        app.admin(
            request(Method::POST, &uri)
                .json(&body)
                .header("idempotency-key", "burst"),
        )
    }))
    .await;

    let created: Vec<_> = responses.iter().filter(|r| r.status == 201).collect();
    let in_progress = responses.iter().filter(|r| r.status == 409).count();
    assert_eq!(
        created.len() + in_progress,
        20,
        "only replays and in-progress conflicts"
    );
    assert!(
        created
            .iter()
            .all(|r| r.body["id"] == created[0].body["id"]),
        "every 201 is the same loan"
    );
    assert_eq!(
        count(&app.all_items().await, "LOAN#"),
        1,
        "exactly one loan"
    );
}

#[tokio::test]
async fn a_claim_abandoned_mid_way_can_be_retried_once_its_lease_expires() {
    let app = TestApp::spawn().await;
    let body = client_body();
    let post = || {
        request(Method::POST, "/clients")
            .json(&body)
            .header("idempotency-key", "crashed")
    };
    // The first attempt claims the key and then "dies": simulate it by claiming the key
    // the way the handler does, and never completing it.
    let first = app.admin(post()).await;
    assert_eq!(first.status, 201);
    let record_items: Vec<_> = app
        .all_items()
        .await
        .into_iter()
        .filter(|item| {
            item.get("SK")
                .and_then(|v| v.as_s().ok())
                .is_some_and(|sk| sk == "IDEMPOTENCY")
        })
        .collect();
    let pk = record_items[0]["PK"].as_s().unwrap().clone();
    let client = app.store().client();
    let hash = record_items[0]["request_hash"].clone();
    let abandon = |lease: i64| {
        client
            .put_item()
            .table_name(&app.table)
            .item("PK", aws_sdk_dynamodb::types::AttributeValue::S(pk.clone()))
            .item(
                "SK",
                aws_sdk_dynamodb::types::AttributeValue::S("IDEMPOTENCY".into()),
            )
            .item("request_hash", hash.clone())
            .item(
                "lease_expires",
                aws_sdk_dynamodb::types::AttributeValue::N(lease.to_string()),
            )
            .item(
                "expires_at",
                aws_sdk_dynamodb::types::AttributeValue::N(
                    (chrono::Utc::now().timestamp() + 3600).to_string(),
                ),
            )
            .send()
    };
    let now = chrono::Utc::now().timestamp();
    // Delete the client the first attempt made, so the retry can make it again.
    let id = first.body["id"].as_str().unwrap();
    assert_eq!(
        app.admin(request(Method::DELETE, &format!("/clients/{id}")))
            .await
            .status,
        204
    );

    abandon(now + 30).await.unwrap();
    let while_leased = app.admin(post()).await;
    abandon(now - 1).await.unwrap();
    let after_lease = app.admin(post()).await;

    while_leased.assert_problem(409);
    assert_eq!(after_lease.status, 201, "{}", after_lease.body);
}
