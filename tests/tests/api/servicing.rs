//! Servicing through the API: disbursement value dates, repayments and their allocation,
//! payoff and balance as of a day, the arrears list, reversals that replay the ledger,
//! write-offs, roles, exactly-once posting and concurrent postings.
//!
//! Every loan here is disbursed on a fixed day in the past (2025-01-15), so each figure is
//! a constant derived by hand from the contract (see `shared::domain::servicing::tests`)
//! and no assertion depends on today's date, except the arrears list, whose margins are
//! months wide.

use api_tests::*;
use futures::future::join_all;
use http::Method;
use serde_json::{Value, json};

use api_tests::loan::{
    admin, create_loan_with, customer, drive, fetch, id, loan_uri, repay, set_status,
};

/// 1,200.00 MXN at 12 % over 3 months: installments of 408.03 due 2025-02-15, 03-15 and
/// 04-15 when disbursed on 2025-01-15; interest 12.00, 8.04, 4.04.
fn small_loan() -> Value {
    json!({"amount": "1200.00", "currency": "MXN", "annual_interest_rate": "12", "term_months": 3})
}

const DISBURSED: &str = "2025-01-15";

/// A bespoke loan of `body` for a new client, approved and disbursed on `on`.
async fn disbursed_loan(app: &TestApp, body: &Value, on: &str) -> (String, Value) {
    let client = create_client(app).await;
    let client_id = id(&client);
    let loan = create_loan_with(app, &client_id, body).await;
    let loan = drive(app, loan, "approved").await;
    let response = admin(
        app,
        request(Method::PATCH, &loan_uri(&loan))
            .json(&json!({"status": "active", "disbursed_on": on})),
    )
    .await;
    assert_eq!(response.status, 200, "disburse: {}", response.body);
    (client_id, response.body)
}

async fn get(app: &TestApp, path: &str) -> TestResponse {
    admin(app, request(Method::GET, path)).await
}

fn sub(loan: &Value, rest: &str) -> String {
    format!("{}/{rest}", loan_uri(loan))
}

async fn transactions(app: &TestApp, loan: &Value) -> Vec<Value> {
    let response = get(app, &sub(loan, "transactions?limit=100")).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_loan_is_disbursed_on_its_value_date_and_repaid_to_paid() {
    let app = TestApp::spawn().await;
    let (_, loan) = disbursed_loan(&app, &small_loan(), DISBURSED).await;
    assert_eq!(loan["status"], "active");
    assert_eq!(loan["disbursed_on"], DISBURSED);

    let ledger = transactions(&app, &loan).await;
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0]["type"], "disbursement");
    assert_eq!(ledger[0]["amount"], "1200.00");
    assert_eq!(ledger[0]["paid_on"], DISBURSED);

    let schedule = get(&app, &sub(&loan, "schedule")).await.body;
    let dues: Vec<&str> = schedule["installments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["due_date"].as_str().unwrap())
        .collect();
    assert_eq!(dues, ["2025-02-15", "2025-03-15", "2025-04-15"]);

    // The first installment on its due date: its interest, then its principal.
    let first = repay(&app, &loan, &json!("408.03"), Some("2025-02-15")).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.body["type"], "repayment");
    assert_eq!(
        first.body["allocation"],
        json!({"interest": "12.00", "principal": "396.03"})
    );
    assert_eq!(
        first.header("location"),
        Some(format!("{}/transactions/{}", loan_uri(&loan), id(&first.body)).as_str())
    );
    let second = repay(&app, &loan, &json!("408.03"), Some("2025-03-15")).await;
    assert_eq!(
        second.body["allocation"],
        json!({"interest": "8.04", "principal": "399.99"})
    );
    // The payoff on the last due date is the last installment: 403.98 + 4.04.
    let payoff = get(&app, &sub(&loan, "payoff?on=2025-04-15")).await;
    assert_eq!(payoff.status, 200, "{}", payoff.body);
    assert_eq!(payoff.body["payoff_amount"], "408.02");
    assert_eq!(payoff.body["outstanding_principal"], "403.98");
    let last = repay(&app, &loan, &json!("408.02"), Some("2025-04-15")).await;
    assert_eq!(last.status, 201, "{}", last.body);

    let loan = fetch(&app, &loan).await.body;
    assert_eq!(loan["status"], "paid");
    assert!(loan["paid_at"].is_string());
    let balance = get(&app, &sub(&loan, "balance")).await.body;
    assert_eq!(balance["payoff_amount"], "0.00");
    assert_eq!(balance["installments_paid"], 3);
    assert_eq!(balance["installments_remaining"], 0);
    assert_eq!(balance["total_paid"], "1224.08");
    let schedule = get(&app, &sub(&loan, "schedule")).await.body;
    assert!(
        schedule["installments"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["state"] == "paid")
    );

    // Newest first.
    let kinds: Vec<Value> = transactions(&app, &loan)
        .await
        .iter()
        .map(|t| t["amount"].clone())
        .collect();
    assert_eq!(
        kinds,
        [
            json!("408.02"),
            json!("408.03"),
            json!("408.03"),
            json!("1200.00")
        ]
    );
    // A paid loan takes no more repayments, and `paid` is never set by hand.
    repay(&app, &loan, &json!("1.00"), Some("2025-04-20"))
        .await
        .assert_problem(409);
}

#[tokio::test]
async fn paid_cannot_be_set_by_patch() {
    let app = TestApp::spawn().await;
    let (_, loan) = disbursed_loan(&app, &small_loan(), DISBURSED).await;
    let response = set_status(&app, &loan, "paid").await;
    response.assert_problem(409);
    assert!(
        response.body["detail"]
            .as_str()
            .unwrap()
            .contains("repayments")
    );
}

#[tokio::test]
async fn a_disbursement_value_date_is_not_in_the_future_nor_more_than_ten_years_back() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let loan = create_loan_with(&app, &id(&client), &small_loan()).await;
    let loan = drive(&app, loan, "approved").await;
    for on in ["2999-01-01", "1990-01-01", "2025-02-30", "15/01/2025"] {
        let response = admin(
            &app,
            request(Method::PATCH, &loan_uri(&loan))
                .json(&json!({"status": "active", "disbursed_on": on})),
        )
        .await;
        response.assert_problem(422);
        assert_eq!(response.error_pointers(), ["/disbursed_on"], "{on}");
    }
    let without_status = admin(
        &app,
        request(Method::PATCH, &loan_uri(&loan)).json(&json!({"disbursed_on": DISBURSED})),
    )
    .await;
    without_status.assert_problem(422);
    assert_eq!(fetch(&app, &loan).await.body["status"], "approved");
    assert!(transactions(&app, &loan).await.is_empty());
}

#[tokio::test]
async fn a_repayment_above_the_payoff_is_refused_naming_it_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let (_, loan) = disbursed_loan(&app, &small_loan(), DISBURSED).await;
    let payoff = get(&app, &sub(&loan, "payoff?on=2025-01-25")).await.body;
    // Ten days of the first period's 12.00 interest (31 days): 3.87.
    assert_eq!(payoff["payoff_amount"], "1203.87");
    assert_eq!(payoff["accrued_interest"], "3.87");
    let response = repay(&app, &loan, &json!("1203.88"), Some("2025-01-25")).await;
    response.assert_problem(422);
    assert_eq!(response.error_pointers(), ["/amount"]);
    let detail = &response.body["errors"][0]["detail"];
    assert!(detail.as_str().unwrap().contains("1203.87"), "{detail}");
    assert_eq!(transactions(&app, &loan).await.len(), 1);

    for (body, pointer) in [
        (json!({"amount": "0"}), "/amount"),
        (json!({"amount": "-5.00"}), "/amount"),
        (json!({"amount": "10.001"}), "/amount"),
        (json!({"amount": 10}), "/amount"),
        (json!({}), "/amount"),
        (
            json!({"amount": "10.00", "paid_on": "2999-01-01"}),
            "/paid_on",
        ),
        (
            json!({"amount": "10.00", "paid_on": "2025-01-14"}),
            "/paid_on",
        ),
        (
            json!({"amount": "10.00", "reference": "\u{202e}evil"}),
            "/reference",
        ),
    ] {
        let response = admin(
            &app,
            request(Method::POST, &sub(&loan, "repayments")).json(&body),
        )
        .await;
        response.assert_problem(422);
        assert_eq!(response.error_pointers(), [pointer], "{body}");
    }
    assert_eq!(transactions(&app, &loan).await.len(), 1);

    // Exactly the payoff closes it, the rest of the scheduled interest waived.
    let closing = repay(&app, &loan, &json!("1203.87"), Some("2025-01-25")).await;
    assert_eq!(closing.status, 201, "{}", closing.body);
    assert_eq!(
        closing.body["allocation"],
        json!({"interest": "3.87", "principal": "1200.00"})
    );
    assert_eq!(fetch(&app, &loan).await.body["status"], "paid");
}

#[tokio::test]
async fn the_balance_shows_the_loan_as_it_stood_at_the_end_of_a_day() {
    let app = TestApp::spawn().await;
    let (_, loan) = disbursed_loan(&app, &small_loan(), DISBURSED).await;
    assert_eq!(
        repay(&app, &loan, &json!("100.00"), Some("2025-02-15"))
            .await
            .status,
        201
    );
    let before = get(&app, &sub(&loan, "balance?on=2025-02-14")).await.body;
    assert_eq!(before["total_paid"], "0.00");
    assert_eq!(before["days_past_due"], 0);
    assert_eq!(before["delinquency"], "current");
    assert_eq!(before["next_due_date"], "2025-02-15");

    // On 2025-03-01 installment 1 is overdue by 14 days with 308.03 unpaid.
    let late = get(&app, &sub(&loan, "balance?on=2025-03-01")).await.body;
    assert_eq!(late["total_paid"], "100.00");
    assert_eq!(late["overdue_amount"], "308.03");
    assert_eq!(late["amount_due"], "308.03");
    assert_eq!(late["days_past_due"], 14);
    assert_eq!(late["delinquency"], "1-30");
    assert_eq!(late["next_due_date"], "2025-03-15");
    assert_eq!(late["next_due_amount"], "408.03");
    assert_eq!(late["installments_paid"], 0);
    assert_eq!(late["installments_remaining"], 3);
    let on_day = get(&app, &sub(&loan, "balance?on=2025-04-01")).await.body;
    assert_eq!(on_day["days_past_due"], 45);
    assert_eq!(on_day["delinquency"], "31-60");

    let schedule = get(&app, &sub(&loan, "schedule")).await.body;
    let first = &schedule["installments"][0];
    assert_eq!(first["paid"], "100.00");
    assert_eq!(first["state"], "overdue");

    get(&app, &sub(&loan, "balance?on=2025-01-14"))
        .await
        .assert_problem(422);
    get(&app, &sub(&loan, "payoff?on=yesterday"))
        .await
        .assert_problem(400);
}

#[tokio::test]
async fn a_back_dated_repayment_replays_the_ledger() {
    let app = TestApp::spawn().await;
    let (_, loan) = disbursed_loan(&app, &small_loan(), DISBURSED).await;
    let march = repay(&app, &loan, &json!("408.03"), Some("2025-03-15")).await;
    // Alone, the March repayment pays installment 1 (overdue) first.
    assert_eq!(
        march.body["allocation"],
        json!({"interest": "12.00", "principal": "396.03"})
    );
    let february = repay(&app, &loan, &json!("408.03"), Some("2025-02-15")).await;
    assert_eq!(february.status, 201, "{}", february.body);
    assert_eq!(
        february.body["allocation"],
        json!({"interest": "12.00", "principal": "396.03"})
    );
    // Replayed in value-date order, the March money now pays installment 2.
    let march = get(
        &app,
        &sub(&loan, &format!("transactions/{}", id(&march.body))),
    )
    .await;
    assert_eq!(
        march.body["allocation"],
        json!({"interest": "8.04", "principal": "399.99"})
    );
}

#[tokio::test]
async fn a_reversal_replays_without_the_repayment_and_can_reopen_a_paid_loan() {
    let app = TestApp::spawn().await;
    let (_, loan) = disbursed_loan(&app, &small_loan(), DISBURSED).await;
    let paid = repay(&app, &loan, &json!("1203.87"), Some("2025-01-25")).await;
    assert_eq!(fetch(&app, &loan).await.body["status"], "paid");
    let reversal_uri = sub(&loan, &format!("transactions/{}/reversal", id(&paid.body)));

    admin(&app, request(Method::POST, &reversal_uri).json(&json!({})))
        .await
        .assert_problem(422);
    let reversal = admin(
        &app,
        request(Method::POST, &reversal_uri).json(&json!({"reason": "Cheque bounced"})),
    )
    .await;
    assert_eq!(reversal.status, 201, "{}", reversal.body);
    assert_eq!(reversal.body["type"], "reversal");
    assert_eq!(reversal.body["reverses"], id(&paid.body));
    assert_eq!(reversal.body["amount"], "1203.87");

    let loan = fetch(&app, &loan).await.body;
    assert_eq!(loan["status"], "active");
    assert!(loan["paid_at"].is_null());
    let original = get(
        &app,
        &sub(&loan, &format!("transactions/{}", id(&paid.body))),
    )
    .await;
    assert!(original.body["reversed_at"].is_string());
    assert_eq!(original.body["reversed_by"], reversal.body["created_by"]);
    assert!(original.body["allocation"].is_null());
    assert_eq!(
        get(&app, &sub(&loan, "payoff?on=2025-01-25")).await.body["payoff_amount"],
        "1203.87"
    );

    // Each repayment once, and never a disbursement or a reversal.
    let again = admin(
        &app,
        request(Method::POST, &reversal_uri).json(&json!({"reason": "Twice"})),
    )
    .await;
    again.assert_problem(409);
    let ledger = transactions(&app, &loan).await;
    for txn in [&ledger[0], ledger.last().unwrap()] {
        admin(
            &app,
            request(
                Method::POST,
                &sub(&loan, &format!("transactions/{}/reversal", id(txn))),
            )
            .json(&json!({"reason": "Not a repayment"})),
        )
        .await
        .assert_problem(409);
    }
    assert_eq!(ledger.len(), 3, "money is never edited or deleted");
}

#[tokio::test]
async fn a_write_off_needs_a_reason_keeps_the_balance_and_takes_no_repayments() {
    let app = TestApp::spawn().await;
    let (_, loan) = disbursed_loan(&app, &small_loan(), DISBURSED).await;
    let bare = set_status(&app, &loan, "written_off").await;
    bare.assert_problem(422);
    assert_eq!(bare.error_pointers(), ["/reason"]);
    let payoff = get(&app, &sub(&loan, "payoff")).await.body["payoff_amount"].clone();
    let written = admin(
        &app,
        request(Method::PATCH, &loan_uri(&loan))
            .json(&json!({"status": "written_off", "reason": "Borrower unreachable"})),
    )
    .await;
    assert_eq!(written.status, 200, "{}", written.body);
    assert_eq!(written.body["status"], "written_off");
    assert!(written.body["written_off_at"].is_string());
    let newest = &transactions(&app, &loan).await[0];
    assert_eq!(newest["type"], "write_off");
    assert_eq!(newest["amount"], payoff);
    assert_eq!(newest["reason"], "Borrower unreachable");
    repay(&app, &loan, &json!("10.00"), None)
        .await
        .assert_problem(409);
}

#[tokio::test]
async fn customers_read_their_own_ledger_and_post_nothing() {
    let app = TestApp::spawn().await;
    let (client_id, loan) = disbursed_loan(&app, &small_loan(), DISBURSED).await;
    let other = id(&create_client(&app).await);
    for path in ["balance", "payoff", "schedule", "transactions"] {
        let own = customer(&app, &client_id, request(Method::GET, &sub(&loan, path))).await;
        assert_eq!(own.status, 200, "{path}: {}", own.body);
        customer(&app, &other, request(Method::GET, &sub(&loan, path)))
            .await
            .assert_problem(404);
    }
    let disbursement = id(&transactions(&app, &loan).await[0]);
    let posts = [
        (
            Method::POST,
            sub(&loan, "repayments"),
            json!({"amount": "10.00"}),
        ),
        (
            Method::POST,
            sub(&loan, &format!("transactions/{disbursement}/reversal")),
            json!({"reason": "mine"}),
        ),
    ];
    for (method, path, body) in posts {
        customer(&app, &client_id, request(method, &path).json(&body))
            .await
            .assert_problem(403);
    }
    customer(
        &app,
        &client_id,
        request(Method::PATCH, &loan_uri(&loan))
            .json(&json!({"status": "written_off", "reason": "mine"})),
    )
    .await
    .assert_problem(403);
    customer(
        &app,
        &client_id,
        request(Method::GET, "/loans?days_past_due_min=1"),
    )
    .await
    .assert_problem(403);
    assert_eq!(transactions(&app, &loan).await.len(), 1);
}

#[tokio::test]
async fn a_retried_repayment_posts_its_money_once() {
    let app = TestApp::spawn().await;
    let (_, loan) = disbursed_loan(&app, &small_loan(), DISBURSED).await;
    let post = || {
        request(Method::POST, &sub(&loan, "repayments"))
            .header("Idempotency-Key", "bank-ref-2025-02-15-0001")
            .json(&json!({"amount": "408.03", "paid_on": "2025-02-15", "reference": "SPEI 0001"}))
    };
    let first = admin(&app, post()).await;
    let second = admin(&app, post()).await;
    assert_eq!((first.status.as_u16(), second.status.as_u16()), (201, 201));
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(first.body, second.body);
    assert_eq!(transactions(&app, &loan).await.len(), 2);
}

#[tokio::test]
async fn twenty_parallel_repayments_on_one_loan_each_land_exactly_once_after_their_retries() {
    let app = TestApp::spawn().await;
    let (_, loan) = disbursed_loan(&app, &small_loan(), DISBURSED).await;
    let post = |n: usize| {
        let app = &app;
        let uri = sub(&loan, "repayments");
        async move {
            admin(
                app,
                request(Method::POST, &uri)
                    .header("Idempotency-Key", &format!("parallel-repayment-{n:02}"))
                    .json(&json!({"amount": "10.00", "paid_on": "2025-02-01"})),
            )
            .await
        }
    };
    // A posting that lost the race to another is refused whole, as `409`, and its key
    // freed: the client retries it as the answer says.
    let landed = |response: &TestResponse| {
        assert!(
            response.status == 201 || response.status == 409,
            "{}: {}",
            response.status,
            response.body
        );
        response.status == 201
    };
    let first: Vec<bool> = join_all((0..20).map(post))
        .await
        .iter()
        .map(landed)
        .collect();
    assert!(
        first.iter().any(|l| *l),
        "at least one posting wins each race"
    );
    for (n, first_landed) in first.into_iter().enumerate() {
        if first_landed {
            continue;
        }
        let mut attempts = 0;
        while !landed(&post(n).await) {
            attempts += 1;
            assert!(attempts < 5, "a lone retry never conflicts for long");
        }
    }
    // Every one of the twenty once, the disbursement, and nothing else.
    let ledger = transactions(&app, &loan).await;
    assert_eq!(ledger.len(), 21, "each repayment once, no other");
    let balance = get(&app, &sub(&loan, "balance")).await.body;
    assert_eq!(
        balance["total_paid"], "200.00",
        "no repayment lost or doubled"
    );
    // Retrying any of them again replays, never posts.
    let again = post(7).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(transactions(&app, &loan).await.len(), 21);
}

#[tokio::test]
async fn the_arrears_list_is_most_overdue_first_and_only_active_loans_in_arrears() {
    let app = TestApp::spawn().await;
    let (_, oldest) = disbursed_loan(&app, &small_loan(), "2025-01-15").await;
    let (_, newer) = disbursed_loan(&app, &small_loan(), "2025-06-15").await;
    let (_, current) = disbursed_loan(&app, &small_loan(), &today()).await;
    let (_, paid) = disbursed_loan(&app, &small_loan(), "2025-01-15").await;
    let payoff = get(&app, &sub(&paid, "payoff?on=2025-01-20")).await.body["payoff_amount"].clone();
    assert_eq!(
        repay(&app, &paid, &payoff, Some("2025-01-20")).await.status,
        201
    );
    // Paying the older loan's first installment moves it to its second due date, still
    // a month ahead of the newer loan's first.
    assert_eq!(
        repay(&app, &oldest, &json!("408.03"), Some("2025-02-15"))
            .await
            .status,
        201
    );

    let list = |query: String| {
        let app = &app;
        async move {
            let response = get(app, &format!("/loans?{query}")).await;
            assert_eq!(response.status, 200, "{}", response.body);
            response.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        list("days_past_due_min=1".into()).await,
        [id(&oldest), id(&newer)]
    );
    // The newer loan is overdue since 2025-07-15, the older since 2025-03-15: a bound
    // between them, months from either, keeps only the older.
    let newer_days = days_since("2025-07-15");
    assert_eq!(
        list(format!("days_past_due_min={}", newer_days + 30)).await,
        [id(&oldest)]
    );
    assert!(list("days_past_due_min=40000".into()).await.is_empty());
    // One page at a time.
    let first = get(&app, "/loans?days_past_due_min=1&limit=1").await.body;
    assert_eq!(first["items"][0]["id"], id(&oldest).as_str());
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = get(
        &app,
        &format!("/loans?days_past_due_min=1&limit=1&cursor={cursor}"),
    )
    .await
    .body;
    assert_eq!(second["items"][0]["id"], id(&newer).as_str());

    get(&app, "/loans?days_past_due_min=0")
        .await
        .assert_problem(422);
    get(&app, "/loans?days_past_due_min=1&status=active")
        .await
        .assert_problem(422);
    assert_eq!(current["status"], "active");
}

#[tokio::test]
async fn deleting_a_client_takes_its_closed_loans_ledgers_with_it() {
    let app = TestApp::spawn().await;
    let (client_id, loan) = disbursed_loan(&app, &small_loan(), DISBURSED).await;
    admin(
        &app,
        request(Method::DELETE, &format!("/clients/{client_id}")),
    )
    .await
    .assert_problem(409);
    repay(&app, &loan, &json!("1203.87"), Some("2025-01-25")).await;
    let deleted = admin(
        &app,
        request(Method::DELETE, &format!("/clients/{client_id}")),
    )
    .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    let left: Vec<_> = app
        .all_items()
        .await
        .into_iter()
        .filter(|item| {
            item.get("PK").and_then(|v| v.as_s().ok()) == Some(&format!("CLIENT#{client_id}"))
        })
        .collect();
    assert!(left.is_empty(), "nothing of the client is left: {left:?}");
}

/// Today in UTC, `YYYY-MM-DD`.
fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

/// Whole days from `date` to today.
fn days_since(date: &str) -> i64 {
    let date = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    (chrono::Utc::now().date_naive() - date).num_days()
}
