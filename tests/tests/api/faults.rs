//! A failing database: outages, throttling and transaction conflicts give `503` or `409`
//! Problem Details (a conflict only once the SDK's retries are spent), lose nothing, and
//! the API recovers without a restart.

use api_tests::factories::client_body;
use api_tests::faults::Faults;
use api_tests::outage::Switch;
use api_tests::*;
use http::Method;
use serde_json::json;

fn assert_unavailable(response: &TestResponse) {
    response.assert_problem(503);
    assert!(
        response.header("retry-after").is_some(),
        "503 carries Retry-After"
    );
    let text = response.body.to_string();
    for internal in [
        "dispatch",
        "connection",
        "127.0.0.1",
        "DynamoDB",
        "Exception",
        "timeout",
    ] {
        assert!(
            !text.contains(internal),
            "the body reveals {internal:?}: {text}"
        );
    }
}

#[tokio::test]
async fn an_outage_gives_503s_and_the_api_recovers_with_nothing_lost() {
    let switch = Switch::start(TestApp::upstream()).await;
    let app = TestApp::spawn_with(Some(&switch.endpoint), &Faults::default()).await;
    let before = app
        .admin(request(Method::POST, "/clients").json(&client_body()))
        .await;
    assert_eq!(before.status, 201);
    let uri = format!("/clients/{}", before.body["id"].as_str().unwrap());

    switch.down().await;
    let read = app.admin(request(Method::GET, &uri)).await;
    let write = app
        .admin(request(Method::POST, "/clients").json(&client_body()))
        .await;
    let update = app
        .admin(request(Method::PATCH, &uri).json(&json!({"first_name": "Lost"})))
        .await;
    let login = login(&app, "admin", "any password at all").await;
    switch.up();
    let after = app.admin(request(Method::GET, &uri)).await;
    let listed = app.admin(request(Method::GET, "/clients")).await;

    for response in [&read, &write, &update, &login] {
        assert_unavailable(response);
    }
    assert_eq!(
        after.status, 200,
        "recovered without a new client: {}",
        after.body
    );
    assert_eq!(
        after.body, before.body,
        "written before the outage, unchanged by it"
    );
    assert_eq!(
        listed.body["items"].as_array().unwrap().len(),
        1,
        "nothing half-written"
    );
}

#[tokio::test]
async fn throttling_past_the_retries_is_503_and_changes_nothing() {
    let faults = Faults::default();
    let app = TestApp::spawn_with(None, &faults).await;
    let client = create_client(&app).await;
    let uri = format!("/clients/{}", client["id"].as_str().unwrap());
    let before = app.all_items().await;

    faults.throttle("GetItem");
    faults.throttle("TransactWriteItems");
    faults.throttle("Query");
    let read = app.admin(request(Method::GET, &uri)).await;
    let write = app
        .admin(request(Method::POST, "/clients").json(&client_body()))
        .await;
    let list = app.admin(request(Method::GET, "/loans")).await;
    let attempts = app.calls.take();
    faults.clear();

    for response in [&read, &write, &list] {
        assert_unavailable(response);
    }
    assert_eq!(app.all_items().await, before);
    assert!(!attempts.is_empty());
    let again = app.admin(request(Method::GET, &uri)).await;
    assert_eq!(again.status, 200, "throttling over, service back");
}

/// Every attempt the SDK makes at one operation.
const EVERY_ATTEMPT: usize = shared::store::connect::MAX_ATTEMPTS as usize;

/// Creates a client (a transaction of 3 items), then applies for a loan for `client_id`
/// (2 items), the first `conflicts` attempts of each cancelled by a conflicting transaction.
async fn create_and_apply(
    app: &TestApp,
    faults: &Faults,
    client_id: &str,
    conflicts: usize,
) -> (TestResponse, TestResponse) {
    faults.transaction_conflict(3, conflicts);
    let create = app
        .admin(request(Method::POST, "/clients").json(&client_body()))
        .await;
    faults.clear();
    faults.transaction_conflict(2, conflicts);
    let apply = app
        .admin(
            request(Method::POST, &format!("/clients/{client_id}/loans")).json(
                &json!({"amount": "1000.00", "annual_interest_rate": "10", "term_months": 6}),
            ),
        )
        .await;
    faults.clear();
    (create, apply)
}

#[tokio::test]
async fn a_transaction_conflict_that_outlasts_the_retries_is_409_and_writes_nothing() {
    let faults = Faults::default();
    let app = TestApp::spawn_with(None, &faults).await;
    let client = create_client(&app).await;
    let client_id = client["id"].as_str().unwrap();
    let before = app.all_items().await;

    let (create, apply) = create_and_apply(&app, &faults, client_id, EVERY_ATTEMPT).await;

    for response in [&create, &apply] {
        response.assert_problem(409);
        assert!(
            response.body["detail"].as_str().unwrap().contains("retry"),
            "{}",
            response.body
        );
    }
    assert_eq!(app.all_items().await, before, "nothing written");
}

#[tokio::test]
async fn a_passing_transaction_conflict_is_retried_and_the_write_lands_once() {
    let faults = Faults::default();
    let app = TestApp::spawn_with(None, &faults).await;
    let client = create_client(&app).await;
    let client_id = client["id"].as_str().unwrap();

    // DynamoDB cancels every attempt of each but the last; the SDK tries again.
    let (create, apply) = create_and_apply(&app, &faults, client_id, EVERY_ATTEMPT - 1).await;

    assert_eq!(create.status, 201, "{}", create.body);
    assert_eq!(apply.status, 201, "{}", apply.body);
    let loans = app
        .admin(request(Method::GET, &format!("/clients/{client_id}/loans")))
        .await;
    assert_eq!(loans.body["items"].as_array().unwrap().len(), 1, "one loan");
    let clients = app.admin(request(Method::GET, "/clients")).await;
    assert_eq!(
        clients.body["items"].as_array().unwrap().len(),
        2,
        "one new client"
    );
}

#[tokio::test]
async fn an_update_that_keeps_meeting_a_transaction_conflict_is_409_and_keeps_the_old_version() {
    let faults = Faults::default();
    let app = TestApp::spawn_with(None, &faults).await;
    let client = create_client(&app).await;
    let uri = format!("/clients/{}", client["id"].as_str().unwrap());

    faults.transaction_conflict(1, EVERY_ATTEMPT);
    let update = app
        .admin(request(Method::PATCH, &uri).json(&json!({"first_name": "Conflicted"})))
        .await;
    let stored = app.admin(request(Method::GET, &uri)).await;

    update.assert_problem(409);
    assert_eq!(stored.body, client);
}
