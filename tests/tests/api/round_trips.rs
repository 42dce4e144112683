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
        // A write reads the loan once (GSI3), then writes conditional on that version;
        // leaving `pending` frees the client's slot in the same transaction.
        (
            loans_handler,
            request(Method::PATCH, &format!("/loans/{loan_id}"))
                .json(&json!({"status": "approved"})),
            200,
            &["Query", "TransactWriteItems"],
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
        // Calls made at once may be logged in either order: compare them as a multiset.
        let mut calls = app.calls.take();
        let mut expected = expected.to_vec();
        calls.sort_unstable();
        expected.sort_unstable();
        assert_eq!(calls, expected, "{}", response.body);
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

    let (found, loans) = app
        .store()
        .client_partition(&api_tests::client_id(client_id))
        .await
        .unwrap()
        .map_or((None, Vec::new()), |p| (Some(p.client), p.loans));

    assert_eq!(app.calls.take(), ["Query"]);
    assert_eq!(
        found.map(|c| c.id().to_string()),
        Some(client_id.to_owned())
    );
    loan_ids.reverse();
    assert_eq!(
        loans.iter().map(|l| l.id().to_string()).collect::<Vec<_>>(),
        loan_ids,
        "newest first, only this client's"
    );
}

#[tokio::test]
async fn each_write_makes_the_calls_its_checks_need_and_no_more() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let client_id = client["id"].as_str().unwrap().to_owned();
    let loan = create_loan(&app, &client_id).await;
    let loan_id = loan["id"].as_str().unwrap().to_owned();
    let spare = create_client(&app).await;
    let spare_id = spare["id"].as_str().unwrap().to_owned();
    create_user(&app, "teller", "correct horse battery", "admin", None).await;
    app.calls.take();
    let terms = json!({"amount": "5000.00", "annual_interest_rate": "10", "term_months": 6});
    let credentials = |password: &str| json!({"username": "teller", "password": password});
    let replacement = client_body();
    // A second given name, so the patch always changes the client: a fixed name would
    // sometimes be the one the factory drew, and an unchanged client is not written.
    let renamed = format!("{} Ana", replacement["first_name"].as_str().unwrap());

    // Replacing a client reads it (its old email and document guards) and writes client
    // and guards in one transaction; deleting one reads its whole partition, client and
    // loans, in one query. A loan write reads the loan once, through GSI3, and writes
    // conditional on the version it read (a stale copy fails and is retried from the
    // table, read consistently). A login
    // reads the user and its failure counter, and writes the counter only on a failure.
    // Deleting a user reads it first to tell `404` from `412`, then deletes it and its
    // link in its client's partition together.
    let cases: Vec<(Handler, TestRequest, u16, &[&str])> = vec![
        (
            clients_handler,
            request(Method::PUT, &format!("/clients/{client_id}"))
                .json(&replacement)
                .header("if-match", "\"1\""),
            200,
            &["GetItem", "TransactWriteItems"],
        ),
        (
            clients_handler,
            request(Method::PATCH, &format!("/clients/{client_id}"))
                .json(&json!({"first_name": renamed}))
                .header("if-match", "\"2\""),
            200,
            &["GetItem", "TransactWriteItems"],
        ),
        (
            clients_handler,
            request(Method::DELETE, &format!("/clients/{spare_id}")),
            204,
            &["Query", "TransactWriteItems"],
        ),
        (
            loans_handler,
            request(Method::PUT, &format!("/loans/{loan_id}"))
                .json(&terms)
                .header("if-match", "\"1\""),
            200,
            &["Query", "PutItem"],
        ),
        (
            loans_handler,
            request(Method::DELETE, &format!("/loans/{loan_id}")),
            204,
            &["Query", "TransactWriteItems"],
        ),
        (
            auth_handler,
            request(Method::POST, "/users").json(&json!({
                "username": "customer-one", "password": "correct horse battery",
                "role": "user", "client_id": client_id,
            })),
            201,
            &["TransactWriteItems"],
        ),
        (
            auth_handler,
            request(Method::POST, "/auth/login").json(&credentials("correct horse battery")),
            200,
            // At once: the attempt's claim, the address's counter, the user; then at once
            // the claim forgiven and the session started.
            &[
                "UpdateItem",
                "GetItem",
                "GetItem",
                "DeleteItem",
                "TransactWriteItems",
            ],
        ),
        (
            auth_handler,
            request(Method::POST, "/auth/login").json(&credentials("wrong horse battery")),
            401,
            &["UpdateItem", "GetItem", "GetItem", "UpdateItem"],
        ),
        (
            auth_handler,
            request(Method::DELETE, "/users/customer-one"),
            204,
            &["GetItem", "TransactWriteItems"],
        ),
    ];
    for (handler, req, status, expected) in cases {
        let response = app.as_admin(handler, req).await;
        assert_eq!(response.status.as_u16(), status, "{}", response.body);
        // Calls made at once may be logged in either order: compare them as a multiset.
        let mut calls = app.calls.take();
        let mut expected = expected.to_vec();
        calls.sort_unstable();
        expected.sort_unstable();
        assert_eq!(calls, expected, "{}", response.body);
    }
}

#[tokio::test]
async fn servicing_reads_the_ledger_in_two_steps_and_posts_in_one_transaction() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let client_id = client["id"].as_str().unwrap().to_owned();
    let body = json!({"amount": "1200.00", "annual_interest_rate": "12", "term_months": 3});
    let loan = api_tests::loan::create_loan_with(&app, &client_id, &body).await;
    let loan = api_tests::loan::drive(&app, loan, "approved").await;
    let loan_id = loan["id"].as_str().unwrap().to_owned();
    app.calls.take();
    // The ledger read locates the loan (GSI3), then reads the loan and its transactions
    // at the same time, so those two are counted in either order.
    let ledger = ["GetItem", "Query", "Query"];
    let cases: Vec<(TestRequest, u16, Vec<&str>)> = vec![
        (
            request(Method::PATCH, &format!("/loans/{loan_id}"))
                .json(&json!({"status": "active", "disbursed_on": "2025-01-15"})),
            200,
            [&ledger[..], &["TransactWriteItems"]].concat(),
        ),
        (
            request(Method::POST, &format!("/loans/{loan_id}/repayments"))
                .json(&json!({"amount": "408.03", "paid_on": "2025-02-15"})),
            201,
            [&ledger[..], &["TransactWriteItems"]].concat(),
        ),
        (
            request(Method::POST, &format!("/loans/{loan_id}/repayments"))
                .header("Idempotency-Key", "round-trips-1")
                .json(&json!({"amount": "408.03", "paid_on": "2025-03-15"})),
            201,
            [&["PutItem"][..], &ledger[..], &["TransactWriteItems"]].concat(),
        ),
        (
            request(Method::GET, &format!("/loans/{loan_id}/balance")),
            200,
            ledger.to_vec(),
        ),
        (
            request(Method::GET, &format!("/loans/{loan_id}/payoff")),
            200,
            ledger.to_vec(),
        ),
        (
            request(Method::GET, &format!("/loans/{loan_id}/transactions")),
            200,
            ledger.to_vec(),
        ),
        (
            request(Method::GET, "/loans?days_past_due_min=1"),
            200,
            vec!["Query"],
        ),
    ];
    for (req, status, expected) in cases {
        let response = app.as_admin(loans_handler, req).await;
        assert_eq!(response.status.as_u16(), status, "{}", response.body);
        let mut calls = app.calls.take();
        calls.sort();
        let mut expected = expected;
        expected.sort();
        assert_eq!(calls, expected, "{}", response.body);
    }
}
