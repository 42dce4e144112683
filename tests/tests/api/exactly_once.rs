//! Exactly-once creates when the database stalls mid-request.
//!
//! A proxy in front of DynamoDB Local is paused a few milliseconds into a creating
//! request, so that some DynamoDB call is in flight, and resumed once the API has
//! answered (a `503` after the SDK's timeouts, or a success if the request was quicker).
//! Whatever was in flight is then delivered: a write the API gave up on may still
//! commit. The caller retries with the same `Idempotency-Key`, as the `503` tells it to,
//! until it gets a final answer. At every offset into the request there must then be
//! exactly one resource, and it must be the one the final answer describes.
//!
//! Only the stalled request runs with timeouts short enough to give up on a stall; the
//! retries, the set-up and the inspection go straight to DynamoDB Local with the
//! standard ones, so that a database slowed by a loaded machine cannot fail the test.

use std::time::Duration;

use api_tests::factories::{client_body, loan_body};
use api_tests::faults::Faults;
use api_tests::outage::Switch;
use api_tests::*;
use http::Method;
use serde_json::json;
use shared::auth::{Caller, Role};

/// How far into the request the database stalls, in milliseconds: from before the first
/// call (claiming the key) to well after the last (the transaction).
const OFFSETS_MS: [u64; 9] = [0, 2, 4, 7, 10, 15, 20, 27, 35];

/// The longest a retrying caller keeps at it before the test gives up.
const RETRY_BUDGET: Duration = Duration::from_secs(20);

/// Sends `post()` through `app` with the database stalling `offset_ms` into it, then
/// retries it through `patient` until the answer is neither `503` (retry) nor `409` (the
/// first attempt's claim is still leased). Returns the first and the final answer.
async fn stall_then_retry(
    app: &TestApp,
    patient: &TestApp,
    switch: &Switch,
    handler: Handler,
    offset_ms: u64,
    post: impl Fn() -> TestRequest,
) -> (TestResponse, TestResponse) {
    let (first, ()) = tokio::join!(app.as_admin(handler, post()), async {
        tokio::time::sleep(Duration::from_millis(offset_ms)).await;
        switch.pause();
    });
    switch.resume();
    let started = tokio::time::Instant::now();
    loop {
        let retry = patient.as_admin(handler, post()).await;
        let again = matches!(retry.status.as_u16(), 409 | 503);
        if !again || started.elapsed() > RETRY_BUDGET {
            return (first, retry);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The ids of the stored items whose sort key passes `sort_key` and whose `field` is
/// `value`.
async fn ids_where(
    app: &TestApp,
    sort_key: impl Fn(&str) -> bool,
    field: &str,
    value: &str,
) -> Vec<String> {
    app.all_items()
        .await
        .into_iter()
        .filter(|item| {
            let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
            text("SK").is_some_and(|sk| sort_key(&sk)) && text(field).as_deref() == Some(value)
        })
        .filter_map(|item| item.get("id").and_then(|v| v.as_s().ok()).cloned())
        .collect()
}

#[tokio::test]
async fn a_client_create_retried_with_its_key_after_a_stall_exists_exactly_once_at_every_offset() {
    let switch = Switch::start(TestApp::upstream()).await;
    let app = TestApp::spawn_impatient(&switch.endpoint).await;
    let patient = app.patient_twin().await;
    for offset in OFFSETS_MS {
        let body = client_body();
        let key = format!("client-after-{offset}ms");
        let post = || {
            request(Method::POST, "/clients")
                .json(&body)
                .header("idempotency-key", &key)
        };

        let (first, last) =
            stall_then_retry(&app, &patient, &switch, clients_handler, offset, post).await;

        assert_eq!(last.status, 201, "offset {offset} ms: {}", last.body);
        let email = body["email"].as_str().unwrap();
        let clients = ids_where(&patient, |sk| sk == "CLIENT", "email", email).await;
        assert_eq!(
            clients,
            [last.body["id"].as_str().unwrap()],
            "offset {offset} ms (first answer {}): one client, the one the retry describes",
            first.status
        );
    }
}

#[tokio::test]
async fn a_loan_application_retried_with_its_key_after_a_stall_exists_exactly_once_at_every_offset()
{
    let switch = Switch::start(TestApp::upstream()).await;
    let app = TestApp::spawn_impatient(&switch.endpoint).await;
    let patient = app.patient_twin().await;
    for offset in OFFSETS_MS {
        let client = create_client(&patient).await;
        let client_id = client["id"].as_str().unwrap();
        let uri = format!("/clients/{client_id}/loans");
        let body = loan_body();
        let key = format!("loan-after-{offset}ms");
        let post = || {
            request(Method::POST, &uri)
                .json(&body)
                .header("idempotency-key", &key)
        };

        let (first, last) =
            stall_then_retry(&app, &patient, &switch, loans_handler, offset, post).await;

        assert_eq!(last.status, 201, "offset {offset} ms: {}", last.body);
        let of_client = ids_where(
            &patient,
            |sk| sk.starts_with("LOAN#"),
            "client_id",
            client_id,
        )
        .await;
        assert_eq!(
            of_client,
            [last.body["id"].as_str().unwrap()],
            "offset {offset} ms (first answer {}): one loan, the one the retry describes",
            first.status
        );
    }
}

/// Counts the stored items whose sort key passes `sort_key`.
async fn count(app: &TestApp, sort_key: impl Fn(&str) -> bool) -> usize {
    app.all_items()
        .await
        .iter()
        .filter(|item| {
            item.get("SK")
                .and_then(|v| v.as_s().ok())
                .is_some_and(|sk| sort_key(sk))
        })
        .count()
}

#[tokio::test]
async fn a_create_whose_every_answer_is_lost_is_replayed_by_its_retry_never_repeated() {
    let faults = Faults::default();
    let app = TestApp::spawn_with(None, &faults).await;
    let client = create_client(&app).await;
    let client_id = client["id"].as_str().unwrap().to_owned();
    let user = json!({"username": "teller", "password": "correct horse battery staple",
                      "role": "user", "client_id": client_id});
    let cases: [(Handler, String, serde_json::Value, &str); 3] = [
        (clients_handler, "/clients".into(), client_body(), "CLIENT"),
        (
            loans_handler,
            format!("/clients/{client_id}/loans"),
            loan_body(),
            "LOAN#",
        ),
        (auth_handler, "/users".into(), user, "USER"),
    ];
    for (handler, uri, body, sort_key) in cases {
        let post = || {
            request(Method::POST, &uri)
                .json(&body)
                .header("idempotency-key", &format!("lost-answers-{sort_key}"))
        };
        // "LOAN#" is a prefix; "CLIENT" and "USER" are whole sort keys.
        let counted =
            |sk: &str| sk == sort_key || (sort_key.ends_with('#') && sk.starts_with(sort_key));
        let before = count(&app, counted).await;

        // Every attempt the SDK makes commits (or, with the same token, is recognised as
        // committed), and every answer is lost: the API cannot know the outcome.
        faults.lose_responses("TransactWriteItems", 3);
        let first = app.as_admin(handler, post()).await;
        faults.clear();
        let retry = app.as_admin(handler, post()).await;

        first.assert_problem(503);
        assert_eq!(retry.status, 201, "{uri}: {}", retry.body);
        assert_eq!(retry.header("idempotent-replayed"), Some("true"), "{uri}");
        let after = count(&app, counted).await;
        assert_eq!(after, before + 1, "{uri}: exactly one was created");
    }
}

#[tokio::test]
async fn a_transaction_the_sdk_retries_after_it_committed_is_answered_as_a_success() {
    let faults = Faults::default();
    let app = TestApp::spawn_with(None, &faults).await;
    let client = create_client(&app).await;
    let uri = format!("/clients/{}/loans", client["id"].as_str().unwrap());

    // The first attempt commits and its answer is lost; the SDK sends the same
    // transaction again, with the same token, and DynamoDB answers that it is done.
    faults.lose_responses("TransactWriteItems", 1);
    let applied = app
        .admin(request(Method::POST, &uri).json(&loan_body()))
        .await;
    faults.lose_responses("TransactWriteItems", 1);
    let loan_uri = format!("/loans/{}", applied.body["id"].as_str().unwrap_or_default());
    let approved = app
        .admin(request(Method::PATCH, &loan_uri).json(&json!({"status": "approved"})))
        .await;

    assert_eq!(applied.status, 201, "{}", applied.body);
    assert_eq!(count(&app, |sk| sk.starts_with("LOAN#")).await, 1);
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert_eq!(approved.body["status"], "approved");
    assert_eq!(approved.body["version"], 2, "applied once, not twice");
}

#[tokio::test]
async fn every_transaction_carries_a_client_request_token_of_its_own() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let id = client["id"].as_str().unwrap();
    let loan = create_loan(&app, id).await;
    let loan_uri = format!("/loans/{}", loan["id"].as_str().unwrap());
    // A second given name, so the patch always changes the client and writes: a fixed
    // name would sometimes be the one the factory drew, and then no transaction is made.
    let renamed = format!("{} Ana", client["first_name"].as_str().unwrap());
    create_user(
        &app,
        "teller",
        "correct horse battery staple",
        "user",
        Some(id),
    )
    .await;
    let writes: [(Handler, Method, String, Option<serde_json::Value>); 5] = [
        (
            clients_handler,
            Method::PATCH,
            format!("/clients/{id}"),
            Some(json!({"first_name": renamed})),
        ),
        (
            loans_handler,
            Method::PATCH,
            loan_uri.clone(),
            Some(json!({"status": "cancelled"})),
        ),
        (loans_handler, Method::DELETE, loan_uri, None),
        (
            auth_handler,
            Method::DELETE,
            "/users/teller".to_owned(),
            None,
        ),
        (
            clients_handler,
            Method::DELETE,
            format!("/clients/{id}"),
            None,
        ),
    ];
    for (handler, method, uri, body) in writes {
        let mut call = request(method.clone(), &uri);
        if let Some(body) = &body {
            call = call.json(body);
        }
        let response = app.as_admin(handler, call).await;
        assert!(
            response.status.is_success(),
            "{method} {uri}: {}",
            response.body
        );
    }

    let tokens = app.calls.transaction_tokens();
    assert!(
        tokens.len() >= 5,
        "client, loan and user creates, their changes and deletes: {tokens:?}"
    );
    assert!(
        tokens.iter().all(|t| !t.is_empty() && t.len() <= 36),
        "{tokens:?}"
    );
    let distinct: std::collections::HashSet<&String> = tokens.iter().collect();
    assert_eq!(
        distinct.len(),
        tokens.len(),
        "no two writes share a token: {tokens:?}"
    );
}

#[tokio::test]
async fn a_replay_goes_only_to_a_caller_that_may_make_the_request_now() {
    let app = TestApp::spawn().await;
    let (a, b) = (create_client(&app).await, create_client(&app).await);
    let (a, b) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let body =
        api_tests::loan::application(&api_tests::loan::create_product(&app, &json!({})).await);
    let as_customer_of = |client: &str, path_client: &str| {
        let token = app.token_for(&Caller {
            username: "ana".into(),
            role: Role::User,
            client_id: Some(client_id(client)),
        });
        app.send(
            request(Method::POST, &format!("/clients/{path_client}/loans"))
                .json(&body)
                .header("idempotency-key", "ana-1")
                .bearer(&token),
        )
    };
    let admin_post = |token: String| {
        app.send(
            request(Method::POST, "/clients")
                .json(&client_body())
                .header("idempotency-key", "shared-key")
                .bearer(&token),
        )
    };

    let first = as_customer_of(a, a).await;
    // "ana" is deleted and created again, bound to client B: its new token may not
    // apply for A, and its own applications start afresh.
    let other_client = as_customer_of(b, a).await;
    let own_client = as_customer_of(b, b).await;
    let admin = admin_post(app.admin_token()).await;
    let demoted = admin_post(app.token_for(&Caller {
        username: "test-admin".into(),
        role: Role::User,
        client_id: Some(client_id(a)),
    }))
    .await;

    assert_eq!(first.status, 201, "{}", first.body);
    other_client.assert_problem(404);
    assert_eq!(own_client.status, 201, "{}", own_client.body);
    assert_eq!(own_client.header("idempotent-replayed"), None);
    assert_ne!(own_client.body["id"], first.body["id"]);
    assert_eq!(admin.status, 201);
    demoted.assert_problem(403);
}
