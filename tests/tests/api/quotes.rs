//! Amortization schedules: `GET /loans/{loan_id}/schedule` and `POST /quotes`. Every
//! schedule is checked against the contract's French amortization rules, recomputed here
//! independently in integer minor units.

use api_tests::factories::loan_body;
use api_tests::*;
use chrono::{Months, NaiveDate, Utc};
use http::Method;
use serde_json::{Value, json};

use api_tests::loan::{admin, create_loan_with, customer, drive, fetch, id, loan_uri, with};

async fn quote(app: &TestApp, body: &Value) -> TestResponse {
    admin(app, request(Method::POST, "/quotes").json(body)).await
}

async fn schedule_of(app: &TestApp, loan: &Value) -> TestResponse {
    admin(
        app,
        request(Method::GET, &format!("{}/schedule", loan_uri(loan))),
    )
    .await
}

fn installments(schedule: &Value) -> &Vec<Value> {
    schedule["installments"]
        .as_array()
        .unwrap_or_else(|| panic!("a schedule has installments: {schedule}"))
}

/// A money string in minor units, asserting it has exactly `decimals` places.
fn minor(value: &Value, decimals: usize, what: &str) -> i128 {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("{what} is a string, is {value}"));
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    assert_eq!(
        fraction.len(),
        decimals,
        "{what} {text:?} has the currency's {decimals} minor units"
    );
    if decimals == 0 {
        assert!(!text.contains('.'), "{what} {text:?} has no decimal point");
    }
    format!("{whole}{fraction}")
        .parse()
        .unwrap_or_else(|_| panic!("{what} {text:?} is a decimal"))
}

/// A decimal string as digits and scale: `"12.5"` is `(125, 1)`.
fn scaled(text: &str) -> (i128, u32) {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits: i128 = format!("{whole}{fraction}").parse().expect("a decimal");
    (digits, fraction.len() as u32)
}

/// `n / d` rounded half to even, for `n >= 0` and `d > 0`.
fn div_half_even(n: i128, d: i128) -> i128 {
    let (q, r) = (n / d, n % d);
    match (2 * r).cmp(&d) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q % 2),
    }
}

/// The terms a schedule was computed from.
struct Terms<'a> {
    amount: &'a str,
    rate: &'a str,
    term: u32,
    decimals: usize,
}

/// Asserts `schedule` follows the contract: equal installments except the last, which is
/// no larger than the others, interest on the declining balance rounded half to even,
/// principal = payment − interest, the last installment settling the balance to exactly
/// zero, and totals that add up. The installment is the smallest such one (one unit less
/// would leave a larger last installment); at a zero rate that is the amount divided by
/// the term, rounded up.
fn assert_amortizes(schedule: &Value, terms: &Terms<'_>) {
    let d = terms.decimals;
    let amount = {
        let (digits, scale) = scaled(terms.amount);
        digits * 10i128.pow(d as u32) / 10i128.pow(scale)
    };
    let (rate, rate_scale) = scaled(terms.rate);
    let rate_divisor = 1200 * 10i128.pow(rate_scale);
    let rows = installments(schedule);
    assert_eq!(rows.len(), terms.term as usize, "one installment per month");
    let monthly = minor(&schedule["monthly_payment"], d, "monthly_payment");
    let (mut balance, mut interest_sum, mut payment_sum) = (amount, 0i128, 0i128);
    for (index, row) in rows.iter().enumerate() {
        let number = index as u32 + 1;
        let what = |field: &str| format!("installment {number} {field}");
        assert_eq!(row["number"], number, "installments are numbered from 1");
        let payment = minor(&row["payment"], d, &what("payment"));
        let principal = minor(&row["principal"], d, &what("principal"));
        let interest = minor(&row["interest"], d, &what("interest"));
        let left = minor(&row["balance"], d, &what("balance"));
        assert_eq!(
            interest,
            div_half_even(balance * rate, rate_divisor),
            "{}: balance × monthly rate, half to even",
            what("interest")
        );
        assert_eq!(payment, principal + interest, "{}", what("payment"));
        if number < terms.term {
            assert_eq!(
                payment,
                monthly,
                "{}: the regular installment",
                what("payment")
            );
        } else {
            assert_eq!(
                principal, balance,
                "the last installment settles the balance"
            );
        }
        balance -= principal;
        assert_eq!(left, balance, "{}", what("balance"));
        assert!(principal >= 0 && balance >= 0, "{}", what("principal"));
        interest_sum += interest;
        payment_sum += payment;
    }
    assert_eq!(balance, 0, "the loan is repaid exactly");
    assert_eq!(
        minor(&schedule["total_interest"], d, "total_interest"),
        interest_sum
    );
    assert_eq!(
        minor(&schedule["total_payable"], d, "total_payable"),
        amount + interest_sum
    );
    assert_eq!(payment_sum, amount + interest_sum, "payments add up");
    let last = minor(&rows[rows.len() - 1]["payment"], d, "last payment");
    assert!(
        last > 0 && last <= monthly,
        "the last installment {last} is in (0, {monthly}]"
    );
    // One unit less, every other month, leaves a last installment above it.
    let mut less = amount;
    for _ in 1..terms.term {
        less += div_half_even(less * rate, rate_divisor) - (monthly - 1);
    }
    let last_with_less = less + div_half_even(less * rate, rate_divisor);
    assert!(
        last_with_less > monthly - 1,
        "{monthly} is the smallest installment whose last one is no larger"
    );
}

/// Asserts installment `k` is due `k` calendar months after `start`.
fn due_from(schedule: &Value, start: NaiveDate) -> bool {
    installments(schedule).iter().enumerate().all(|(k, row)| {
        let due = start
            .checked_add_months(Months::new(k as u32 + 1))
            .expect("in range")
            .format("%Y-%m-%d")
            .to_string();
        row["due_date"] == due.as_str()
    })
}

/// `schedule` without its due dates, to compare figures whatever day it is computed on.
fn without_due_dates(schedule: &Value) -> Value {
    let mut schedule = schedule.clone();
    for row in schedule["installments"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        row.as_object_mut().map(|row| row.remove("due_date"));
    }
    schedule
}

#[tokio::test]
async fn quote_returns_the_contract_example_and_stores_nothing() {
    let app = TestApp::spawn().await;

    let response = quote(
        &app,
        &json!({"amount": "10000.00", "currency": "MXN", "annual_interest_rate": "12", "term_months": 12}),
    )
    .await;

    assert_eq!(response.status, 200, "{}", response.body);
    let body = &response.body;
    let mut fields: Vec<&String> = body.as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "currency",
            "installments",
            "loan_id",
            "monthly_payment",
            "total_interest",
            "total_payable"
        ]
    );
    assert!(body["loan_id"].is_null(), "a quote is no loan");
    assert_eq!(body["currency"], "MXN");
    assert_eq!(body["monthly_payment"], "888.49");
    assert_eq!(body["total_interest"], "661.86");
    assert_eq!(body["total_payable"], "10661.86");
    let rows = installments(body);
    assert_eq!(rows.len(), 12);
    let mut first = rows[0].clone();
    first.as_object_mut().unwrap().remove("due_date");
    assert_eq!(
        first,
        json!({"number": 1, "payment": "888.49", "interest": "100.00", "principal": "788.49", "balance": "9211.51"})
    );
    assert_eq!(rows[11]["balance"], "0.00");
    assert_eq!(rows[11]["payment"], "888.47");
    let mut keys: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "balance",
            "due_date",
            "interest",
            "number",
            "payment",
            "principal"
        ]
    );
    assert_amortizes(
        body,
        &Terms {
            amount: "10000.00",
            rate: "12",
            term: 12,
            decimals: 2,
        },
    );
    assert!(app.all_items().await.is_empty(), "a quote stores nothing");
}

#[tokio::test]
async fn quote_with_a_zero_rate_rounds_the_installment_up_and_the_last_takes_less() {
    let app = TestApp::spawn().await;

    let response = quote(
        &app,
        &json!({"amount": "1000.00", "annual_interest_rate": "0", "term_months": 3}),
    )
    .await;

    assert_eq!(response.status, 200, "{}", response.body);
    let payments: Vec<&Value> = installments(&response.body)
        .iter()
        .map(|row| &row["payment"])
        .collect();
    assert_eq!(payments, ["333.34", "333.34", "333.32"]);
    let interest: Vec<&Value> = installments(&response.body)
        .iter()
        .map(|row| &row["interest"])
        .collect();
    assert_eq!(interest, ["0.00", "0.00", "0.00"]);
    assert_eq!(response.body["monthly_payment"], "333.34");
    assert_eq!(response.body["total_interest"], "0.00");
    assert_eq!(response.body["total_payable"], "1000.00");
}

#[tokio::test]
async fn quote_in_yen_uses_whole_units() {
    let app = TestApp::spawn().await;

    let response = quote(
        &app,
        &json!({"amount": "500000", "currency": "JPY", "annual_interest_rate": "12", "term_months": 12}),
    )
    .await;

    assert_eq!(response.status, 200, "{}", response.body);
    let body = &response.body;
    assert_eq!(body["currency"], "JPY");
    assert_eq!(body["monthly_payment"], "44425");
    assert_eq!(body["total_interest"], "33092");
    assert_eq!(body["total_payable"], "533092");
    let rows = installments(body);
    assert_eq!(rows[0]["interest"], "5000");
    assert_eq!(rows[0]["principal"], "39425");
    assert_eq!(rows[0]["balance"], "460575");
    assert_eq!(rows[11]["payment"], "44417");
    assert_eq!(rows[11]["balance"], "0");
    assert_amortizes(
        body,
        &Terms {
            amount: "500000",
            rate: "12",
            term: 12,
            decimals: 0,
        },
    );
}

#[tokio::test]
async fn quote_defaults_to_mxn_and_refuses_json_numbers_for_money() {
    let app = TestApp::spawn().await;
    let explicit = quote(
        &app,
        &json!({"amount": "10000.00", "currency": "MXN", "annual_interest_rate": "12.5", "term_months": 12}),
    )
    .await;
    let defaulted = quote(
        &app,
        &json!({"amount": "10000", "annual_interest_rate": "12.5", "term_months": 12}),
    )
    .await;
    let as_numbers = quote(
        &app,
        &json!({"amount": 10000, "annual_interest_rate": 12.5, "term_months": 12}),
    )
    .await;

    assert_eq!(defaulted.status, 200, "{}", defaulted.body);
    assert_eq!(defaulted.body["currency"], "MXN");
    assert_eq!(defaulted.body, explicit.body, "MXN is the default");
    as_numbers.assert_problem(422);
    // The body stops being read at its first value of the wrong type.
    assert_eq!(as_numbers.error_pointers(), ["/amount"]);
}

#[tokio::test]
async fn a_quote_whose_installment_would_hide_a_balloon_is_refused() {
    let app = TestApp::spawn().await;
    // 100,000.00 at 48 % over 360 months: 4,000.00 a month is all interest; the smallest
    // installment that repays the loan by its last month repays it decades early.
    for body in [
        json!({"amount": "100000.00", "annual_interest_rate": "48", "term_months": 360}),
        json!({"amount": "10000000", "currency": "USD", "annual_interest_rate": "100", "term_months": 360}),
        json!({"amount": "0.20", "annual_interest_rate": "12", "term_months": 12}),
    ] {
        let response = quote(&app, &body).await;
        response.assert_problem(422);
        assert_eq!(response.error_pointers(), ["/term_months"], "{body}");
        let detail = response.body["errors"][0]["detail"].as_str().unwrap();
        assert!(
            detail.contains("shorten the term or lower the rate"),
            "{detail}"
        );
    }
}

#[tokio::test]
async fn quotes_follow_the_amortization_rules_for_many_terms() {
    let app = TestApp::spawn().await;
    let mut cases = vec![
        ("250000.00".to_owned(), "MXN", "18.5".to_owned(), 60, 2),
        ("1000000".to_owned(), "JPY", "9.5".to_owned(), 24, 0),
        ("5000000.00".to_owned(), "MXN", "35.75".to_owned(), 360, 2),
        ("1234.56".to_owned(), "MXN", "0".to_owned(), 7, 2),
        ("99.99".to_owned(), "MXN", "0.0001".to_owned(), 1, 2),
        ("1000.125".to_owned(), "KWD", "7".to_owned(), 12, 3),
        ("10000.00".to_owned(), "EUR", "12.3456".to_owned(), 13, 2),
    ];
    for _ in 0..5 {
        let body = loan_body();
        cases.push((
            body["amount"].as_str().unwrap().to_owned(),
            "MXN",
            body["annual_interest_rate"].as_str().unwrap().to_owned(),
            body["term_months"].as_u64().unwrap() as u32,
            2,
        ));
    }
    for (amount, currency, rate, term, decimals) in cases {
        let body = json!({"amount": amount, "currency": currency, "annual_interest_rate": rate, "term_months": term});

        let response = quote(&app, &body).await;

        assert_eq!(response.status, 200, "{body}: {}", response.body);
        assert_eq!(response.body["currency"], currency);
        assert_amortizes(
            &response.body,
            &Terms {
                amount: &amount,
                rate: &rate,
                term,
                decimals,
            },
        );
    }
}

#[tokio::test]
async fn quote_installments_are_due_monthly_from_today() {
    let app = TestApp::spawn().await;
    let before = Utc::now().date_naive();

    let response = quote(
        &app,
        &json!({"amount": "10000.00", "annual_interest_rate": "12", "term_months": 36}),
    )
    .await;

    let after = Utc::now().date_naive();
    assert_eq!(response.status, 200, "{}", response.body);
    assert!(
        due_from(&response.body, before) || due_from(&response.body, after),
        "installment k is due k months from today: {}",
        response.body["installments"]
    );
}

#[tokio::test]
async fn quote_returns_422_with_a_pointer_per_invalid_field() {
    let app = TestApp::spawn().await;
    let valid = json!({"amount": "10000.00", "currency": "MXN", "annual_interest_rate": "12", "term_months": 12});
    let cases = [
        (json!({"amount": "0"}), vec!["/amount"], "a zero amount"),
        (
            json!({"amount": "-5"}),
            vec!["/amount"],
            "a negative amount",
        ),
        (
            json!({"amount": "10000000.01"}),
            vec!["/amount"],
            "over ten million",
        ),
        (
            json!({"amount": "100.001"}),
            vec!["/amount"],
            "three decimals in MXN",
        ),
        (
            json!({"amount": "500000.5", "currency": "JPY"}),
            vec!["/amount"],
            "decimals in yen",
        ),
        (json!({"amount": "lots"}), vec!["/amount"], "not a number"),
        (
            json!({"currency": "ABC"}),
            vec!["/currency"],
            "an unknown currency",
        ),
        (
            json!({"annual_interest_rate": "100.5"}),
            vec!["/annual_interest_rate"],
            "a rate over 100",
        ),
        (
            json!({"annual_interest_rate": -1}),
            vec!["/annual_interest_rate"],
            "a negative rate",
        ),
        (
            json!({"annual_interest_rate": "1.23456"}),
            vec!["/annual_interest_rate"],
            "five decimals",
        ),
        (
            json!({"term_months": 0}),
            vec!["/term_months"],
            "zero months",
        ),
        (
            json!({"term_months": 361}),
            vec!["/term_months"],
            "over 360 months",
        ),
        (
            json!({"term_months": 1.5}),
            vec!["/term_months"],
            "a fraction",
        ),
        (
            json!({"amount": "0", "term_months": 0}),
            vec!["/amount", "/term_months"],
            "two invalid fields, two pointers",
        ),
        (
            json!({"colour": "red"}),
            vec!["/colour"],
            "an unknown field",
        ),
        (
            json!({"status": "approved"}),
            vec!["/status"],
            "a loan's status",
        ),
    ];
    for (patch, pointers, why) in cases {
        let response = quote(&app, &with(&valid, &patch)).await;
        assert_eq!(response.status, 422, "{why}: {}", response.body);
        response.assert_problem(422);
        let mut found = response.error_pointers();
        found.sort();
        assert_eq!(found, pointers, "{why}");
    }
    let missing = quote(&app, &json!({})).await;
    missing.assert_problem(422);
    let mut found = missing.error_pointers();
    found.sort();
    assert_eq!(
        found,
        ["/amount", "/annual_interest_rate", "/term_months"],
        "every missing field"
    );
    assert!(app.all_items().await.is_empty());
}

#[tokio::test]
async fn quote_rejects_malformed_bodies() {
    let app = TestApp::spawn().await;
    let body = json!({"amount": "1000.00", "annual_interest_rate": "12", "term_months": 12});
    let huge = json!({"amount": "1".repeat(70 * 1024)}).to_string();
    let cases = [
        (
            request(Method::POST, "/quotes")
                .raw_body("{\"amount\": ")
                .header("content-type", "application/json"),
            400,
            "truncated JSON",
        ),
        (
            request(Method::POST, "/quotes")
                .raw_body("")
                .header("content-type", "application/json"),
            400,
            "an empty body",
        ),
        (
            request(Method::POST, "/quotes").raw_body(body.to_string()),
            415,
            "no content type",
        ),
        (
            request(Method::POST, "/quotes")
                .raw_body(body.to_string())
                .header("content-type", "application/xml"),
            415,
            "another content type",
        ),
        (
            request(Method::POST, "/quotes")
                .raw_body(huge)
                .header("content-type", "application/json"),
            413,
            "over 64 KiB",
        ),
    ];
    for (req, status, why) in cases {
        let response = admin(&app, req).await;
        assert_eq!(response.status, status, "{why}: {}", response.body);
        response.assert_problem(status);
    }
}

#[tokio::test]
async fn a_customer_may_ask_for_a_quote() {
    let app = TestApp::spawn().await;
    let own = id(&create_client(&app).await);
    let body = json!({"amount": "10000.00", "annual_interest_rate": "12", "term_months": 12});

    let response = customer(&app, &own, request(Method::POST, "/quotes").json(&body)).await;

    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.body["monthly_payment"], "888.49");
    assert_eq!(
        app.all_items().await.len(),
        3,
        "only the client and its guards"
    );
}

#[tokio::test]
async fn schedule_of_a_loan_not_yet_active_matches_its_figures_and_is_due_from_today() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    let body = json!({"amount": "10000.00", "annual_interest_rate": "12", "term_months": 12});
    for status in ["pending", "approved"] {
        let loan = drive(&app, create_loan_with(&app, &client, &body).await, status).await;
        let before = Utc::now().date_naive();

        let response = schedule_of(&app, &loan).await;

        let after = Utc::now().date_naive();
        assert_eq!(response.status, 200, "{status}: {}", response.body);
        let schedule = &response.body;
        assert_eq!(schedule["loan_id"], loan["id"]);
        assert_eq!(schedule["currency"], "MXN");
        for figure in ["monthly_payment", "total_interest", "total_payable"] {
            assert_eq!(schedule[figure], loan[figure], "{status}: {figure}");
        }
        assert_eq!(schedule["monthly_payment"], "888.49");
        assert_eq!(installments(schedule)[0]["interest"], "100.00");
        assert_eq!(installments(schedule)[11]["balance"], "0.00");
        assert!(
            due_from(schedule, before) || due_from(schedule, after),
            "{status}: due monthly from today: {}",
            schedule["installments"]
        );
        let preview = quote(&app, &body).await.body;
        assert_eq!(
            without_due_dates(&with(schedule, &json!({"loan_id": null}))),
            without_due_dates(&preview),
            "{status}: a quote of the same terms is the same schedule"
        );
    }
}

#[tokio::test]
async fn schedule_of_an_active_loan_is_due_monthly_from_its_disbursement_date() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    for status in ["active", "paid"] {
        let loan = drive(
            &app,
            create_loan_with(&app, &client, &loan_body()).await,
            status,
        )
        .await;
        let disbursed = loan["disbursed_at"].as_str().expect("disbursed_at is set");
        let disbursed = NaiveDate::parse_from_str(&disbursed[..10], "%Y-%m-%d").unwrap();

        let response = schedule_of(&app, &loan).await;

        assert_eq!(response.status, 200, "{status}: {}", response.body);
        assert!(
            due_from(&response.body, disbursed),
            "{status}: due monthly from {disbursed}: {}",
            response.body["installments"]
        );
        // A paid loan's schedule is the plan it was paid along: its figures are what was
        // charged (paid off on its first day, no interest), not the advertised ones.
        if status == "active" {
            for figure in ["monthly_payment", "total_interest", "total_payable"] {
                assert_eq!(response.body[figure], loan[figure], "{status}: {figure}");
            }
        }
    }
}

#[tokio::test]
async fn every_loans_figures_equal_its_schedules() {
    let app = TestApp::spawn().await;
    for _ in 0..6 {
        let client = id(&create_client(&app).await);
        let body = loan_body();
        let loan = create_loan_with(&app, &client, &body).await;

        let schedule = schedule_of(&app, &loan).await.body;

        for figure in ["monthly_payment", "total_interest", "total_payable"] {
            assert_eq!(schedule[figure], loan[figure], "{figure} of {body}");
        }
        assert_amortizes(
            &schedule,
            &Terms {
                amount: body["amount"].as_str().unwrap(),
                rate: body["annual_interest_rate"].as_str().unwrap(),
                term: body["term_months"].as_u64().unwrap() as u32,
                decimals: 2,
            },
        );
    }
}

#[tokio::test]
async fn schedule_follows_the_terms_after_they_change() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    let loan = create_loan_with(&app, &client, &loan_body()).await;

    let changed = admin(
        &app,
        request(Method::PATCH, &loan_uri(&loan))
            .json(&json!({"amount": "1000.00", "annual_interest_rate": "0", "term_months": 3})),
    )
    .await;
    let schedule = schedule_of(&app, &loan).await;

    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(schedule.status, 200, "{}", schedule.body);
    let payments: Vec<&Value> = installments(&schedule.body)
        .iter()
        .map(|row| &row["payment"])
        .collect();
    assert_eq!(payments, ["333.34", "333.34", "333.32"]);
    assert_eq!(
        schedule.body["monthly_payment"],
        fetch(&app, &loan).await.body["monthly_payment"]
    );
}
