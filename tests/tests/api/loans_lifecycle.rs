//! The loan lifecycle through `PATCH /loans/{id}` `{"status": ...}`: all 49 status pairs
//! for an admin, the timestamps each status stamps, the customer's one permitted change
//! (cancelling its own pending loan), which statuses may be deleted, concurrent changes,
//! and how loans block or follow their client's deletion.

use api_tests::*;
use futures::future::join_all;
use http::Method;
use serde_json::{Value, json};

use api_tests::loan::{
    STATUSES, admin, create_loan, customer, drive, fetch, id, loan_in, loan_uri, path_to,
    set_status, timestamp_field,
};

/// The contract's status rules, written out independently of the implementation. Rows are
/// the current status, columns the requested one in `STATUSES` order (pending, approved,
/// rejected, active, paid, cancelled, written_off): `-` illegal, `A` legal for an admin
/// only, `B` legal for an admin and for the loan's own customer. `paid` is never legal:
/// only repayments reach it.
const RULES: [(&str, &str); 7] = [
    ("pending", "-  A  A  -  -  B  -"),
    ("approved", "-  -  -  A  -  A  -"),
    ("rejected", "-  -  -  -  -  -  -"),
    ("active", "-  -  -  -  -  -  A"),
    ("paid", "-  -  -  -  -  -  -"),
    ("cancelled", "-  -  -  -  -  -  -"),
    ("written_off", "-  -  -  -  -  -  -"),
];

/// Every `(from, to, cell)` of [`RULES`].
fn all_pairs() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut pairs = Vec::new();
    for (from, row) in RULES {
        for (to, cell) in STATUSES.into_iter().zip(row.split_whitespace()) {
            pairs.push((from, to, cell));
        }
    }
    pairs
}

/// The timestamp fields stamped by walking `steps` (statuses reached after `pending`).
fn stamps_of(steps: &[&str]) -> Vec<&'static str> {
    steps
        .iter()
        .filter_map(|step| timestamp_field(step))
        .collect()
}

const TIMESTAMPS: [&str; 6] = [
    "approved_at",
    "rejected_at",
    "disbursed_at",
    "paid_at",
    "cancelled_at",
    "written_off_at",
];

/// What is wrong with the timestamps of `loan`, which went from `pending` through `steps`;
/// empty when nothing is. The stamps of the steps must be set, in step order, none before
/// `created_at`; every other stamp must still be null.
fn timestamp_problems(loan: &Value, steps: &[&str]) -> Vec<String> {
    let expected = stamps_of(steps);
    let mut problems = Vec::new();
    let mut previous = loan["created_at"].as_str().unwrap_or_default().to_owned();
    for field in &expected {
        match loan[*field].as_str() {
            Some(stamp) if stamp.ends_with('Z') && stamp >= previous.as_str() => {
                previous = stamp.to_owned();
            }
            _ => problems.push(format!(
                "{field} should be a UTC timestamp not before {previous}, is {}",
                loan[*field]
            )),
        }
    }
    for field in TIMESTAMPS {
        if !expected.contains(&field) && !loan[field].is_null() {
            problems.push(format!("{field} should still be null, is {}", loan[field]));
        }
    }
    problems
}

#[tokio::test]
async fn admin_status_changes_follow_the_lifecycle_for_all_49_pairs() {
    let app = TestApp::spawn().await;
    let pairs = all_pairs();
    assert_eq!(pairs.len(), 49, "every (from, to) pair has a cell");
    let mut failures = Vec::new();

    for (from, to, cell) in pairs {
        // A client of its own each time: a client holds at most three pending loans.
        let client = id(&create_client(&app).await);
        let loan = loan_in(&app, &client, from).await;
        let version = loan["version"].as_u64().unwrap();

        let response = if to == "written_off" {
            // A write-off must say why.
            admin(
                &app,
                request(Method::PATCH, &loan_uri(&loan))
                    .json(&json!({"status": to, "reason": "Uncollectable"})),
            )
            .await
        } else {
            set_status(&app, &loan, to).await
        };

        let case = format!("{from} -> {to} ({cell})");
        let after = fetch(&app, &loan).await.body;
        if cell == "-" {
            let detail = if (from, to) == ("active", "paid") {
                "a loan becomes paid only when its repayments pay it off".to_owned()
            } else {
                format!("a loan that is {from} cannot become {to}")
            };
            if response.status != 409 {
                failures.push(format!(
                    "{case}: expected 409, got {} {}",
                    response.status, response.body
                ));
            } else if !response.body["detail"]
                .as_str()
                .is_some_and(|d| d.contains(&detail))
            {
                failures.push(format!(
                    "{case}: detail should say {detail:?}: {}",
                    response.body
                ));
            }
            if after != loan {
                failures.push(format!("{case}: the loan changed: {after}"));
            }
            continue;
        }
        if response.status != 200 {
            failures.push(format!(
                "{case}: expected 200, got {} {}",
                response.status, response.body
            ));
            continue;
        }
        let changed = &response.body;
        if changed["status"] != to {
            failures.push(format!("{case}: status is {}", changed["status"]));
        }
        if changed["version"] != version + 1 {
            failures.push(format!(
                "{case}: version {} after {version}",
                changed["version"]
            ));
        }
        if response.header("etag") != Some(format!("\"{}\"", version + 1).as_str()) {
            failures.push(format!("{case}: ETag {:?}", response.header("etag")));
        }
        for kept in [
            "id",
            "client_id",
            "amount",
            "currency",
            "annual_interest_rate",
            "term_months",
            "purpose",
            "monthly_payment",
            "total_interest",
            "total_payable",
            "created_at",
        ] {
            if changed[kept] != loan[kept] {
                failures.push(format!(
                    "{case}: {kept} changed from {} to {}",
                    loan[kept], changed[kept]
                ));
            }
        }
        for field in TIMESTAMPS {
            if !loan[field].is_null() && changed[field] != loan[field] {
                failures.push(format!("{case}: earlier {field} was rewritten"));
            }
        }
        let mut steps = path_to(from).to_vec();
        steps.push(to);
        for problem in timestamp_problems(changed, &steps) {
            failures.push(format!("{case}: {problem}"));
        }
        if after != *changed {
            failures.push(format!(
                "{case}: GET disagrees with the PATCH response: {after}"
            ));
        }
    }

    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn reaching_each_status_stamps_its_timestamp_and_keeps_the_earlier_ones() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    for status in STATUSES {
        let loan = loan_in(&app, &client, status).await;

        let problems = timestamp_problems(&loan, path_to(status));

        assert!(problems.is_empty(), "{status}: {problems:?}");
        assert_eq!(
            loan["version"],
            1 + path_to(status).len(),
            "{status}: one version per change"
        );
    }
}

#[tokio::test]
async fn a_status_change_with_a_stale_if_match_returns_412_and_a_fresh_one_succeeds() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    let loan = loan_in(&app, &client, "approved").await;
    let before = app.all_items().await;

    let stale = admin(
        &app,
        request(Method::PATCH, &loan_uri(&loan))
            .json(&json!({"status": "active"}))
            .header("if-match", "\"1\""),
    )
    .await;
    assert_eq!(
        app.all_items().await,
        before,
        "a stale change writes nothing"
    );
    let fresh = admin(
        &app,
        request(Method::PATCH, &loan_uri(&loan))
            .json(&json!({"status": "active"}))
            .header("if-match", "\"2\""),
    )
    .await;

    stale.assert_problem(412);
    assert_eq!(fresh.status, 200, "{}", fresh.body);
    assert_eq!(fresh.body["status"], "active");
    assert_eq!(fresh.header("etag"), Some("\"3\""));
}

#[tokio::test]
async fn concurrent_approve_and_reject_of_one_loan_let_exactly_one_win() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    for _ in 0..5 {
        let loan = create_loan(&app, &client).await;

        let (approve, reject) = tokio::join!(
            set_status(&app, &loan, "approved"),
            set_status(&app, &loan, "rejected"),
        );

        let statuses = [approve.status.as_u16(), reject.status.as_u16()];
        let winner = match statuses {
            [200, 409] => "approved",
            [409, 200] => "rejected",
            other => panic!(
                "expected one 200 and one 409, got {other:?}: {} / {}",
                approve.body, reject.body
            ),
        };
        let stored = fetch(&app, &loan).await.body;
        assert_eq!(stored["status"], winner);
        assert_eq!(stored["version"], 2, "exactly one change was written");
        assert!(
            stored["approved_at"].is_null() || stored["rejected_at"].is_null(),
            "never both decisions: {stored}"
        );
    }
}

#[tokio::test]
async fn a_customer_cancels_its_own_pending_loan() {
    let app = TestApp::spawn().await;
    let own = id(&create_client(&app).await);
    let loan = create_loan(&app, &own).await;

    let response = customer(
        &app,
        &own,
        request(Method::PATCH, &loan_uri(&loan)).json(&json!({"status": "cancelled"})),
    )
    .await;

    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.body["status"], "cancelled");
    assert_eq!(response.body["version"], 2);
    assert!(timestamp_problems(&response.body, &["cancelled"]).is_empty());
    assert_eq!(fetch(&app, &loan).await.body, response.body);
}

#[tokio::test]
async fn a_customer_cancellation_honours_if_match() {
    let app = TestApp::spawn().await;
    let own = id(&create_client(&app).await);
    let loan = create_loan(&app, &own).await;
    let cancel = |tag: &str| {
        request(Method::PATCH, &loan_uri(&loan))
            .json(&json!({"status": "cancelled"}))
            .header("if-match", tag)
    };

    let stale = customer(&app, &own, cancel("\"2\"")).await;
    let unchanged = fetch(&app, &loan).await.body;
    let fresh = customer(&app, &own, cancel("\"1\"")).await;

    stale.assert_problem(412);
    assert_eq!(unchanged, loan, "a stale cancellation changes nothing");
    assert_eq!(fresh.status, 200, "{}", fresh.body);
    assert_eq!(fresh.body["status"], "cancelled");
}

#[tokio::test]
async fn a_customer_cancelling_its_own_loan_after_pending_returns_409_naming_both_states() {
    let app = TestApp::spawn().await;
    let own = id(&create_client(&app).await);
    for status in ["approved", "rejected", "active", "paid", "cancelled"] {
        let loan = loan_in(&app, &own, status).await;

        let response = customer(
            &app,
            &own,
            request(Method::PATCH, &loan_uri(&loan)).json(&json!({"status": "cancelled"})),
        )
        .await;

        assert_eq!(response.status, 409, "{status}: {}", response.body);
        response.assert_problem(409);
        let detail = response.body["detail"].as_str().unwrap();
        assert!(
            detail.contains(status) && detail.contains("cancelled"),
            "{status}: the detail names the current and the requested status: {detail}"
        );
        assert_eq!(fetch(&app, &loan).await.body, loan, "{status}: unchanged");
    }
}

#[tokio::test]
async fn delete_loan_is_allowed_only_when_pending_rejected_or_cancelled() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    let cases = [
        ("pending", 204),
        ("approved", 409),
        ("rejected", 204),
        ("active", 409),
        ("paid", 409),
        ("cancelled", 204),
    ];
    for (status, expected) in cases {
        let loan = loan_in(&app, &client, status).await;

        let response = admin(&app, request(Method::DELETE, &loan_uri(&loan))).await;

        assert_eq!(
            response.status, expected,
            "delete a {status} loan: {}",
            response.body
        );
        let after = fetch(&app, &loan).await;
        if expected == 204 {
            after.assert_problem(404);
        } else {
            response.assert_problem(409);
            assert_eq!(after.body, loan, "a {status} loan stays as it was");
        }
    }
}

async fn delete_client(app: &TestApp, client_id: &str) -> TestResponse {
    app.admin(request(Method::DELETE, &format!("/clients/{client_id}")))
        .await
}

/// Whether any item in the table mentions `text` (a client or loan id) anywhere.
async fn table_mentions(app: &TestApp, text: &str) -> bool {
    format!("{:?}", app.all_items().await).contains(text)
}

#[tokio::test]
async fn delete_client_returns_409_while_it_has_a_pending_approved_or_active_loan() {
    let app = TestApp::spawn().await;
    for blocking in ["pending", "approved", "active"] {
        let client = id(&create_client(&app).await);
        for closed in ["rejected", "cancelled", "paid"] {
            loan_in(&app, &client, closed).await;
        }
        let loan = loan_in(&app, &client, blocking).await;
        let before = app.all_items().await;

        let response = delete_client(&app, &client).await;

        assert_eq!(
            response.status, 409,
            "a {blocking} loan blocks: {}",
            response.body
        );
        response.assert_problem(409);
        assert_eq!(app.all_items().await, before, "{blocking}: nothing changed");
        assert_eq!(fetch(&app, &loan).await.status, 200);
    }
}

#[tokio::test]
async fn delete_client_with_only_closed_loans_removes_the_client_and_all_its_loans() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    let neighbour = id(&create_client(&app).await);
    let mut loans = Vec::new();
    for status in ["rejected", "cancelled", "paid", "paid", "cancelled"] {
        loans.push(loan_in(&app, &client, status).await);
    }
    let neighbours_loan = loan_in(&app, &neighbour, "active").await;

    let response = delete_client(&app, &client).await;

    assert_eq!(response.status, 204, "{}", response.body);
    assert!(
        !table_mentions(&app, &client).await,
        "nothing of the client is left"
    );
    for loan in &loans {
        assert!(
            !table_mentions(&app, &id(loan)).await,
            "loan {} is gone",
            id(loan)
        );
        fetch(&app, loan).await.assert_problem(404);
    }
    let listed = admin(&app, request(Method::GET, "/loans")).await;
    assert_eq!(
        listed.body,
        json!({"items": [fetch(&app, &neighbours_loan).await.body], "next_cursor": null}),
        "only the other client's loan is listed"
    );
    admin(
        &app,
        request(Method::GET, &format!("/clients/{client}/loans")),
    )
    .await
    .assert_problem(404);
}

#[tokio::test]
async fn delete_client_with_120_cancelled_loans_removes_every_one() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    let mut loans = Vec::new();
    // Three at a time, the most pending applications a client may hold at once.
    for _ in 0..40 {
        let batch = join_all((0..3).map(|_| async {
            let loan = create_loan(&app, &client).await;
            drive(&app, loan, "cancelled").await
        }))
        .await;
        loans.extend(batch);
    }
    assert_eq!(loans.len(), 120);
    for name in ["big-one", "big-two"] {
        create_user(&app, name, PASSWORD, "user", Some(&client)).await;
    }

    let response = delete_client(&app, &client).await;

    assert_eq!(response.status, 204, "{}", response.body);
    assert!(
        app.all_items().await.is_empty(),
        "the client, its guards, all 120 loans and both logins are gone"
    );
    let listed = admin(&app, request(Method::GET, "/loans")).await;
    assert_eq!(listed.body, json!({"items": [], "next_cursor": null}));
}

#[tokio::test]
async fn deleting_the_last_open_loan_unblocks_the_clients_deletion() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    let loan = create_loan(&app, &client).await;
    delete_client(&app, &client).await.assert_problem(409);

    let deleted = admin(&app, request(Method::DELETE, &loan_uri(&loan))).await;
    let response = delete_client(&app, &client).await;

    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(response.status, 204, "{}", response.body);
    assert!(
        app.all_items().await.is_empty(),
        "nothing of the client is left"
    );
}

#[tokio::test]
async fn a_loan_applied_for_while_its_client_is_deleted_is_never_left_without_its_client() {
    let app = TestApp::spawn().await;
    for round in 0..10 {
        let client = id(&create_client(&app).await);

        let (applied, deleted) = tokio::join!(
            admin(
                &app,
                request(Method::POST, &format!("/clients/{client}/loans"))
                    .json(&api_tests::factories::loan_body()),
            ),
            delete_client(&app, &client),
        );

        let outcome = (applied.status.as_u16(), deleted.status.as_u16());
        let client_left = app
            .admin(request(Method::GET, &format!("/clients/{client}")))
            .await
            .status
            == 200;
        match outcome {
            (201, 409) => {
                assert!(client_left, "round {round}: the loan kept its client");
                assert_eq!(fetch(&app, &applied.body).await.status, 200);
            }
            (404, 204) => {
                assert!(!client_left, "round {round}: the client is gone");
                assert!(
                    !table_mentions(&app, &client).await,
                    "round {round}: no loan was left behind"
                );
            }
            other => panic!(
                "round {round}: expected (201, 409) or (404, 204), got {other:?}: {} / {}",
                applied.body, deleted.body
            ),
        }
    }
}

const PASSWORD: &str = "correct horse battery";

/// Whether the table holds a user item for `username`.
async fn user_exists(app: &TestApp, username: &str) -> bool {
    app.store().get_user(username).await.unwrap().is_some()
}

#[tokio::test]
async fn delete_client_removes_its_customer_logins_and_no_one_else() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    let neighbour = id(&create_client(&app).await);
    for name in ["ana-one", "ana-two", "ana-three"] {
        create_user(&app, name, PASSWORD, "user", Some(&client)).await;
    }
    create_user(&app, "next-door", PASSWORD, "user", Some(&neighbour)).await;
    create_user(&app, "teller", PASSWORD, "admin", None).await;
    // A login deleted on its own takes its link in the client's partition with it.
    let removed = app.admin(request(Method::DELETE, "/users/ana-three")).await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    assert!(!table_mentions(&app, "ana-three").await, "no link is left");

    let response = delete_client(&app, &client).await;

    assert_eq!(response.status, 204, "{}", response.body);
    assert!(
        !table_mentions(&app, &client).await,
        "nothing of the client"
    );
    for name in ["ana-one", "ana-two"] {
        assert!(
            !user_exists(&app, name).await,
            "{name} went with its client"
        );
        login(&app, name, PASSWORD).await.assert_problem(401);
    }
    for name in ["next-door", "teller"] {
        assert!(user_exists(&app, name).await, "{name} stays");
        assert_eq!(login(&app, name, PASSWORD).await.status, 200, "{name}");
    }
    let users = app.admin(request(Method::GET, "/users")).await;
    let names: Vec<&str> = users.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|user| user["username"].as_str())
        .collect();
    assert_eq!(names, ["teller", "next-door"], "newest first");
}

#[tokio::test]
async fn no_login_can_be_created_for_a_client_being_deleted() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    // What the first step of deleting a big client leaves behind.
    app.store()
        .client()
        .update_item()
        .table_name(app.store().table())
        .key(
            "PK",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("CLIENT#{client}")),
        )
        .key(
            "SK",
            aws_sdk_dynamodb::types::AttributeValue::S("CLIENT".into()),
        )
        .update_expression("SET deleting = :yes")
        .expression_attribute_values(":yes", aws_sdk_dynamodb::types::AttributeValue::Bool(true))
        .send()
        .await
        .unwrap();
    let before = app.all_items().await;

    let response = app
        .admin(request(Method::POST, "/users").json(&json!({
            "username": "too-late", "password": PASSWORD, "role": "user", "client_id": client,
        })))
        .await;

    response.assert_problem(422);
    assert_eq!(app.all_items().await, before, "nothing written");
}

#[tokio::test]
async fn a_login_created_while_its_client_is_deleted_is_never_left_without_its_client() {
    let app = TestApp::spawn().await;
    for round in 0..10 {
        let client = id(&create_client(&app).await);
        let username = format!("racer-{round}");

        let (user, deleted) = tokio::join!(
            app.admin(request(Method::POST, "/users").json(&json!({
                "username": username, "password": PASSWORD, "role": "user", "client_id": client,
            })),),
            delete_client(&app, &client),
        );

        assert_eq!(deleted.status, 204, "round {round}: {}", deleted.body);
        // Created and then deleted with its client, or refused because the client went
        // first: either way no login outlives the client.
        assert!(
            matches!(user.status.as_u16(), 201 | 422),
            "round {round}: creating the login gave {}: {}",
            user.status,
            user.body
        );
        assert!(
            !user_exists(&app, &username).await,
            "round {round}: the login went with its client or was never made"
        );
        assert!(
            !table_mentions(&app, &client).await,
            "round {round}: nothing of the client is left"
        );
    }
}

#[tokio::test]
async fn a_login_created_after_the_delete_read_the_client_makes_the_delete_stale() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    let read = app
        .store()
        .client_partition(&client_id(&client))
        .await
        .unwrap()
        .expect("the client exists");
    assert!(read.usernames.is_empty());

    create_user(&app, "just-in-time", PASSWORD, "user", Some(&client)).await;
    let outcome = app.store().delete_client(&read).await;

    assert!(
        matches!(outcome, Err(shared::store::StoreError::Stale)),
        "the delete is conditional on user_seq: {outcome:?}"
    );
    assert!(
        user_exists(&app, "just-in-time").await,
        "nothing was deleted"
    );
    let reread = app
        .store()
        .client_partition(&client_id(&client))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reread.usernames, ["just-in-time"]);
}
