//! Loan routes: applying for, reading, replacing, patching and deleting a loan; body
//! validation, routing, tokens and who may see or change which loan. The lifecycle lives
//! in `loans_lifecycle`, lists in `loans_lists`, schedules and quotes in `quotes`; the
//! helpers they share are in `api_tests::loan`.

use std::collections::BTreeSet;

use api_tests::factories::loan_body;
use api_tests::loan::create_loan;
use api_tests::loan::*;
use api_tests::*;
use http::Method;
use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::{Value, json};

fn sorted(mut pointers: Vec<String>) -> Vec<String> {
    pointers.sort();
    pointers
}

fn allowed_methods(response: &TestResponse) -> BTreeSet<String> {
    response
        .header("allow")
        .unwrap_or_default()
        .split(',')
        .map(|method| method.trim().to_owned())
        .filter(|method| !method.is_empty())
        .collect()
}

#[tokio::test]
async fn create_loan_returns_201_with_location_etag_and_computed_figures() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let body = json!({"amount": "10000.00", "currency": "MXN", "annual_interest_rate": "12",
                      "term_months": 12, "purpose": "Stock for the shop"});

    let response = apply(&app, &id(&client), &body).await;

    assert_eq!(response.status, 201, "{}", response.body);
    let loan = &response.body;
    assert_eq!(
        response.header("location"),
        Some(format!("/loans/{}", id(loan)).as_str())
    );
    assert_eq!(response.header("etag"), Some("\"1\""));
    assert!(
        response
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/json"))
    );
    assert!(response.header("x-request-id").is_some());
    let fields: BTreeSet<&str> = loan
        .as_object()
        .expect("a loan is an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        fields,
        LOAN_FIELDS.into_iter().collect(),
        "exactly the contract's fields"
    );
    assert_eq!(loan["client_id"], client["id"]);
    assert_eq!(loan["status"], "pending");
    assert_eq!(loan["amount"], "10000.00");
    assert_eq!(loan["currency"], "MXN");
    assert_rate(loan, "12");
    assert_eq!(loan["term_months"], 12);
    assert_eq!(loan["purpose"], "Stock for the shop");
    assert_eq!(loan["monthly_payment"], "888.49");
    assert_eq!(loan["total_interest"], "661.86");
    assert_eq!(loan["total_payable"], "10661.86");
    assert_eq!(loan["version"], 1);
    assert!(loan["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(loan["created_at"], loan["updated_at"]);
    for field in [
        "approved_at",
        "rejected_at",
        "disbursed_at",
        "paid_at",
        "cancelled_at",
    ] {
        assert!(loan[field].is_null(), "{field} is null until reached");
    }
}

#[tokio::test]
async fn create_loan_reads_decimal_strings_and_defaults_the_currency_to_mxn() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;

    let loan = create_loan_with(
        &app,
        &id(&client),
        &json!({"amount": "1500.5", "annual_interest_rate": "12.5", "term_months": 24}),
    )
    .await;

    assert_eq!(
        loan["amount"], "1500.50",
        "money is a string with minor units"
    );
    assert_eq!(loan["currency"], "MXN");
    assert_rate(&loan, "12.5");
    assert_eq!(loan["term_months"], 24);
    assert!(loan["purpose"].is_null(), "purpose is optional");
}

/// JSON, and the `integer` of the OpenAPI schema, make `24.0` the number 24: a term sent
/// with a zero fraction is that whole number (Schemathesis sent `229.0` and got `422`).
#[tokio::test]
async fn loan_terms_accept_a_whole_number_of_months_written_with_a_zero_fraction() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;

    let loan = create_loan_with(
        &app,
        &id(&client),
        &json!({"amount": "1500.50", "annual_interest_rate": "12.5", "term_months": 24.0}),
    )
    .await;
    assert_eq!(loan["term_months"], 24);

    let quote = admin(
        &app,
        request(Method::POST, "/quotes").json(
            &json!({"amount": "1500.50", "annual_interest_rate": "12.5", "term_months": 12.0}),
        ),
    )
    .await;
    assert_eq!(quote.status, 200, "{}", quote.body);
    assert_eq!(
        quote.body["installments"].as_array().map(Vec::len),
        Some(12)
    );
}

#[tokio::test]
async fn create_loan_formats_money_with_the_minor_units_of_its_currency() {
    let app = TestApp::spawn().await;
    // (currency, amount sent, amount shown, monthly payment at 12 % over 12 months). In
    // yen the annuity is 44,424.39: paying 44,424 would leave 44,429 for the last
    // installment, so the rule's installment is 44,425 (the last 44,417).
    let cases = [
        ("JPY", json!("500000"), "500000", "44425"),
        ("JPY", json!("500000.0"), "500000", "44425"),
        ("USD", json!("10000"), "10000.00", "888.49"),
        ("MXN", json!("10000.0"), "10000.00", "888.49"),
    ];
    for (currency, amount, shown, monthly) in cases {
        let client = create_client(&app).await;
        let body = json!({"amount": amount, "currency": currency, "annual_interest_rate": "12", "term_months": 12});

        let loan = create_loan_with(&app, &id(&client), &body).await;

        assert_eq!(loan["currency"], currency);
        assert_eq!(loan["amount"], shown, "{currency} {amount}");
        assert_eq!(loan["monthly_payment"], monthly, "{currency} {amount}");
    }
    let client = create_client(&app).await;
    let yen = create_loan_with(
        &app,
        &id(&client),
        &json!({"amount": "500000", "currency": "JPY", "annual_interest_rate": "12", "term_months": 12}),
    )
    .await;
    assert_eq!(yen["total_interest"], "33092");
    assert_eq!(yen["total_payable"], "533092");
}

#[tokio::test]
async fn create_loan_accepts_every_boundary_value() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            json!({"amount": "0.01", "term_months": 1}),
            "the smallest MXN amount, for one month",
        ),
        (json!({"amount": "10000000"}), "exactly ten million"),
        (json!({"amount": "10000000.00"}), "ten million with cents"),
        (json!({"annual_interest_rate": "0"}), "a zero rate"),
        (json!({"annual_interest_rate": "100"}), "a rate of 100"),
        (json!({"annual_interest_rate": "0.0001"}), "four decimals"),
        (json!({"annual_interest_rate": "99.9999"}), "just under 100"),
        (json!({"term_months": 1}), "one month"),
        (
            json!({"term_months": 360, "annual_interest_rate": "12", "amount": "100000.00"}),
            "thirty years",
        ),
        (
            json!({"purpose": "p".repeat(200)}),
            "a 200-character purpose",
        ),
    ];
    for (patch, why) in cases {
        // A client each: a client holds at most three pending loans.
        let client = create_client(&app).await;
        let response = apply(&app, &id(&client), &with(&loan_body(), &patch)).await;
        assert_eq!(response.status, 201, "{why}: {}", response.body);
        let (field, value) = patch.as_object().unwrap().iter().next().unwrap();
        if field == "annual_interest_rate" {
            assert_rate(&response.body, value.as_str().unwrap());
        } else if field != "amount" {
            assert_eq!(&response.body[field], value, "{why}");
        }
    }
}

#[tokio::test]
async fn create_loan_reads_decimal_strings_exactly_and_refuses_json_numbers() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    let uri = client_loans_uri(&client);
    let before = app.all_items().await;
    // Raw text: a JSON number where money or a rate is expected is refused, whatever its
    // value, because a client's float may already have changed it.
    let refused = [
        (
            r#"{"amount": 9999999.99, "annual_interest_rate": "12", "term_months": 12}"#,
            "/amount",
            "an amount as a number",
        ),
        (
            r#"{"amount": "1000.00", "annual_interest_rate": 12, "term_months": 12}"#,
            "/annual_interest_rate",
            "a rate as a number",
        ),
        (
            r#"{"amount": 0.30, "annual_interest_rate": "0.1", "term_months": 1}"#,
            "/amount",
            "an amount floats cannot represent",
        ),
        (
            r#"{"amount": "1E3", "annual_interest_rate": "12", "term_months": 12}"#,
            "/amount",
            "an exponent in a string",
        ),
    ];
    for (body, pointer, why) in refused {
        let response = admin(
            &app,
            request(Method::POST, &uri)
                .raw_body(body)
                .header("content-type", "application/json"),
        )
        .await;
        response.assert_problem(422);
        assert_eq!(response.error_pointers(), [pointer], "{why}");
        if why.contains("number") {
            let detail = response.body["errors"][0]["detail"].as_str().unwrap();
            assert!(detail.contains("decimal string"), "{why}: {detail}");
        }
    }
    assert_eq!(app.all_items().await, before, "nothing was stored");
    // Strings reach the server digit for digit.
    let exact = [
        (
            r#"{"amount": "100.1000000000000000001", "annual_interest_rate": "12", "term_months": 12}"#,
            Some("/amount"),
            "",
            "an amount with more decimals than MXN has",
        ),
        (
            r#"{"amount": "9999999.99", "annual_interest_rate": "12", "term_months": 12}"#,
            None,
            "9999999.99",
            "a large amount kept to the cent",
        ),
        (
            r#"{"amount": "0.30", "annual_interest_rate": "0.1", "term_months": 1}"#,
            None,
            "0.30",
            "an amount floats cannot represent",
        ),
    ];
    for (body, pointer, amount, why) in exact {
        let response = admin(
            &app,
            request(Method::POST, &uri)
                .raw_body(body)
                .header("content-type", "application/json"),
        )
        .await;
        match pointer {
            Some(pointer) => {
                assert_eq!(response.status, 422, "{why}: {}", response.body);
                assert_eq!(response.error_pointers(), [pointer], "{why}");
            }
            None => {
                assert_eq!(response.status, 201, "{why}: {}", response.body);
                assert_eq!(response.body["amount"], amount, "{why}");
            }
        }
    }
}

#[tokio::test]
async fn create_loan_returns_422_with_a_pointer_per_invalid_field() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let before = app.all_items().await;
    let cases = [
        (json!({"amount": "0"}), "/amount", "a zero amount"),
        (json!({"amount": "-100.00"}), "/amount", "a negative amount"),
        (
            json!({"amount": "10000000.01"}),
            "/amount",
            "over ten million",
        ),
        (
            json!({"amount": "100.999"}),
            "/amount",
            "three decimals in MXN",
        ),
        (
            json!({"amount": "100.5", "currency": "JPY"}),
            "/amount",
            "decimals in a currency without minor units",
        ),
        (json!({"amount": "ten thousand"}), "/amount", "not a number"),
        (json!({"amount": ""}), "/amount", "an empty amount"),
        (
            json!({"amount": true}),
            "/amount",
            "an amount of the wrong type",
        ),
        (json!({"amount": null}), "/amount", "a null amount"),
        (json!({"currency": "XYZ"}), "/currency", "an unknown code"),
        (json!({"currency": ""}), "/currency", "an empty code"),
        (json!({"currency": 484}), "/currency", "a numeric code"),
        (
            json!({"annual_interest_rate": "-0.5"}),
            "/annual_interest_rate",
            "a negative rate",
        ),
        (
            json!({"annual_interest_rate": "100.01"}),
            "/annual_interest_rate",
            "a rate over 100",
        ),
        (
            json!({"annual_interest_rate": "12.12345"}),
            "/annual_interest_rate",
            "five decimals",
        ),
        (
            json!({"annual_interest_rate": "twelve"}),
            "/annual_interest_rate",
            "not a number",
        ),
        (
            json!({"annual_interest_rate": null}),
            "/annual_interest_rate",
            "a null rate",
        ),
        (json!({"term_months": 0}), "/term_months", "zero months"),
        (
            json!({"term_months": 361}),
            "/term_months",
            "over 360 months",
        ),
        (
            json!({"term_months": -12}),
            "/term_months",
            "negative months",
        ),
        (json!({"term_months": 12.5}), "/term_months", "a fraction"),
        (json!({"term_months": "12"}), "/term_months", "a string"),
        (json!({"term_months": null}), "/term_months", "a null term"),
        (
            json!({"purpose": "p".repeat(201)}),
            "/purpose",
            "a purpose over 200 characters",
        ),
        (
            json!({"purpose": 42}),
            "/purpose",
            "a purpose of the wrong type",
        ),
    ];
    for (patch, pointer, why) in cases {
        let response = apply(&app, &id(&client), &with(&loan_body(), &patch)).await;
        assert_eq!(response.status, 422, "{why}: {}", response.body);
        response.assert_problem(422);
        assert_eq!(
            response.error_pointers(),
            [pointer],
            "{why}: {}",
            response.body
        );
    }
    assert_eq!(app.all_items().await, before, "nothing was written");
}

#[tokio::test]
async fn create_loan_reports_every_missing_field_and_every_unknown_field() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let before = app.all_items().await;
    let mut extra = loan_body();
    extra["colour"] = json!("red");
    extra["version"] = json!(9);

    let empty = apply(&app, &id(&client), &json!({})).await;
    let only_purpose = apply(&app, &id(&client), &json!({"purpose": "Roof"})).await;
    let unknown = apply(&app, &id(&client), &extra).await;

    for missing in [&empty, &only_purpose] {
        missing.assert_problem(422);
        assert_eq!(
            sorted(missing.error_pointers()),
            ["/amount", "/annual_interest_rate", "/term_months"]
        );
    }
    unknown.assert_problem(422);
    assert_eq!(sorted(unknown.error_pointers()), ["/colour", "/version"]);
    assert_eq!(app.all_items().await, before, "nothing was written");
}

#[tokio::test]
async fn create_loan_refuses_every_server_owned_field_with_422() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let other = create_client(&app).await;
    let before = app.all_items().await;
    let cases = [
        ("status", json!("approved"), "a new loan is always pending"),
        ("status", json!("pending"), "even the status it would get"),
        (
            "client_id",
            json!(id(&other)),
            "the client comes from the path",
        ),
        (
            "id",
            json!(ulid::Ulid::generate().to_string()),
            "ids are the server's",
        ),
        ("version", json!(1), "versions are the server's"),
        ("monthly_payment", json!("1.00"), "figures are computed"),
        ("total_interest", json!("0.00"), "figures are computed"),
        ("total_payable", json!("1.00"), "figures are computed"),
        (
            "created_at",
            json!("2000-01-01T00:00:00Z"),
            "timestamps are the server's",
        ),
        (
            "approved_at",
            json!("2000-01-01T00:00:00Z"),
            "timestamps are the server's",
        ),
        (
            "disbursed_at",
            json!("2000-01-01T00:00:00Z"),
            "timestamps are the server's",
        ),
    ];
    for (field, value, why) in cases {
        let mut body = loan_body();
        body[field] = value;

        let response = apply(&app, &id(&client), &body).await;

        response.assert_problem(422);
        assert_eq!(
            response.error_pointers(),
            [format!("/{field}")],
            "{why}: {}",
            response.body
        );
    }
    assert_eq!(app.all_items().await, before, "nothing was written");
}

#[tokio::test]
async fn loan_writes_reject_malformed_bodies() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let loan = create_loan(&app, &id(&client)).await;
    let before = app.all_items().await;
    let huge = json!({"purpose": "a".repeat(70 * 1024)}).to_string();
    let targets = [
        (Method::POST, client_loans_uri(&id(&client))),
        (Method::PUT, loan_uri(&loan)),
        (Method::PATCH, loan_uri(&loan)),
    ];
    for (method, uri) in targets {
        let cases = [
            (
                request(method.clone(), &uri)
                    .raw_body("{\"amount\":")
                    .header("content-type", "application/json"),
                400,
                "truncated JSON",
            ),
            (
                request(method.clone(), &uri)
                    .raw_body("")
                    .header("content-type", "application/json"),
                400,
                "an empty body",
            ),
            (
                request(method.clone(), &uri).raw_body(loan_body().to_string()),
                415,
                "no content type",
            ),
            (
                request(method.clone(), &uri)
                    .raw_body(loan_body().to_string())
                    .header("content-type", "text/plain"),
                415,
                "text/plain",
            ),
            (
                request(method.clone(), &uri)
                    .raw_body(huge.clone())
                    .header("content-type", "application/json"),
                413,
                "over 64 KiB",
            ),
        ];
        for (req, status, why) in cases {
            let response = admin(&app, req).await;
            assert_eq!(
                response.status, status,
                "{method} {uri} with {why}: {}",
                response.body
            );
            response.assert_problem(status);
        }
    }
    assert_eq!(app.all_items().await, before, "nothing changed");
}

/// What `cargo lambda watch` cannot deliver (scripts/schemathesis_hooks.py keeps such
/// requests from it) and API Gateway does: a body that is not UTF-8 arrives as bytes and is
/// not JSON, so `400` (it was a `422` when the bad bytes sat inside a string); header values
/// that are not UTF-8 are a fresh request id, and a `400` for an `Idempotency-Key`. Nothing
/// is written.
#[tokio::test]
async fn requests_with_bytes_that_are_not_utf8_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let before = app.all_items().await;
    let uri = client_loans_uri(&id(&client));

    let body = admin(
        &app,
        request(Method::POST, &uri)
            .binary_body(b"{\"amount\": \"\x96\xc7\"}")
            .header("content-type", "application/json"),
    )
    .await;
    assert_eq!(body.status, 400, "{}", body.body);
    body.assert_problem(400);

    let key = admin(
        &app,
        request(Method::POST, &uri)
            .json(&loan_body())
            .header_bytes("idempotency-key", b"caf\xe9"),
    )
    .await;
    assert_eq!(key.status, 400, "{}", key.body);
    key.assert_problem(400);

    let id_header = admin(
        &app,
        request(Method::POST, "/quotes")
            .json(&json!({"amount": "100", "annual_interest_rate": "12", "term_months": 1}))
            .header_bytes("x-request-id", b"caf\xe9"),
    )
    .await;
    assert_eq!(id_header.status, 200, "{}", id_header.body);
    let echoed = id_header.header("x-request-id").unwrap_or_default();
    assert!(
        !echoed.is_empty() && echoed.is_ascii(),
        "a new request id: {echoed:?}"
    );
    assert_eq!(app.all_items().await, before, "nothing was written");
}

#[tokio::test]
async fn create_loan_returns_404_when_the_client_does_not_exist() {
    let app = TestApp::spawn().await;
    for client_id in [ulid::Ulid::generate().to_string(), "not-an-id".into()] {
        let response = apply(&app, &client_id, &loan_body()).await;
        response.assert_problem(404);
    }
    assert!(app.all_items().await.is_empty(), "no loan without a client");
}

#[tokio::test]
async fn create_loan_with_an_idempotency_key_replays_the_first_response_and_creates_one_loan() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    let body = loan_body();
    // The changed body asks for one month more than the original, so it always differs:
    // a fixed term would sometimes be the one the factory drew, and the request a retry.
    let term = body["term_months"]
        .as_u64()
        .expect("the factory draws a term");
    let post = |body: &Value| {
        request(Method::POST, &client_loans_uri(&client))
            .json(body)
            .header("idempotency-key", "apply-2026-11-27-0001")
    };

    let first = admin(&app, post(&body)).await;
    let replay = admin(&app, post(&body)).await;
    let changed = admin(&app, post(&with(&body, &json!({"term_months": term + 1})))).await;

    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(
        replay.status, 201,
        "a retry replays the status: {}",
        replay.body
    );
    assert_eq!(replay.body, first.body, "a retry replays the body");
    assert_eq!(
        changed.status, 422,
        "same key, another body: {}",
        changed.body
    );
    changed.assert_problem(422);
    let listed = admin(&app, request(Method::GET, &client_loans_uri(&client))).await;
    assert_eq!(
        listed.body["items"].as_array().map(Vec::len),
        Some(1),
        "one loan however often it is retried: {}",
        listed.body
    );
}

#[tokio::test]
async fn get_loan_returns_200_with_etag() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let loan = create_loan(&app, &id(&client)).await;

    let response = fetch(&app, &loan).await;

    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.body, loan);
    assert_eq!(response.header("etag"), Some("\"1\""));
}

#[tokio::test]
async fn get_loan_returns_404_for_missing_or_malformed_ids() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    create_loan(&app, &id(&client)).await;
    let cases = [
        (ulid::Ulid::generate().to_string(), "no such loan"),
        (id(&client), "a client's id is not a loan's"),
        ("not-an-id".to_owned(), "a malformed id"),
        ("..%2F..%2Fetc".to_owned(), "a path trick"),
    ];
    for (loan_id, why) in cases {
        let response = admin(&app, request(Method::GET, &format!("/loans/{loan_id}"))).await;
        assert_eq!(response.status, 404, "{why}: {}", response.body);
        response.assert_problem(404);
    }
}

#[tokio::test]
async fn every_operation_on_a_missing_loan_returns_404() {
    let app = TestApp::spawn().await;
    let uri = format!("/loans/{}", ulid::Ulid::generate());
    let cases = [
        request(Method::GET, &uri),
        request(Method::PUT, &uri).json(&loan_body()),
        request(Method::PATCH, &uri).json(&json!({"term_months": 12})),
        request(Method::PATCH, &uri).json(&json!({"status": "approved"})),
        request(Method::DELETE, &uri),
        request(Method::GET, &format!("{uri}/schedule")),
    ];
    for req in cases {
        admin(&app, req).await.assert_problem(404);
    }
    assert!(app.all_items().await.is_empty(), "no write creates a loan");
}

#[tokio::test]
async fn put_loan_replaces_the_terms_recomputes_the_figures_and_bumps_the_version() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let mut body = loan_body();
    body["currency"] = json!("USD");
    let loan = create_loan_with(&app, &id(&client), &body).await;

    let response = admin(
        &app,
        request(Method::PUT, &loan_uri(&loan))
            .json(&json!({"amount": "1000.00", "annual_interest_rate": "0", "term_months": 3}))
            .header("if-match", "\"1\""),
    )
    .await;

    assert_eq!(response.status, 200, "{}", response.body);
    let replaced = &response.body;
    assert_eq!(response.header("etag"), Some("\"2\""));
    assert_eq!(replaced["version"], 2);
    assert_eq!(replaced["amount"], "1000.00");
    assert_eq!(replaced["currency"], "MXN", "an absent currency is MXN");
    assert_rate(replaced, "0");
    assert_eq!(replaced["term_months"], 3);
    assert!(
        replaced["purpose"].is_null(),
        "an absent purpose is cleared"
    );
    assert_eq!(replaced["monthly_payment"], "333.34");
    assert_eq!(replaced["total_interest"], "0.00");
    assert_eq!(replaced["total_payable"], "1000.00");
    for kept in ["id", "client_id", "status", "created_at"] {
        assert_eq!(replaced[kept], loan[kept], "{kept} is kept");
    }
    assert!(replaced["updated_at"].as_str() >= loan["updated_at"].as_str());
    assert_eq!(
        fetch(&app, &loan).await.body,
        *replaced,
        "the change is stored"
    );
}

#[tokio::test]
async fn put_loan_returns_422_when_a_required_field_is_missing() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let loan = create_loan(&app, &id(&client)).await;
    let before = app.all_items().await;

    let response = admin(
        &app,
        request(Method::PUT, &loan_uri(&loan)).json(&json!({"purpose": "Roof"})),
    )
    .await;

    response.assert_problem(422);
    assert_eq!(
        sorted(response.error_pointers()),
        ["/amount", "/annual_interest_rate", "/term_months"]
    );
    assert_eq!(app.all_items().await, before);
}

#[tokio::test]
async fn patch_loan_changes_only_the_given_terms_and_recomputes_the_figures() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let loan = create_loan_with(
        &app,
        &id(&client),
        &json!({"amount": "1000.00", "annual_interest_rate": "12", "term_months": 3, "purpose": "Tools"}),
    )
    .await;

    let zero_rate = admin(
        &app,
        request(Method::PATCH, &loan_uri(&loan)).json(&json!({"annual_interest_rate": "0"})),
    )
    .await;
    let bigger = admin(
        &app,
        request(Method::PATCH, &loan_uri(&loan))
            .json(&json!({"amount": "10000.00", "annual_interest_rate": "12", "term_months": 12}))
            .header("if-match", "\"2\""),
    )
    .await;

    assert_eq!(zero_rate.status, 200, "{}", zero_rate.body);
    assert_rate(&zero_rate.body, "0");
    assert_eq!(zero_rate.body["amount"], "1000.00");
    assert_eq!(zero_rate.body["term_months"], 3);
    assert_eq!(zero_rate.body["purpose"], "Tools");
    assert_eq!(zero_rate.body["currency"], "MXN");
    assert_eq!(zero_rate.body["monthly_payment"], "333.34");
    assert_eq!(zero_rate.body["total_interest"], "0.00");
    assert_eq!(zero_rate.body["total_payable"], "1000.00");
    assert_eq!(zero_rate.body["version"], 2);
    assert_eq!(zero_rate.header("etag"), Some("\"2\""));
    assert_eq!(bigger.status, 200, "{}", bigger.body);
    assert_eq!(bigger.body["monthly_payment"], "888.49");
    assert_eq!(bigger.body["total_interest"], "661.86");
    assert_eq!(bigger.body["total_payable"], "10661.86");
    assert_eq!(bigger.body["purpose"], "Tools", "untouched by the patch");
    assert_eq!(bigger.body["version"], 3);
    assert_eq!(bigger.body["status"], "pending");
    assert_eq!(fetch(&app, &loan).await.body, bigger.body);
}

#[tokio::test]
async fn patch_loan_returns_422_for_invalid_terms_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let loan = create_loan(&app, &id(&client)).await;
    let before = app.all_items().await;
    let cases = [
        (json!({"amount": "0"}), vec!["/amount"], "a zero amount"),
        (
            json!({"amount": "1.001"}),
            vec!["/amount"],
            "three decimals",
        ),
        (
            json!({"currency": "ZZZ"}),
            vec!["/currency"],
            "an unknown currency",
        ),
        (
            json!({"annual_interest_rate": "101"}),
            vec!["/annual_interest_rate"],
            "a rate over 100",
        ),
        (
            json!({"term_months": 0}),
            vec!["/term_months"],
            "zero months",
        ),
        (
            json!({"amount": "-1", "term_months": 999}),
            vec!["/amount", "/term_months"],
            "two invalid fields, two pointers",
        ),
        (
            json!({"status": "open"}),
            vec!["/status"],
            "an unknown status",
        ),
        (
            json!({"status": "Approved"}),
            vec!["/status"],
            "a status in another case",
        ),
        (
            json!({"status": 1}),
            vec!["/status"],
            "a status of the wrong type",
        ),
        (json!({"status": null}), vec!["/status"], "a null status"),
        (
            json!({"colour": "red"}),
            vec!["/colour"],
            "an unknown field",
        ),
    ];
    for (patch, pointers, why) in cases {
        let response = admin(&app, request(Method::PATCH, &loan_uri(&loan)).json(&patch)).await;
        assert_eq!(response.status, 422, "{why}: {}", response.body);
        response.assert_problem(422);
        assert_eq!(sorted(response.error_pointers()), pointers, "{why}");
    }
    assert_eq!(app.all_items().await, before, "nothing changed");
}

#[tokio::test]
async fn loan_updates_refuse_every_server_owned_field_with_422() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let other = create_client(&app).await;
    let loan = create_loan(&app, &id(&client)).await;
    let before = app.all_items().await;
    let cases = [
        ("id", json!(ulid::Ulid::generate().to_string())),
        ("client_id", json!(id(&other))),
        ("version", json!(99)),
        ("monthly_payment", json!("1.00")),
        ("total_interest", json!("0.00")),
        ("total_payable", json!("1.00")),
        ("created_at", json!("2000-01-01T00:00:00Z")),
        ("updated_at", json!("2000-01-01T00:00:00Z")),
        ("approved_at", json!("2000-01-01T00:00:00Z")),
        ("rejected_at", json!("2000-01-01T00:00:00Z")),
        ("disbursed_at", json!("2000-01-01T00:00:00Z")),
        ("paid_at", json!("2000-01-01T00:00:00Z")),
        ("cancelled_at", json!("2000-01-01T00:00:00Z")),
    ];
    for (field, value) in cases {
        let patch = admin(
            &app,
            request(Method::PATCH, &loan_uri(&loan)).json(&json!({field: value})),
        )
        .await;
        let mut body = loan_body();
        body[field] = value.clone();
        let put = admin(&app, request(Method::PUT, &loan_uri(&loan)).json(&body)).await;

        for (response, method) in [(patch, "PATCH"), (put, "PUT")] {
            response.assert_problem(422);
            assert_eq!(
                response.error_pointers(),
                [format!("/{field}")],
                "{method} with {field}: {}",
                response.body
            );
        }
    }
    let put_status = admin(
        &app,
        request(Method::PUT, &loan_uri(&loan))
            .json(&with(&loan_body(), &json!({"status": "approved"}))),
    )
    .await;
    put_status.assert_problem(422);
    assert_eq!(
        put_status.error_pointers(),
        ["/status"],
        "PUT replaces terms; status changes go through PATCH"
    );
    assert_eq!(app.all_items().await, before, "nothing changed");
}

#[tokio::test]
async fn loan_writes_with_a_stale_if_match_return_412_and_change_nothing() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let loan = create_loan(&app, &id(&client)).await;
    let uri = loan_uri(&loan);
    let before = app.all_items().await;

    for tag in ["\"7\"", "\"0\"", "W/\"1\"", "garbage"] {
        let cases = [
            request(Method::PATCH, &uri).json(&json!({"term_months": 12})),
            request(Method::PATCH, &uri).json(&json!({"status": "approved"})),
            request(Method::PUT, &uri).json(&loan_body()),
            request(Method::DELETE, &uri),
        ];
        for req in cases {
            let response = admin(&app, req.header("if-match", tag)).await;
            assert_eq!(response.status, 412, "If-Match {tag}: {}", response.body);
            response.assert_problem(412);
        }
    }
    assert_eq!(app.all_items().await, before, "nothing changed");

    let fresh = admin(
        &app,
        request(Method::PATCH, &uri)
            .json(&json!({"term_months": 12}))
            .header("if-match", "\"1\""),
    )
    .await;
    assert_eq!(fresh.status, 200, "the current tag matches: {}", fresh.body);
    assert_eq!(fresh.header("etag"), Some("\"2\""));
}

#[tokio::test]
async fn update_loan_returns_409_when_the_loan_is_no_longer_pending() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    for status in ["approved", "rejected", "active", "paid", "cancelled"] {
        let loan = loan_in(&app, &id(&client), status).await;
        let before = app.all_items().await;
        let cases = [
            (
                request(Method::PATCH, &loan_uri(&loan)).json(&json!({"amount": "5000.00"})),
                "PATCH amount",
            ),
            (
                request(Method::PATCH, &loan_uri(&loan)).json(&json!({"term_months": 6})),
                "PATCH term",
            ),
            (
                request(Method::PATCH, &loan_uri(&loan))
                    .json(&json!({"annual_interest_rate": "1"})),
                "PATCH rate",
            ),
            (
                request(Method::PATCH, &loan_uri(&loan)).json(&json!({"currency": "USD"})),
                "PATCH currency",
            ),
            (
                request(Method::PATCH, &loan_uri(&loan)).json(&json!({"purpose": "Other"})),
                "PATCH purpose",
            ),
            (
                request(Method::PUT, &loan_uri(&loan)).json(&loan_body()),
                "PUT",
            ),
        ];
        for (req, why) in cases {
            let response = admin(&app, req).await;
            assert_eq!(
                response.status, 409,
                "{why} of a loan that is {status}: {}",
                response.body
            );
            response.assert_problem(409);
        }
        assert_eq!(
            app.all_items().await,
            before,
            "a {status} loan is unchanged"
        );
    }
}

#[tokio::test]
async fn delete_loan_returns_204_and_the_loan_is_gone() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let loan = create_loan(&app, &id(&client)).await;
    let kept = create_loan(&app, &id(&client)).await;

    let response = admin(
        &app,
        request(Method::DELETE, &loan_uri(&loan)).header("if-match", "\"1\""),
    )
    .await;

    assert_eq!(response.status, 204, "{}", response.body);
    assert!(response.body.is_null(), "no body");
    fetch(&app, &loan).await.assert_problem(404);
    admin(&app, request(Method::DELETE, &loan_uri(&loan)))
        .await
        .assert_problem(404);
    let loan_id = id(&loan);
    assert!(
        !format!("{:?}", app.all_items().await).contains(&loan_id),
        "no item mentions the deleted loan"
    );
    assert_eq!(fetch(&app, &kept).await.status, 200, "the other loan stays");
    let owner = app
        .admin(request(Method::GET, &format!("/clients/{}", id(&client))))
        .await;
    assert_eq!(owner.status, 200, "the client stays");
}

#[tokio::test]
async fn unknown_paths_are_404_and_wrong_methods_are_405_with_allow() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let loan = create_loan(&app, &id(&client)).await;
    let loans_of_client = client_loans_uri(&id(&client));
    let cases = [
        (
            Method::POST,
            loan_uri(&loan),
            vec!["DELETE", "GET", "PATCH", "PUT"],
        ),
        (Method::DELETE, "/loans".to_owned(), vec!["GET"]),
        (Method::POST, "/loans".to_owned(), vec!["GET"]),
        (Method::DELETE, loans_of_client.clone(), vec!["GET", "POST"]),
        (
            Method::POST,
            format!("{}/schedule", loan_uri(&loan)),
            vec!["GET"],
        ),
        (Method::GET, "/quotes".to_owned(), vec!["POST"]),
    ];
    for (method, uri, allow) in cases {
        let response = admin(&app, request(method.clone(), &uri)).await;
        assert_eq!(response.status, 405, "{method} {uri}: {}", response.body);
        response.assert_problem(405);
        let expected: BTreeSet<String> = allow.into_iter().map(str::to_owned).collect();
        assert_eq!(allowed_methods(&response), expected, "Allow for {uri}");
    }
    for uri in [
        format!("{}/extra", loan_uri(&loan)),
        format!("{}/schedule/1", loan_uri(&loan)),
        format!("{loans_of_client}/{}", id(&loan)),
        "/quotes/1".to_owned(),
        "/loan".to_owned(),
    ] {
        let response = app
            .as_admin(loans_handler, request(Method::GET, &uri))
            .await;
        assert_eq!(response.status, 404, "{uri}: {}", response.body);
        response.assert_problem(404);
    }
}

/// Every loan route, with a body where the route takes one.
fn loan_routes(client_id: &str, loan: &Value) -> Vec<(Method, String, Option<Value>)> {
    let one = loan_uri(loan);
    vec![
        (Method::POST, client_loans_uri(client_id), Some(loan_body())),
        (Method::GET, client_loans_uri(client_id), None),
        (Method::GET, "/loans".into(), None),
        (Method::GET, one.clone(), None),
        (Method::PUT, one.clone(), Some(loan_body())),
        (
            Method::PATCH,
            one.clone(),
            Some(json!({"status": "cancelled"})),
        ),
        (Method::DELETE, one.clone(), None),
        (Method::GET, format!("{one}/schedule"), None),
        (
            Method::POST,
            "/quotes".into(),
            Some(json!({"amount": "1000.00", "annual_interest_rate": "12", "term_months": 12})),
        ),
    ]
}

fn build(method: Method, uri: &str, body: &Option<Value>) -> TestRequest {
    let req = request(method, uri);
    match body {
        Some(body) => req.json(body),
        None => req,
    }
}

#[tokio::test]
async fn every_loan_route_refuses_missing_and_bad_tokens_with_401() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let loan = create_loan(&app, &id(&client)).await;
    let before = app.all_items().await;
    let now = chrono::Utc::now().timestamp();
    let claims = |exp: i64| {
        json!({"sub": "mallory", "role": "admin", "client_id": null, "iss": "lending-api",
               "aud": "lending-api", "iat": now - 7200, "exp": exp, "jti": "forged"})
    };
    let sign = |claims: &Value, secret: &str| {
        encode(
            &Header::default(),
            claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    };
    let bad = [
        ("Bearer not-a-jwt".to_owned(), "a malformed token"),
        ("Basic YWRtaW46YWRtaW4=".to_owned(), "another scheme"),
        (
            format!("Bearer {}", sign(&claims(now - 3600), TEST_TOKEN_SECRET)),
            "an expired token",
        ),
        (
            format!(
                "Bearer {}",
                sign(&claims(now + 600), "another-secret-of-sufficient-length!!")
            ),
            "a token signed with another key",
        ),
    ];

    for (method, uri, body) in loan_routes(&id(&client), &loan) {
        let response = app.send(build(method.clone(), &uri, &body)).await;
        assert_eq!(response.status, 401, "{method} {uri} without a token");
        response.assert_problem(401);
        assert_eq!(
            response.header("www-authenticate"),
            Some("Bearer"),
            "{method} {uri}"
        );
        for (authorization, why) in &bad {
            let req = build(method.clone(), &uri, &body).header("authorization", authorization);
            let response = app.send(req).await;
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
async fn a_customer_applies_for_its_own_loan_and_reads_it() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let own = id(&client);
    let product = create_product(&app, &json!({})).await;

    let created = customer(
        &app,
        &own,
        request(Method::POST, &client_loans_uri(&own)).json(&application(&product)),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let loan = created.body.clone();
    let read = customer(&app, &own, request(Method::GET, &loan_uri(&loan))).await;
    let schedule = customer(
        &app,
        &own,
        request(Method::GET, &format!("{}/schedule", loan_uri(&loan))),
    )
    .await;
    let of_client = customer(&app, &own, request(Method::GET, &client_loans_uri(&own))).await;
    let all = customer(&app, &own, request(Method::GET, "/loans")).await;

    assert_eq!(loan["status"], "pending");
    assert_eq!(loan["client_id"], client["id"]);
    assert_eq!(created.header("location"), Some(loan_uri(&loan).as_str()));
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.body, loan);
    assert_eq!(read.header("etag"), Some("\"1\""));
    assert_eq!(schedule.status, 200, "{}", schedule.body);
    assert_eq!(schedule.body["loan_id"], loan["id"]);
    assert_eq!(of_client.status, 200, "{}", of_client.body);
    assert_eq!(
        of_client.body,
        json!({"items": [loan], "next_cursor": null})
    );
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(all.body, json!({"items": [loan], "next_cursor": null}));
}

#[tokio::test]
async fn a_customer_application_cannot_choose_its_status_or_figures() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let own = id(&client);
    let before = app.all_items().await;
    for (field, value) in [
        ("status", json!("approved")),
        ("status", json!("active")),
        ("monthly_payment", json!("1.00")),
        ("client_id", json!(ulid::Ulid::generate().to_string())),
    ] {
        let mut body = loan_body();
        body[field] = value;
        let response = customer(
            &app,
            &own,
            request(Method::POST, &client_loans_uri(&own)).json(&body),
        )
        .await;
        response.assert_problem(422);
        assert_eq!(response.error_pointers(), [format!("/{field}")]);
    }
    assert_eq!(app.all_items().await, before, "nothing was written");
}

#[tokio::test]
async fn a_customer_sees_another_clients_loans_and_client_as_missing() {
    let app = TestApp::spawn().await;
    let own = id(&create_client(&app).await);
    let other = id(&create_client(&app).await);
    let theirs = create_loan(&app, &other).await;
    let missing_loan = format!("/loans/{}", ulid::Ulid::generate());
    let missing_client = ulid::Ulid::generate().to_string();
    let before = app.all_items().await;
    let cases = [
        (
            request(Method::GET, &loan_uri(&theirs)),
            request(Method::GET, &missing_loan),
            "reading the loan",
        ),
        (
            request(Method::GET, &format!("{}/schedule", loan_uri(&theirs))),
            request(Method::GET, &format!("{missing_loan}/schedule")),
            "reading its schedule",
        ),
        (
            request(Method::PATCH, &loan_uri(&theirs)).json(&json!({"status": "cancelled"})),
            request(Method::PATCH, &missing_loan).json(&json!({"status": "cancelled"})),
            "cancelling it",
        ),
        (
            request(Method::GET, &client_loans_uri(&other)),
            request(Method::GET, &client_loans_uri(&missing_client)),
            "listing the client's loans",
        ),
        (
            request(Method::POST, &client_loans_uri(&other)).json(&loan_body()),
            request(Method::POST, &client_loans_uri(&missing_client)).json(&loan_body()),
            "applying for the other client",
        ),
    ];
    for (foreign, missing, why) in cases {
        let foreign = customer(&app, &own, foreign).await;
        let missing = customer(&app, &own, missing).await;
        assert_eq!(foreign.status, 404, "{why}: {}", foreign.body);
        foreign.assert_problem(404);
        missing.assert_problem(404);
        assert_same_problem(&foreign, &missing, why);
    }
    assert_eq!(app.all_items().await, before, "nothing changed");
}

#[tokio::test]
async fn a_customer_gets_403_for_put_delete_and_any_status_change_but_cancelling() {
    let app = TestApp::spawn().await;
    let own = id(&create_client(&app).await);
    let loan = create_loan(&app, &own).await;
    let before = app.all_items().await;
    let mut cases = vec![
        (
            request(Method::PUT, &loan_uri(&loan)).json(&loan_body()),
            "PUT".to_owned(),
        ),
        (
            request(Method::DELETE, &loan_uri(&loan)),
            "DELETE".to_owned(),
        ),
    ];
    for status in ["pending", "approved", "rejected", "active", "paid"] {
        cases.push((
            request(Method::PATCH, &loan_uri(&loan)).json(&json!({"status": status})),
            format!("PATCH status {status}"),
        ));
    }
    for (req, why) in cases {
        let response = customer(&app, &own, req).await;
        assert_eq!(response.status, 403, "{why}: {}", response.body);
        response.assert_problem(403);
    }
    assert_eq!(app.all_items().await, before, "nothing changed");
}

#[tokio::test]
async fn a_customer_patch_with_terms_returns_422_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let own = id(&create_client(&app).await);
    let loan = create_loan(&app, &own).await;
    let before = app.all_items().await;
    let cases = [
        (
            json!({"amount": "5000.00"}),
            vec!["/amount"],
            "a new amount",
        ),
        (
            json!({"term_months": 12}),
            vec!["/term_months"],
            "a new term",
        ),
        (
            json!({"status": "cancelled", "purpose": "Changed my mind"}),
            vec!["/purpose"],
            "cancelling with a new purpose",
        ),
        (
            json!({"annual_interest_rate": "1", "currency": "USD"}),
            vec!["/annual_interest_rate", "/currency"],
            "a lower rate in another currency",
        ),
    ];
    for (patch, pointers, why) in cases {
        let response = customer(
            &app,
            &own,
            request(Method::PATCH, &loan_uri(&loan)).json(&patch),
        )
        .await;
        assert_eq!(response.status, 422, "{why}: {}", response.body);
        response.assert_problem(422);
        assert_eq!(sorted(response.error_pointers()), pointers, "{why}");
    }
    assert_eq!(app.all_items().await, before, "nothing changed");
}
