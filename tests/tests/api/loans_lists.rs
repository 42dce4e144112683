//! `GET /loans` and `GET /clients/{client_id}/loans`: order, pagination, every filter alone
//! and combined, what a customer sees, parameter and cursor abuse; and the store's
//! one-Query read of a client with all its loans.

use std::collections::{BTreeSet, HashMap};

use api_tests::factories::loan_body;
use api_tests::*;
use chrono::{Days, NaiveDate};
use http::Method;
use serde_json::{Value, json};

use api_tests::loan::{
    STATUSES, admin, client_loans_uri, create_loan, create_loan_with, customer, drive, id, with,
};

/// Amounts chosen so that comparing them as text would give wrong answers.
const AMOUNTS: [&str; 7] = [
    "999.99",
    "1000.00",
    "5000.50",
    "10000.00",
    "25000.00",
    "100000.00",
    "250000.00",
];

/// Three clients and thirty loans spread over them, every status and every amount, in
/// creation order and in their final state.
struct Seeded {
    clients: Vec<String>,
    loans: Vec<Value>,
}

async fn seed(app: &TestApp) -> Seeded {
    let mut clients = Vec::new();
    for _ in 0..3 {
        clients.push(id(&create_client(app).await));
    }
    let mut loans = Vec::new();
    for i in 0..30 {
        let body = with(&loan_body(), &json!({"amount": AMOUNTS[i % AMOUNTS.len()]}));
        let loan = create_loan_with(app, &clients[i % 3], &body).await;
        loans.push(drive(app, loan, STATUSES[(i / 3) % STATUSES.len()]).await);
    }
    Seeded { clients, loans }
}

/// An amount in cents (every seeded loan is in MXN).
fn cents(loan: &Value) -> i64 {
    let text = loan["amount"].as_str().expect("amount is a string");
    let (whole, fraction) = text.split_once('.').expect("MXN has cents");
    whole.parse::<i64>().unwrap() * 100 + fraction.parse::<i64>().unwrap()
}

fn created_on(loan: &Value) -> NaiveDate {
    let text = loan["created_at"].as_str().expect("created_at is a string");
    NaiveDate::parse_from_str(&text[..10], "%Y-%m-%d").expect("created_at starts with a date")
}

fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(id).collect()
}

/// Follows `next_cursor` from the first page of `path?filters` to the last, as the holder
/// of `token`, asserting on the way that each page is `200`, that every page but the last
/// is full and that a cursor never leads to an empty page. Returns every item in order.
async fn walk(
    app: &TestApp,
    token: &str,
    path: &str,
    filters: &str,
    limit: Option<usize>,
) -> Vec<Value> {
    let page_size = limit.unwrap_or(20);
    let mut base: Vec<String> = Vec::new();
    if !filters.is_empty() {
        base.push(filters.to_owned());
    }
    if let Some(limit) = limit {
        base.push(format!("limit={limit}"));
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for page_number in 0..200 {
        let mut params = base.clone();
        if let Some(cursor) = &cursor {
            params.push(format!("cursor={cursor}"));
        }
        let uri = if params.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{}", params.join("&"))
        };
        let page = app.send(request(Method::GET, &uri).bearer(token)).await;
        assert_eq!(page.status, 200, "{uri}: {}", page.body);
        let items = page.body["items"]
            .as_array()
            .unwrap_or_else(|| panic!("{uri}: a page has items: {}", page.body))
            .clone();
        if page_number > 0 {
            assert!(!items.is_empty(), "{uri}: a cursor led to an empty page");
        }
        match page.body["next_cursor"].as_str() {
            Some(next) => {
                assert_eq!(
                    items.len(),
                    page_size,
                    "{uri}: every page but the last is full"
                );
                cursor = Some(next.to_owned());
                seen.extend(items);
            }
            None => {
                assert!(page.body["next_cursor"].is_null(), "{uri}: {}", page.body);
                assert!(items.len() <= page_size, "{uri}: at most limit items");
                seen.extend(items);
                return seen;
            }
        }
    }
    panic!("{path}?{filters}: the walk never ended");
}

/// Asserts `items` are exactly the loans of `expected` (as they are now), each once,
/// newest first.
fn assert_exactly_newest_first(items: &[Value], expected: &[&Value], why: &str) {
    let found = ids(items);
    let unique: BTreeSet<&String> = found.iter().collect();
    assert_eq!(unique.len(), found.len(), "{why}: no loan twice: {found:?}");
    let wanted: BTreeSet<String> = expected.iter().map(|loan| id(loan)).collect();
    assert_eq!(
        unique.into_iter().cloned().collect::<BTreeSet<_>>(),
        wanted,
        "{why}: exactly the matching loans"
    );
    let by_id: HashMap<String, &Value> = expected.iter().map(|loan| (id(loan), *loan)).collect();
    for item in items {
        assert_eq!(
            item,
            by_id[&id(item)],
            "{why}: a listed loan is the full loan"
        );
    }
    for pair in items.windows(2) {
        assert!(
            pair[0]["created_at"].as_str() >= pair[1]["created_at"].as_str(),
            "{why}: newest first, but {} comes before {}",
            pair[0]["created_at"],
            pair[1]["created_at"]
        );
    }
}

#[tokio::test]
async fn list_walks_every_loan_newest_first_with_full_pages_for_every_page_size() {
    let app = TestApp::spawn().await;
    let seeded = seed(&app).await;
    let token = app.admin_token();
    let everything: Vec<&Value> = seeded.loans.iter().collect();
    let mut orders = Vec::new();

    for limit in [
        Some(1),
        Some(4),
        Some(7),
        Some(29),
        Some(30),
        Some(100),
        None,
    ] {
        let items = walk(&app, &token, "/loans", "", limit).await;

        assert_exactly_newest_first(&items, &everything, &format!("limit {limit:?}"));
        orders.push(ids(&items));
    }

    assert!(
        orders.windows(2).all(|pair| pair[0] == pair[1]),
        "every page size gives the same order"
    );
    let mut creation = ids(&seeded.loans);
    creation.reverse();
    let first = &orders[0];
    let distinct_times: BTreeSet<&str> = seeded
        .loans
        .iter()
        .map(|l| l["created_at"].as_str().unwrap())
        .collect();
    if distinct_times.len() == seeded.loans.len() {
        assert_eq!(*first, creation, "newest first is reverse creation order");
    }
}

#[tokio::test]
async fn list_defaults_to_twenty_and_an_empty_table_gives_an_empty_last_page() {
    let app = TestApp::spawn().await;

    let empty = admin(&app, request(Method::GET, "/loans")).await;

    assert_eq!(empty.status, 200, "{}", empty.body);
    assert_eq!(empty.body, json!({"items": [], "next_cursor": null}));
    // A client holds at most three pending loans: seven clients of three.
    for _ in 0..7 {
        let client = id(&create_client(&app).await);
        for _ in 0..3 {
            create_loan(&app, &client).await;
        }
    }
    let first = admin(&app, request(Method::GET, "/loans")).await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 20);
    let cursor = first.body["next_cursor"].as_str().expect("more to come");
    let last = admin(
        &app,
        request(Method::GET, &format!("/loans?cursor={cursor}")),
    )
    .await;
    assert_eq!(last.status, 200, "{}", last.body);
    assert_eq!(last.body["items"].as_array().unwrap().len(), 1);
    assert!(last.body["next_cursor"].is_null());
}

type Matcher = Box<dyn Fn(&Value) -> bool>;

#[tokio::test]
async fn list_filters_work_alone_and_combined() {
    let app = TestApp::spawn().await;
    let seeded = seed(&app).await;
    let token = app.admin_token();
    let [c0, c1, c2] = [0, 1, 2].map(|i| seeded.clients[i].clone());
    let first_day = seeded.loans.iter().map(created_on).min().unwrap();
    let last_day = seeded.loans.iter().map(created_on).max().unwrap();
    let before_first = first_day - Days::new(1);
    let after_last = last_day + Days::new(1);

    let mut cases: Vec<(String, Matcher)> = Vec::new();
    for status in STATUSES {
        cases.push((
            format!("status={status}"),
            Box::new(move |l: &Value| l["status"] == status),
        ));
    }
    for client in [&c0, &c1, &c2] {
        let owner = client.clone();
        cases.push((
            format!("client_id={client}"),
            Box::new(move |l: &Value| l["client_id"] == owner.as_str()),
        ));
    }
    let amount_cases: [(&str, Matcher); 6] = [
        (
            "min_amount=10000",
            Box::new(|l: &Value| cents(l) >= 1_000_000),
        ),
        (
            "min_amount=5000.5",
            Box::new(|l: &Value| cents(l) >= 500_050),
        ),
        (
            "max_amount=1000.00",
            Box::new(|l: &Value| cents(l) <= 100_000),
        ),
        ("max_amount=999.98", Box::new(|_: &Value| false)),
        (
            "min_amount=1000&max_amount=25000",
            Box::new(|l: &Value| (100_000..=2_500_000).contains(&cents(l))),
        ),
        (
            "min_amount=1000.00&max_amount=1000",
            Box::new(|l: &Value| cents(l) == 100_000),
        ),
    ];
    cases.extend(amount_cases.map(|(q, m)| (q.to_owned(), m)));
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    cases.push((
        format!("created_from={}", day(first_day)),
        Box::new(move |l: &Value| created_on(l) >= first_day),
    ));
    cases.push((
        format!("created_to={}", day(first_day)),
        Box::new(move |l: &Value| created_on(l) <= first_day),
    ));
    cases.push((
        format!(
            "created_from={}&created_to={}",
            day(first_day),
            day(last_day)
        ),
        Box::new(|_: &Value| true),
    ));
    cases.push((
        format!(
            "created_from={}&created_to={}",
            day(last_day),
            day(last_day)
        ),
        Box::new(move |l: &Value| created_on(l) == last_day),
    ));
    cases.push((
        format!("created_from={}", day(after_last)),
        Box::new(|_: &Value| false),
    ));
    cases.push((
        format!("created_to={}", day(before_first)),
        Box::new(|_: &Value| false),
    ));
    // The edges of the calendar the API accepts are bounds like any other date.
    let edges: [(&str, Matcher); 8] = [
        ("created_to=9999-12-31", Box::new(|_: &Value| true)),
        ("created_from=0000-01-01", Box::new(|_: &Value| true)),
        (
            "created_from=0000-01-01&created_to=9999-12-31",
            Box::new(|_: &Value| true),
        ),
        ("created_from=9999-12-31", Box::new(|_: &Value| false)),
        ("created_to=0000-01-01", Box::new(|_: &Value| false)),
        (
            "status=paid&created_from=0001-01-01&created_to=9999-12-31",
            Box::new(|l: &Value| l["status"] == "paid"),
        ),
        (
            "created_from=9999-12-31&created_to=9999-12-31",
            Box::new(|_: &Value| false),
        ),
        (
            "status=rejected&created_to=9999-12-31",
            Box::new(|l: &Value| l["status"] == "rejected"),
        ),
    ];
    cases.extend(edges.map(|(q, m)| (q.to_owned(), m)));
    let owner = c1.clone();
    cases.push((
        format!("client_id={c1}&created_from=0000-01-01&created_to=9999-12-31"),
        Box::new(move |l: &Value| l["client_id"] == owner.as_str()),
    ));
    cases.push((
        format!(
            "status=paid&created_from={}&created_to={}",
            day(first_day),
            day(last_day)
        ),
        Box::new(|l: &Value| l["status"] == "paid"),
    ));
    cases.push((
        format!("status=pending&created_to={}", day(before_first)),
        Box::new(|_: &Value| false),
    ));
    cases.push((
        format!("status=active&created_from={}", day(after_last)),
        Box::new(|_: &Value| false),
    ));
    let owner = c0.clone();
    cases.push((
        format!("client_id={c0}&created_to={}", day(last_day)),
        Box::new(move |l: &Value| l["client_id"] == owner.as_str()),
    ));
    cases.push((
        format!("client_id={c0}&created_to={}", day(before_first)),
        Box::new(|_: &Value| false),
    ));
    cases.push((
        format!("client_id={c0}&created_from={}", day(after_last)),
        Box::new(|_: &Value| false),
    ));
    let owner = c0.clone();
    cases.push((
        format!("status=pending&client_id={c0}"),
        Box::new(move |l: &Value| l["status"] == "pending" && l["client_id"] == owner.as_str()),
    ));
    cases.push((
        "status=active&min_amount=5000.50&max_amount=100000".to_owned(),
        Box::new(|l: &Value| l["status"] == "active" && (500_050..=10_000_000).contains(&cents(l))),
    ));
    let owner = c1.clone();
    cases.push((
        format!(
            "client_id={c1}&max_amount=1000&created_from={}",
            day(first_day)
        ),
        Box::new(move |l: &Value| l["client_id"] == owner.as_str() && cents(l) <= 100_000),
    ));
    let owner = c2.clone();
    cases.push((
        format!(
            "status=approved&client_id={c2}&min_amount=1&max_amount=250000&created_from={}&created_to={}",
            day(first_day),
            day(last_day)
        ),
        Box::new(move |l: &Value| l["status"] == "approved" && l["client_id"] == owner.as_str()),
    ));
    cases.push((
        format!("status=paid&client_id={c2}&min_amount=1000000"),
        Box::new(|_: &Value| false),
    ));

    for (filters, matches) in cases {
        let expected: Vec<&Value> = seeded.loans.iter().filter(|l| matches(l)).collect();
        for limit in [Some(2), None] {
            let items = walk(&app, &token, "/loans", &filters, limit).await;
            assert_exactly_newest_first(&items, &expected, &format!("{filters} limit {limit:?}"));
        }
    }
}

#[tokio::test]
async fn client_loans_lists_only_that_clients_loans_with_an_optional_status() {
    let app = TestApp::spawn().await;
    let seeded = seed(&app).await;
    let token = app.admin_token();
    let lonely = id(&create_client(&app).await);

    for client in &seeded.clients {
        let path = client_loans_uri(client);
        let theirs: Vec<&Value> = seeded
            .loans
            .iter()
            .filter(|l| l["client_id"] == client.as_str())
            .collect();
        for limit in [Some(1), Some(3), None] {
            let items = walk(&app, &token, &path, "", limit).await;
            assert_exactly_newest_first(&items, &theirs, &format!("{path} limit {limit:?}"));
        }
        for status in STATUSES {
            let expected: Vec<&Value> = theirs
                .iter()
                .copied()
                .filter(|l| l["status"] == status)
                .collect();
            let items = walk(&app, &token, &path, &format!("status={status}"), Some(1)).await;
            assert_exactly_newest_first(&items, &expected, &format!("{path}?status={status}"));
        }
    }
    let empty = admin(&app, request(Method::GET, &client_loans_uri(&lonely))).await;
    assert_eq!(empty.status, 200, "{}", empty.body);
    assert_eq!(empty.body, json!({"items": [], "next_cursor": null}));
    for missing in [ulid::Ulid::generate().to_string(), "not-an-id".to_owned()] {
        admin(&app, request(Method::GET, &client_loans_uri(&missing)))
            .await
            .assert_problem(404);
    }
}

#[tokio::test]
async fn a_customer_lists_only_its_own_loans_whatever_the_filters() {
    let app = TestApp::spawn().await;
    let seeded = seed(&app).await;
    let own = seeded.clients[0].clone();
    let other = seeded.clients[1].clone();
    let token = app.customer_token(&own);
    let mine: Vec<&Value> = seeded
        .loans
        .iter()
        .filter(|l| l["client_id"] == own.as_str())
        .collect();
    let cases: Vec<(String, Vec<&Value>, &str)> = vec![
        (String::new(), mine.clone(), "no filter"),
        (
            format!("client_id={own}"),
            mine.clone(),
            "its own client id",
        ),
        (format!("client_id={other}"), vec![], "another client's id"),
        (
            "status=pending".to_owned(),
            mine.iter()
                .copied()
                .filter(|l| l["status"] == "pending")
                .collect(),
            "a status",
        ),
        (
            "min_amount=10000".to_owned(),
            mine.iter()
                .copied()
                .filter(|l| cents(l) >= 1_000_000)
                .collect(),
            "an amount",
        ),
    ];

    for (filters, expected, why) in cases {
        for limit in [Some(2), None] {
            let items = walk(&app, &token, "/loans", &filters, limit).await;
            assert_exactly_newest_first(&items, &expected, &format!("customer, {why}"));
        }
    }
    let via_client = walk(&app, &token, &client_loans_uri(&own), "", Some(3)).await;
    assert_exactly_newest_first(&via_client, &mine, "customer, its client's loans");
    let foreign = app
        .send(request(Method::GET, &format!("/loans?client_id={other}")).bearer(&token))
        .await;
    assert_eq!(foreign.body, json!({"items": [], "next_cursor": null}));
    customer(&app, &own, request(Method::GET, &client_loans_uri(&other)))
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn list_rejects_bad_parameters() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    let of_client = client_loans_uri(&client);
    let cases: Vec<(String, u16, Option<&str>, &str)> = vec![
        (
            "/loans?status=open".into(),
            422,
            Some("status"),
            "an unknown status",
        ),
        (
            "/loans?status=PENDING".into(),
            422,
            Some("status"),
            "a status in upper case",
        ),
        (
            "/loans?created_from=2026-02-30".into(),
            400,
            Some("created_from"),
            "no such day",
        ),
        (
            "/loans?created_from=30-01-2026".into(),
            400,
            Some("created_from"),
            "a date in another order",
        ),
        (
            "/loans?created_to=2026-11-27T00:00:00Z".into(),
            400,
            Some("created_to"),
            "a timestamp, not a date",
        ),
        (
            "/loans?created_to=yesterday".into(),
            400,
            Some("created_to"),
            "a word",
        ),
        (
            "/loans?min_amount=abc".into(),
            400,
            Some("min_amount"),
            "a non-decimal minimum",
        ),
        (
            "/loans?max_amount=1,000".into(),
            400,
            Some("max_amount"),
            "a thousands separator",
        ),
        // A query parameter is not JSON: only the plain decimal the OpenAPI pattern states.
        (
            "/loans?min_amount=-5".into(),
            400,
            Some("min_amount"),
            "a negative minimum",
        ),
        (
            "/loans?max_amount=%221000%22".into(),
            400,
            Some("max_amount"),
            "a quoted maximum",
        ),
        (
            "/loans?min_amount=1e3".into(),
            400,
            Some("min_amount"),
            "an exponent",
        ),
        (
            format!("/loans?min_amount=1{}", "0".repeat(28)),
            400,
            Some("min_amount"),
            "more digits than a decimal filter holds",
        ),
        (
            "/loans?min_amount=500&max_amount=100".into(),
            422,
            None,
            "minimum above maximum",
        ),
        ("/loans?limit=0".into(), 422, Some("limit"), "limit below 1"),
        (
            "/loans?limit=101".into(),
            422,
            Some("limit"),
            "limit above 100",
        ),
        (
            "/loans?limit=abc".into(),
            400,
            Some("limit"),
            "limit not a number",
        ),
        ("/loans?limit=1&limit=2".into(), 400, None, "limit twice"),
        (
            "/loans?colour=red".into(),
            400,
            None,
            "an unknown parameter",
        ),
        (
            "/loans?cursor=garbage".into(),
            400,
            None,
            "a garbage cursor",
        ),
        (
            format!("{of_client}?status=open"),
            422,
            Some("status"),
            "an unknown status for a client",
        ),
        (
            format!("{of_client}?limit=0"),
            422,
            Some("limit"),
            "limit below 1 for a client",
        ),
        (
            format!("{of_client}?client_id={client}"),
            400,
            None,
            "client_id is not a filter there",
        ),
        (
            format!("{of_client}?min_amount=1"),
            400,
            None,
            "amounts are not a filter there",
        ),
        (
            format!("{of_client}?cursor=garbage"),
            400,
            None,
            "a garbage cursor for a client",
        ),
    ];
    for (uri, status, pointer, why) in cases {
        let response = admin(&app, request(Method::GET, &uri)).await;
        assert_eq!(response.status, status, "{why} ({uri}): {}", response.body);
        response.assert_problem(status);
        let pointers = response.error_pointers();
        match pointer {
            Some(name) => assert_eq!(pointers, [format!("#/query/{name}")], "{why}"),
            None if status == 422 => {
                assert!(
                    !pointers.is_empty()
                        && pointers
                            .iter()
                            .all(|p| p == "#/query/min_amount" || p == "#/query/max_amount"),
                    "{why}: {pointers:?}"
                );
            }
            None => {}
        }
    }
}

#[tokio::test]
async fn a_cursor_only_works_for_the_caller_and_the_list_that_issued_it() {
    let app = TestApp::spawn().await;
    let own = id(&create_client(&app).await);
    let other = id(&create_client(&app).await);
    for _ in 0..3 {
        create_loan(&app, &own).await;
        create_loan(&app, &other).await;
    }
    let first = admin(&app, request(Method::GET, "/loans?limit=1")).await;
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let of_own = admin(
        &app,
        request(Method::GET, &format!("{}?limit=1", client_loans_uri(&own))),
    )
    .await;
    let own_cursor = of_own.body["next_cursor"].as_str().unwrap().to_owned();
    let mut edited = cursor.clone().into_bytes();
    edited[5] = if edited[5] == b'A' { b'B' } else { b'A' };
    let edited = String::from_utf8(edited).unwrap();
    let admin_cases = [
        (format!("/loans?limit=2&cursor={cursor}"), "another limit"),
        (format!("/loans?cursor={cursor}"), "the default limit"),
        (
            format!("/loans?limit=1&status=pending&cursor={cursor}"),
            "another filter",
        ),
        (
            format!("/loans?limit=1&client_id={own}&cursor={cursor}"),
            "a client filter",
        ),
        (
            format!("/loans?limit=1&cursor={}", &cursor[..cursor.len() - 4]),
            "truncated",
        ),
        (format!("/loans?limit=1&cursor={edited}"), "edited"),
        (
            format!("{}?limit=1&cursor={cursor}", client_loans_uri(&own)),
            "another list",
        ),
        (
            format!("{}?limit=1&cursor={own_cursor}", client_loans_uri(&other)),
            "another client's list",
        ),
        (
            format!("/loans?limit=1&cursor={own_cursor}"),
            "a client list's cursor on all loans",
        ),
    ];
    for (uri, why) in admin_cases {
        let response = admin(&app, request(Method::GET, &uri)).await;
        assert_eq!(response.status, 400, "{why}: {}", response.body);
        response.assert_problem(400);
    }
    let borrowed = customer(
        &app,
        &own,
        request(Method::GET, &format!("/loans?limit=1&cursor={cursor}")),
    )
    .await;
    assert_eq!(
        borrowed.status, 400,
        "another caller's cursor: {}",
        borrowed.body
    );
    borrowed.assert_problem(400);

    let next = admin(
        &app,
        request(Method::GET, &format!("/loans?limit=1&cursor={cursor}")),
    )
    .await;
    assert_eq!(next.status, 200, "{}", next.body);
    let first_ids = ids(first.body["items"].as_array().unwrap());
    let next_ids = ids(next.body["items"].as_array().unwrap());
    assert_eq!(next_ids.len(), 1);
    assert!(next_ids.iter().all(|i| !first_ids.contains(i)));
}

#[tokio::test]
async fn client_partition_reads_the_client_and_all_its_loans_in_one_query() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    let neighbour = id(&create_client(&app).await);
    let mut expected = BTreeSet::new();
    for status in STATUSES {
        let loan = create_loan(&app, &client).await;
        expected.insert(id(&drive(&app, loan, status).await));
    }
    create_loan(&app, &neighbour).await;
    app.calls.take();

    let (found, loans) = app
        .store()
        .client_partition(&client_id(&client))
        .await
        .expect("client with loans")
        .map_or((None, Vec::new()), |p| (Some(p.client), p.loans));

    assert_eq!(found.map(|c| c.id().to_string()), Some(client.clone()));
    let loan_ids: BTreeSet<String> = loans.iter().map(|l| l.id().to_string()).collect();
    assert_eq!(loan_ids.len(), loans.len(), "no loan twice");
    assert_eq!(loan_ids, expected, "all its loans and no other client's");
    assert_eq!(app.calls.take(), ["Query"], "one Query and nothing else");

    let (missing, none) = app
        .store()
        .client_partition(&client_id(&ulid::Ulid::generate().to_string()))
        .await
        .expect("client with loans of a missing client")
        .map_or((None, Vec::new()), |p| (Some(p.client), p.loans));
    assert!(missing.is_none());
    assert!(none.is_empty());
}
