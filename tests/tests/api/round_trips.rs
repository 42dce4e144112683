//! DynamoDB round trips per API operation, counted through an SDK interceptor: each
//! operation makes the fewest calls the key design allows.

use api_tests::factories::client_body;
use api_tests::*;
use http::Method;
use serde_json::json;

#[tokio::test]
async fn each_operation_makes_the_minimum_number_of_dynamodb_calls() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let client_id = client["id"].as_str().unwrap().to_owned();
    let loan = create_loan(&app, &client_id).await;
    let loan_id = loan["id"].as_str().unwrap().to_owned();
    app.calls.take();
    let terms = json!({"amount": "5000.00", "annual_interest_rate": "10", "term_months": 6});

    let cases: Vec<(Handler, TestRequest, u16, &[&str])> = vec![
        (
            clients_handler,
            request(Method::GET, &format!("/clients/{client_id}")),
            200,
            &["GetItem"],
        ),
        (
            clients_handler,
            request(Method::GET, "/clients"),
            200,
            &["Query"],
        ),
        (
            clients_handler,
            request(Method::POST, "/clients").json(&client_body()),
            201,
            &["TransactWriteItems"],
        ),
        (
            loans_handler,
            request(Method::GET, &format!("/loans/{loan_id}")),
            200,
            &["Query"],
        ),
        (
            loans_handler,
            request(Method::GET, &format!("/loans/{loan_id}/schedule")),
            200,
            &["Query"],
        ),
        (
            loans_handler,
            request(Method::GET, "/loans"),
            200,
            &["Query"],
        ),
        (
            loans_handler,
            request(Method::GET, "/loans?status=pending"),
            200,
            &["Query"],
        ),
        (
            loans_handler,
            request(Method::GET, &format!("/clients/{client_id}/loans")),
            200,
            &["Query"],
        ),
        (
            loans_handler,
            request(Method::POST, &format!("/clients/{client_id}/loans")).json(&terms),
            201,
            &["TransactWriteItems"],
        ),
        // A write locates the loan by id, reads it consistently, then writes conditionally.
        (
            loans_handler,
            request(Method::PATCH, &format!("/loans/{loan_id}"))
                .json(&json!({"status": "approved"})),
            200,
            &["Query", "GetItem", "PutItem"],
        ),
        (
            loans_handler,
            request(Method::POST, "/quotes").json(&terms),
            200,
            &[],
        ),
        (auth_handler, request(Method::GET, "/auth/me"), 200, &[]),
        (
            auth_handler,
            request(Method::GET, "/users"),
            200,
            &["Query"],
        ),
    ];
    for (handler, req, status, expected) in cases {
        let response = app.as_admin(handler, req).await;
        assert_eq!(response.status.as_u16(), status, "{}", response.body);
        assert_eq!(app.calls.take(), expected, "{}", response.body);
    }
}

#[tokio::test]
async fn a_client_and_all_its_loans_come_back_in_one_query() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let client_id = client["id"].as_str().unwrap();
    let mut loan_ids = Vec::new();
    for _ in 0..3 {
        loan_ids.push(
            create_loan(&app, client_id).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    create_loan(&app, create_client(&app).await["id"].as_str().unwrap()).await;
    app.calls.take();

    let (found, loans) = app.store().client_with_loans(client_id).await.unwrap();

    assert_eq!(app.calls.take(), ["Query"]);
    assert_eq!(found.map(|c| c.id), Some(client_id.to_owned()));
    loan_ids.reverse();
    assert_eq!(
        loans.iter().map(|l| l.id.clone()).collect::<Vec<_>>(),
        loan_ids,
        "newest first, only this client's"
    );
}
