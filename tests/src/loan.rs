//! Helpers for tests of loans: the loan's fields and lifecycle as the contract states
//! them, and steps that apply for a loan and move it along.

use http::Method;
use serde_json::{Value, json};

use crate::factories::loan_body;
use crate::{TestApp, TestRequest, TestResponse, request};

/// Every field of a loan in a response, and nothing else.
pub const LOAN_FIELDS: [&str; 22] = [
    "id",
    "client_id",
    "product_id",
    "status",
    "amount",
    "currency",
    "annual_interest_rate",
    "term_months",
    "purpose",
    "monthly_payment",
    "total_interest",
    "total_payable",
    "created_at",
    "updated_at",
    "version",
    "approved_at",
    "rejected_at",
    "disbursed_at",
    "paid_at",
    "cancelled_at",
    "written_off_at",
    "disbursed_on",
];

/// Every status, in lifecycle order.
pub const STATUSES: [&str; 7] = [
    "pending",
    "approved",
    "rejected",
    "active",
    "paid",
    "cancelled",
    "written_off",
];

/// The timestamp each status stamps when it is reached (`pending` has `created_at`).
pub fn timestamp_field(status: &str) -> Option<&'static str> {
    match status {
        "approved" => Some("approved_at"),
        "rejected" => Some("rejected_at"),
        "active" => Some("disbursed_at"),
        "paid" => Some("paid_at"),
        "cancelled" => Some("cancelled_at"),
        "written_off" => Some("written_off_at"),
        _ => None,
    }
}

/// The legal way from `pending` to `status`, one status change per step.
pub fn path_to(status: &str) -> &'static [&'static str] {
    match status {
        "pending" => &[],
        "approved" => &["approved"],
        "rejected" => &["rejected"],
        "cancelled" => &["cancelled"],
        "active" => &["approved", "active"],
        "paid" => &["approved", "active", "paid"],
        "written_off" => &["approved", "active", "written_off"],
        other => panic!("no such status {other:?}"),
    }
}

/// The `id` of a resource's body.
pub fn id(resource: &Value) -> String {
    resource["id"]
        .as_str()
        .expect("resource has an id")
        .to_owned()
}

/// The path of a loan's body.
pub fn loan_uri(loan: &Value) -> String {
    format!("/loans/{}", id(loan))
}

/// The path of a client's loans.
pub fn client_loans_uri(client_id: &str) -> String {
    format!("/clients/{client_id}/loans")
}

/// Sends `req` as an admin, to the function that serves its path.
pub async fn admin(app: &TestApp, req: TestRequest) -> TestResponse {
    app.admin(req).await
}

/// Sends `req` as the customer bound to `client_id`, to the function that serves its path.
pub async fn customer(app: &TestApp, client_id: &str, req: TestRequest) -> TestResponse {
    app.customer(client_id, req).await
}

/// `POST /clients/{client_id}/loans` as an admin.
pub async fn apply(app: &TestApp, client_id: &str, body: &Value) -> TestResponse {
    admin(
        app,
        request(Method::POST, &client_loans_uri(client_id)).json(body),
    )
    .await
}

/// Creates a loan with `body`; panics unless it is created.
pub async fn create_loan_with(app: &TestApp, client_id: &str, body: &Value) -> Value {
    let response = apply(app, client_id, body).await;
    assert_eq!(response.status, 201, "create loan: {}", response.body);
    response.body
}

/// Creates a realistic pending loan.
pub async fn create_loan(app: &TestApp, client_id: &str) -> Value {
    create_loan_with(app, client_id, &loan_body()).await
}

/// `PATCH /loans/{id}` `{"status": status}` as an admin.
pub async fn set_status(app: &TestApp, loan: &Value, status: &str) -> TestResponse {
    admin(
        app,
        request(Method::PATCH, &loan_uri(loan)).json(&json!({"status": status})),
    )
    .await
}

/// Takes one step of [`path_to`]: a status change, except `paid`, which only a
/// repayment of the payoff amount reaches, and `written_off`, which needs a reason.
pub async fn step_to(app: &TestApp, loan: &Value, step: &str) -> TestResponse {
    match step {
        "paid" => {
            let payoff = admin(
                app,
                request(Method::GET, &format!("{}/payoff", loan_uri(loan))),
            )
            .await;
            assert_eq!(payoff.status, 200, "payoff: {}", payoff.body);
            let repaid = repay(app, loan, &payoff.body["payoff_amount"], None).await;
            assert_eq!(repaid.status, 201, "pay off: {}", repaid.body);
            fetch(app, loan).await
        }
        "written_off" => {
            admin(
                app,
                request(Method::PATCH, &loan_uri(loan))
                    .json(&json!({"status": "written_off", "reason": "Borrower unreachable"})),
            )
            .await
        }
        other => set_status(app, loan, other).await,
    }
}

/// `POST /loans/{id}/repayments` as an admin, of `amount` (a JSON string) on `paid_on`
/// (today when `None`).
pub async fn repay(
    app: &TestApp,
    loan: &Value,
    amount: &Value,
    paid_on: Option<&str>,
) -> TestResponse {
    let mut body = json!({"amount": amount});
    if let Some(on) = paid_on {
        body["paid_on"] = json!(on);
    }
    admin(
        app,
        request(Method::POST, &format!("{}/repayments", loan_uri(loan))).json(&body),
    )
    .await
}

/// Moves a pending loan to `status` along the legal path; panics if a step is refused.
pub async fn drive(app: &TestApp, loan: Value, status: &str) -> Value {
    let mut loan = loan;
    for step in path_to(status) {
        let response = step_to(app, &loan, step).await;
        assert_eq!(
            response.status, 200,
            "{} -> {step}: {}",
            loan["status"], response.body
        );
        loan = response.body;
    }
    assert_eq!(loan["status"], status);
    loan
}

/// A new loan of `client_id`, already in `status`.
pub async fn loan_in(app: &TestApp, client_id: &str, status: &str) -> Value {
    let loan = create_loan(app, client_id).await;
    drive(app, loan, status).await
}

/// `GET /loans/{id}` as an admin.
pub async fn fetch(app: &TestApp, loan: &Value) -> TestResponse {
    admin(app, request(Method::GET, &loan_uri(loan))).await
}

/// Asserts two problems are indistinguishable to the caller.
pub fn assert_same_problem(actual: &TestResponse, expected: &TestResponse, why: &str) {
    for field in ["type", "title", "status", "detail"] {
        assert_eq!(
            actual.body[field], expected.body[field],
            "{why}: {field} must reveal nothing"
        );
    }
}

/// A decimal's text without insignificant zeros, so `"12.50"` and `"12.5"` compare equal.
pub fn canonical_decimal(text: &str) -> String {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let whole = whole.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    if fraction.is_empty() {
        whole.to_owned()
    } else {
        format!("{whole}.{fraction}")
    }
}

/// Asserts the loan's rate is a decimal string numerically equal to `expected`.
pub fn assert_rate(loan: &Value, expected: &str) {
    let rate = loan["annual_interest_rate"]
        .as_str()
        .unwrap_or_else(|| panic!("the rate is a decimal string: {loan}"));
    assert_eq!(
        canonical_decimal(rate),
        canonical_decimal(expected),
        "annual_interest_rate {rate} is numerically {expected}"
    );
}

/// `body` with the fields of `patch` set (or added).
pub fn with(body: &Value, patch: &Value) -> Value {
    let mut body = body.clone();
    for (key, value) in patch.as_object().expect("patch is an object") {
        body[key] = value.clone();
    }
    body
}

/// A loan product in MXN at 18.5 %, for 1,000.00 to 500,000.00 over 6 to 60 months: every
/// application `factories::loan_body` draws fits inside it.
pub fn product_body() -> Value {
    json!({"name": "Personal loan", "currency": "MXN", "annual_interest_rate": "18.5",
           "min_amount": "1000.00", "max_amount": "500000.00",
           "min_term_months": 6, "max_term_months": 60})
}

/// Creates a product as an admin (`product_body` with `patch` applied); panics unless it
/// is created.
pub async fn create_product(app: &TestApp, patch: &Value) -> Value {
    let response = app
        .admin(request(Method::POST, "/products").json(&with(&product_body(), patch)))
        .await;
    assert_eq!(response.status, 201, "create product: {}", response.body);
    response.body
}

/// An application through `product`, with the amount, term and purpose of `loan_body`.
pub fn application(product: &Value) -> Value {
    let mut body = loan_body();
    let terms = body.as_object_mut().expect("an object");
    terms.remove("currency");
    terms.remove("annual_interest_rate");
    terms.insert("product_id".into(), product["id"].clone());
    body
}
