//! Applying for a loan: through a product (always, for a customer) or, for an admin, as a
//! bespoke loan; and the limit of three pending applications per client.

use api_tests::loan::{application, client_loans_uri, create_product, id, loan_uri, with};
use api_tests::*;
use futures::future::join_all;
use http::Method;
use serde_json::{Value, json};

async fn apply_as_customer(app: &TestApp, client: &str, body: &Value) -> TestResponse {
    app.customer(
        client,
        request(Method::POST, &client_loans_uri(client)).json(body),
    )
    .await
}

#[tokio::test]
async fn a_customer_applies_through_a_product_which_sets_currency_and_rate() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    let product = create_product(
        &app,
        &json!({"currency": "USD", "annual_interest_rate": "9.75"}),
    )
    .await;

    let response = apply_as_customer(
        &app,
        &client,
        &json!({"product_id": product["id"], "amount": "2500.00", "term_months": 24, "purpose": "Bike"}),
    )
    .await;

    assert_eq!(response.status, 201, "{}", response.body);
    let loan = &response.body;
    assert_eq!(loan["product_id"], product["id"]);
    assert_eq!(loan["currency"], "USD");
    assert_eq!(loan["annual_interest_rate"], "9.75");
    assert_eq!(loan["amount"], "2500.00");
    assert_eq!(loan["status"], "pending");
}

#[tokio::test]
async fn a_customer_may_not_choose_its_own_price_nor_skip_the_product() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    let product = create_product(&app, &json!({})).await;
    let retired = create_product(&app, &json!({"name": "Old", "active": false})).await;
    let before = app.all_items().await;
    let through = application(&product);
    let cases = [
        (
            with(&through, &json!({"annual_interest_rate": "0"})),
            vec!["/annual_interest_rate"],
            "its own rate",
        ),
        (
            with(&through, &json!({"currency": "KWD"})),
            vec!["/currency"],
            "its own currency",
        ),
        (
            json!({"amount": "10000000", "currency": "KWD", "annual_interest_rate": "0", "term_months": 1}),
            vec!["/annual_interest_rate", "/currency", "/product_id"],
            "a bespoke loan",
        ),
        (
            with(&through, &json!({"product_id": retired["id"]})),
            vec!["/product_id"],
            "a retired product",
        ),
        (
            with(
                &through,
                &json!({"product_id": ulid::Ulid::generate().to_string()}),
            ),
            vec!["/product_id"],
            "an unknown product",
        ),
        (
            with(&through, &json!({"product_id": "nope"})),
            vec!["/product_id"],
            "not an id",
        ),
        (
            with(&through, &json!({"amount": "999.99"})),
            vec!["/amount"],
            "below the product's minimum",
        ),
        (
            with(&through, &json!({"amount": "500000.01"})),
            vec!["/amount"],
            "above its maximum",
        ),
        (
            with(&through, &json!({"term_months": 5})),
            vec!["/term_months"],
            "shorter than it allows",
        ),
        (
            with(&through, &json!({"term_months": 61})),
            vec!["/term_months"],
            "longer than it allows",
        ),
    ];
    for (body, pointers, why) in cases {
        let response = apply_as_customer(&app, &client, &body).await;
        response.assert_problem(422);
        assert_eq!(
            response.error_pointers(),
            pointers,
            "{why}: {}",
            response.body
        );
    }
    assert_eq!(app.all_items().await, before, "nothing was stored");
}

#[tokio::test]
async fn an_admin_applies_through_a_product_or_books_a_bespoke_loan() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    let product = create_product(&app, &json!({})).await;
    let uri = client_loans_uri(&client);

    let through = app
        .admin(request(Method::POST, &uri).json(&application(&product)))
        .await;
    let priced = app
        .admin(request(Method::POST, &uri).json(&with(
            &application(&product),
            &json!({"annual_interest_rate": "1"}),
        )))
        .await;
    let bespoke = app
        .admin(
            request(Method::POST, &uri).json(
                &json!({"amount": "10000.00", "annual_interest_rate": "12", "term_months": 12}),
            ),
        )
        .await;

    assert_eq!(through.status, 201, "{}", through.body);
    assert_eq!(through.body["product_id"], product["id"]);
    priced.assert_problem(422);
    assert_eq!(
        priced.error_pointers(),
        ["/annual_interest_rate"],
        "the rate comes from the product"
    );
    assert_eq!(bespoke.status, 201, "{}", bespoke.body);
    assert_eq!(bespoke.body["product_id"], Value::Null);
    assert_eq!(bespoke.body["monthly_payment"], "888.49");
}

#[tokio::test]
async fn a_product_loans_terms_change_only_inside_the_products_bounds() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    let product = create_product(&app, &json!({})).await;
    let loan = apply_as_customer(
        &app,
        &client,
        &with(
            &application(&product),
            &json!({"amount": "5000.00", "term_months": 12}),
        ),
    )
    .await
    .body;
    let patch = |body: Value| app.admin(request(Method::PATCH, &loan_uri(&loan)).json(&body));

    let inside = patch(json!({"amount": "6000.00", "term_months": 24})).await;
    let too_long = patch(json!({"term_months": 72})).await;
    let too_much = patch(json!({"amount": "600000.00"})).await;
    let new_rate = patch(json!({"annual_interest_rate": "1"})).await;
    let new_product = patch(json!({"product_id": product["id"]})).await;

    assert_eq!(inside.status, 200, "{}", inside.body);
    assert_eq!(
        (
            inside.body["amount"].as_str(),
            inside.body["term_months"].as_u64()
        ),
        (Some("6000.00"), Some(24))
    );
    for (response, pointer) in [
        (&too_long, "/term_months"),
        (&too_much, "/amount"),
        (&new_rate, "/annual_interest_rate"),
        (&new_product, "/product_id"),
    ] {
        response.assert_problem(422);
        assert_eq!(response.error_pointers(), [pointer], "{}", response.body);
    }
}

#[tokio::test]
async fn ten_parallel_applications_for_one_client_give_three_loans_and_seven_409s() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    let product = create_product(&app, &json!({})).await;
    let body = application(&product);

    let responses = join_all((0..10).map(|_| apply_as_customer(&app, &client, &body))).await;

    let created = responses.iter().filter(|r| r.status == 201).count();
    let refused: Vec<&TestResponse> = responses.iter().filter(|r| r.status == 409).collect();
    assert_eq!(
        (created, refused.len()),
        (3, 7),
        "{:?}",
        responses.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for response in refused {
        response.assert_problem(409);
        assert!(
            response.body["detail"]
                .as_str()
                .unwrap()
                .contains("3 pending applications")
        );
    }
    let listed = app
        .admin(request(Method::GET, &client_loans_uri(&client)))
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn cancelling_rejecting_approving_or_deleting_a_pending_loan_frees_a_slot() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    let product = create_product(&app, &json!({})).await;
    let body = application(&product);
    let mut pending = Vec::new();
    for _ in 0..3 {
        let loan = apply_as_customer(&app, &client, &body).await;
        assert_eq!(loan.status, 201, "{}", loan.body);
        pending.push(loan.body);
    }
    apply_as_customer(&app, &client, &body)
        .await
        .assert_problem(409);

    let frees: [(&str, TestRequest); 4] = [
        (
            "cancelling",
            request(Method::PATCH, &loan_uri(&pending[0])).json(&json!({"status": "cancelled"})),
        ),
        (
            "rejecting",
            request(Method::PATCH, &loan_uri(&pending[1])).json(&json!({"status": "rejected"})),
        ),
        (
            "approving",
            request(Method::PATCH, &loan_uri(&pending[2])).json(&json!({"status": "approved"})),
        ),
        ("deleting", request(Method::DELETE, "")),
    ];
    for (how, req) in frees {
        if how == "deleting" {
            let loan = app
                .admin(request(
                    Method::GET,
                    &format!("{}?limit=1", client_loans_uri(&client)),
                ))
                .await;
            let newest = &loan.body["items"][0];
            assert_eq!(
                newest["status"], "pending",
                "the one made after the last freed slot"
            );
            let deleted = app.admin(request(Method::DELETE, &loan_uri(newest))).await;
            assert_eq!(deleted.status, 204, "{}", deleted.body);
        } else {
            let changed = app.admin(req).await;
            assert_eq!(changed.status, 200, "{how}: {}", changed.body);
        }
        let again = apply_as_customer(&app, &client, &body).await;
        assert_eq!(again.status, 201, "{how} frees a slot: {}", again.body);
        apply_as_customer(&app, &client, &body)
            .await
            .assert_problem(409);
    }
}
