//! Every list at scale, against DynamoDB Local: whole walks for several page sizes and
//! filter combinations over a few hundred seeded loans (compared with an answer computed
//! here from the seed), sparse filters and the per-page read budget, index-backed status
//! reads, cursor abuse on every list, what a customer sees, and inserts during a walk.
//!
//! Data is seeded straight through the store (`api_tests::seed`), once per test.

use std::collections::{BTreeMap, HashSet};

use api_tests::seed::{self, BookSpec, LoanSeed};
use api_tests::*;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use http::Method;
use serde_json::Value;
use shared::auth::{Caller, Role};
use shared::domain::client::Client;
use shared::domain::loan::Loan;
use shared::domain::loan_status::LoanStatus;
use shared::store::page::MAX_CALLS_PER_PAGE;

/// The page sizes every walk is made with.
const LIMITS: [usize; 4] = [1, 7, 20, 100];

/// Text that only DynamoDB keys hold; no response may show it.
const KEY_MATERIAL: [&str; 5] = ["CLIENT#", "LOAN#", "USER#", "LOAN_STATUS#", "GSI"];

/// A seeded book: its clients and loans (in their stored form), oldest first.
struct Book {
    clients: Vec<Client>,
    loans: Vec<Loan>,
}

impl Book {
    fn client(&self, index: usize) -> &str {
        self.clients[index].id().as_str()
    }
}

/// How a book's loans are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Write {
    /// `Store::create_loan`, one transaction per loan, as the API writes them.
    OneByOne,
    /// `BatchWriteItem`, 25 at a time: the same items (see the last test), much faster.
    Bulk,
}

/// `clients` clients (written with `Store::create_client`) and `loans` bulk-loaded
/// loans: every status, creation times over 60 days, amounts from 1,000.00 to
/// 499,999.99, clients in turn.
async fn seed_book(app: &TestApp, clients: usize, loans: usize) -> Book {
    seed_book_with(app, clients, &BookSpec::new(loans), &[], Write::Bulk).await
}

/// Like [`seed_book`] from `spec`, plus hand-made `extra` loans (their client given by
/// index into the seeded clients), written as `write` says.
async fn seed_book_with(
    app: &TestApp,
    clients: usize,
    spec: &BookSpec,
    extra: &[(usize, LoanSeed)],
    write: Write,
) -> Book {
    let clients = seed::create_clients(app.store(), 0, clients).await;
    let ids: Vec<String> = clients.iter().map(|c| c.id().to_string()).collect();
    let mut loans = seed::book_loans(spec, &ids);
    for (client, extra) in extra {
        loans.push(seed::loan(&LoanSeed {
            client_id: ids[*client].clone(),
            ..extra.clone()
        }));
    }
    match write {
        Write::OneByOne => seed::create_loans(app.store(), &loans).await,
        Write::Bulk => {
            seed::bulk_load(app.store(), &loans)
                .await
                .expect("bulk load");
        }
    }
    app.calls.take();
    Book { clients, loans }
}

/// A loan filter, as the test understands it: the query it sends and the loans it means.
#[derive(Debug, Default, Clone)]
struct Want {
    status: Option<LoanStatus>,
    client_id: Option<String>,
    min_cents: Option<i64>,
    max_cents: Option<i64>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

impl Want {
    fn status(status: LoanStatus) -> Self {
        Self {
            status: Some(status),
            ..Self::default()
        }
    }

    fn query(&self) -> String {
        let mut params = Vec::new();
        if let Some(status) = self.status {
            params.push(format!("status={status}"));
        }
        if let Some(client) = &self.client_id {
            params.push(format!("client_id={client}"));
        }
        if let Some(min) = self.min_cents {
            params.push(format!("min_amount={}", seed::money(min)));
        }
        if let Some(max) = self.max_cents {
            params.push(format!("max_amount={}", seed::money(max)));
        }
        if let Some(from) = self.from {
            params.push(format!("created_from={from}"));
        }
        if let Some(to) = self.to {
            params.push(format!("created_to={to}"));
        }
        params.join("&")
    }

    fn matches(&self, loan: &Loan) -> bool {
        let cents = seed::cents(loan);
        let day = loan.created_at().as_datetime().date_naive();
        self.status.is_none_or(|s| loan.status() == s)
            && self
                .client_id
                .as_ref()
                .is_none_or(|c| loan.client_id().as_str() == c.as_str())
            && self.min_cents.is_none_or(|min| cents >= min)
            && self.max_cents.is_none_or(|max| cents <= max)
            && self.from.is_none_or(|from| day >= from)
            && self.to.is_none_or(|to| day <= to)
    }
}

/// The loans `want` selects, newest first (`created_at`, then id, descending).
fn expected(loans: &[Loan], want: &Want) -> Vec<Loan> {
    let mut selected: Vec<Loan> = loans.iter().filter(|l| want.matches(l)).cloned().collect();
    seed::newest_first(&mut selected);
    selected
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn uri(path: &str, params: &[String]) -> String {
    let params: Vec<&String> = params.iter().filter(|p| !p.is_empty()).collect();
    if params.is_empty() {
        path.to_owned()
    } else {
        let joined: Vec<&str> = params.iter().map(|p| p.as_str()).collect();
        format!("{path}?{}", joined.join("&"))
    }
}

async fn get(app: &TestApp, handler: Handler, token: &str, uri: &str) -> TestResponse {
    call(&app.app, handler, request(Method::GET, uri).bearer(token)).await
}

/// What a walk saw.
struct Walk {
    items: Vec<Value>,
    pages: usize,
}

/// Follows `next_cursor` from the first page of `path?filters&limit=..` to the last, as
/// the holder of `token`, asserting on every page: `200`, at most `limit` items, exactly
/// `limit` whenever a `next_cursor` follows, never an empty page after a cursor, no
/// cursor twice, and `next_cursor` `null` only on the last page.
async fn walk(
    app: &TestApp,
    handler: Handler,
    token: &str,
    path: &str,
    filters: &str,
    limit: usize,
) -> Walk {
    let mut items = Vec::new();
    let mut cursors = HashSet::new();
    let mut cursor: Option<String> = None;
    for page in 0..1000 {
        let mut params = vec![filters.to_owned(), format!("limit={limit}")];
        params.extend(cursor.iter().map(|c| format!("cursor={c}")));
        let uri = uri(path, &params);
        let response = get(app, handler, token, &uri).await;
        assert_eq!(response.status, 200, "{uri}: {}", response.body);
        let found = response.body["items"]
            .as_array()
            .unwrap_or_else(|| panic!("{uri}: a page has items: {}", response.body))
            .clone();
        assert!(found.len() <= limit, "{uri}: at most {limit} items");
        if page > 0 {
            assert!(!found.is_empty(), "{uri}: a cursor led to an empty page");
        }
        items.extend(found.iter().cloned());
        match &response.body["next_cursor"] {
            Value::Null => {
                return Walk {
                    items,
                    pages: page + 1,
                };
            }
            Value::String(next) => {
                assert_eq!(found.len(), limit, "{uri}: every page but the last is full");
                assert!(cursors.insert(next.clone()), "{uri}: a cursor came twice");
                cursor = Some(next.clone());
            }
            other => panic!("{uri}: next_cursor is a string or null, got {other}"),
        }
    }
    panic!("{path}?{filters} limit {limit}: the walk never ended");
}

fn field(items: &[Value], name: &str) -> Vec<String> {
    items
        .iter()
        .map(|item| {
            item[name]
                .as_str()
                .unwrap_or_else(|| panic!("an item has a string {name}: {item}"))
                .to_owned()
        })
        .collect()
}

/// Asserts a walk returned exactly `expected` keys, in that order, none twice.
fn assert_keys(found: &[String], expected: &[String], why: &str) {
    let unique: HashSet<&String> = found.iter().collect();
    assert_eq!(unique.len(), found.len(), "{why}: an item came twice");
    assert_eq!(
        found.len(),
        expected.len(),
        "{why}: {} items, expected {}",
        found.len(),
        expected.len()
    );
    assert_eq!(found, expected, "{why}: exactly the matches, newest first");
}

/// Walks `path?want` for every page size and asserts the union is exactly the expected
/// loans, each the full stored loan, newest first.
async fn assert_loan_walks(app: &TestApp, token: &str, path: &str, want: &Want, loans: &[Loan]) {
    let expected = expected(loans, want);
    let expected_ids: Vec<String> = expected.iter().map(|l| l.id().to_string()).collect();
    let expected_json: Vec<Value> = expected
        .iter()
        .map(|l| serde_json::to_value(l).expect("a loan serializes"))
        .collect();
    for limit in LIMITS {
        let why = format!("{path}?{} limit {limit}", want.query());
        let walk = walk(app, loans_handler, token, path, &want.query(), limit).await;
        assert_keys(&field(&walk.items, "id"), &expected_ids, &why);
        assert_eq!(
            walk.items, expected_json,
            "{why}: items are the stored loans"
        );
        assert_eq!(
            walk.pages,
            expected.len().div_ceil(limit).max(1),
            "{why}: the fewest pages"
        );
    }
}

fn day(at: DateTime<Utc>) -> NaiveDate {
    at.date_naive()
}

/// Cents of the `n`-th largest amount (0-based) among `loans`.
fn nth_largest(loans: &[Loan], n: usize) -> i64 {
    let mut amounts: Vec<i64> = loans.iter().map(seed::cents).collect();
    amounts.sort_unstable_by(|a, b| b.cmp(a));
    amounts[n]
}

#[tokio::test]
async fn loans_walk_without_filter_returns_every_loan_newest_first_in_full_pages() {
    let app = TestApp::spawn().await;
    let book = seed_book(&app, 12, 300).await;
    let token = app.admin_token();

    assert_loan_walks(&app, &token, "/loans", &Want::default(), &book.loans).await;
}

#[tokio::test]
async fn loans_walks_by_status_return_exactly_the_loans_of_that_status() {
    let app = TestApp::spawn().await;
    let book = seed_book(&app, 12, 300).await;
    let token = app.admin_token();
    let statuses: HashSet<LoanStatus> = book.loans.iter().map(|l| l.status()).collect();
    assert_eq!(statuses.len(), 6, "the seed holds every status");

    for status in LoanStatus::ALL {
        assert_loan_walks(&app, &token, "/loans", &Want::status(status), &book.loans).await;
    }
}

/// Asserts each filter selects some loans, but few enough (and not all) that walking it
/// one item a page stays quick.
fn assert_selective(loans: &[Loan], cases: &[Want]) {
    for want in cases {
        let matches = expected(loans, want).len();
        assert!(
            matches <= 40,
            "{want:?}: {matches} matches, keep walks short"
        );
    }
}

#[tokio::test]
async fn loans_walks_by_client_and_amount_return_exactly_the_matches() {
    let app = TestApp::spawn().await;
    let book = seed_book(&app, 12, 300).await;
    let token = app.admin_token();
    let n = book.loans.len();
    // Bounds taken from seeded amounts, so both ends are hit exactly (inclusive).
    let cases = [
        Want {
            client_id: Some(book.client(0).to_owned()),
            ..Want::default()
        },
        Want {
            client_id: Some(book.client(7).to_owned()),
            ..Want::default()
        },
        Want {
            min_cents: Some(nth_largest(&book.loans, 24)),
            ..Want::default()
        },
        Want {
            max_cents: Some(nth_largest(&book.loans, n - 25)),
            ..Want::default()
        },
        Want {
            min_cents: Some(nth_largest(&book.loans, 160)),
            max_cents: Some(nth_largest(&book.loans, 130)),
            ..Want::default()
        },
        // An amount filter within one client's partition.
        Want {
            client_id: Some(book.client(3).to_owned()),
            min_cents: Some(nth_largest(&book.loans, 150)),
            ..Want::default()
        },
    ];
    assert_selective(&book.loans, &cases);
    for want in &cases {
        assert!(!expected(&book.loans, want).is_empty(), "{want:?}");
        assert_loan_walks(&app, &token, "/loans", want, &book.loans).await;
    }
}

#[tokio::test]
async fn loans_walks_by_creation_date_include_both_days_of_the_range() {
    let app = TestApp::spawn().await;
    let spec = BookSpec::new(300);
    let newest = day(spec.newest);
    // Loans on the edges of a range queried below: the first and last millisecond of
    // the range are in, a millisecond outside it is out.
    let from = newest - chrono::Days::new(40);
    let to = newest - chrono::Days::new(36);
    let at = |date: NaiveDate, time: NaiveTime| date.and_time(time).and_utc();
    let midnight = NaiveTime::MIN;
    let last_ms = NaiveTime::from_hms_milli_opt(23, 59, 59, 999).unwrap();
    let edge = |when: DateTime<Utc>, salt: u64| LoanSeed {
        client_id: String::new(),
        status: LoanStatus::Active,
        amount_cents: 123_456,
        created_at: when,
        salt,
    };
    let edges = [
        (0, edge(at(from, midnight), 1)),
        (
            1,
            edge(at(from, midnight) - chrono::Duration::milliseconds(1), 2),
        ),
        (2, edge(at(to, last_ms), 3)),
        (3, edge(at(to + chrono::Days::new(1), midnight), 4)),
    ];
    let book = seed_book_with(&app, 12, &spec, &edges, Write::Bulk).await;
    let token = app.admin_token();

    let range = Want {
        from: Some(from),
        to: Some(to),
        ..Want::default()
    };
    let cases = [
        range.clone(),
        Want {
            from: Some(newest - chrono::Days::new(6)),
            ..Want::default()
        },
        Want {
            to: Some(newest - chrono::Days::new(54)),
            ..Want::default()
        },
        // A single day, and days holding no loan at all.
        Want {
            from: Some(to),
            to: Some(to),
            ..Want::default()
        },
        Want {
            from: Some(newest + chrono::Days::new(1)),
            ..Want::default()
        },
        Want {
            to: Some(newest - chrono::Days::new(70)),
            ..Want::default()
        },
        // Dates with an amount filter on the same index.
        Want {
            from: Some(newest - chrono::Days::new(20)),
            min_cents: Some(nth_largest(&book.loans, 60)),
            ..Want::default()
        },
    ];
    assert_selective(&book.loans, &cases);
    for want in &cases {
        assert_loan_walks(&app, &token, "/loans", want, &book.loans).await;
    }
    let edges_in: Vec<String> = expected(&book.loans, &range)
        .iter()
        .filter(|l| seed::cents(l) == 123_456)
        .map(|l| l.created_at().to_rfc3339())
        .collect();
    assert_eq!(
        edges_in,
        [
            format!("{to}T23:59:59.999Z"),
            format!("{from}T00:00:00.000Z")
        ],
        "the seeded edges: both ends of the range are inclusive, to the millisecond"
    );
}

#[tokio::test]
async fn loans_walks_with_combined_filters_return_exactly_the_matches() {
    let app = TestApp::spawn().await;
    let book = seed_book(&app, 12, 300).await;
    let token = app.admin_token();
    let newest = day(seed::default_newest());
    let (low, high) = (nth_largest(&book.loans, 200), nth_largest(&book.loans, 50));
    let cases = [
        Want {
            status: Some(LoanStatus::Active),
            from: Some(newest - chrono::Days::new(45)),
            to: Some(newest - chrono::Days::new(10)),
            ..Want::default()
        },
        Want {
            status: Some(LoanStatus::Pending),
            min_cents: Some(low),
            max_cents: Some(high),
            ..Want::default()
        },
        Want {
            status: Some(LoanStatus::Paid),
            client_id: Some(book.client(3).to_owned()),
            ..Want::default()
        },
        Want {
            status: Some(LoanStatus::Approved),
            from: Some(newest - chrono::Days::new(40)),
            min_cents: Some(low),
            ..Want::default()
        },
        Want {
            status: Some(LoanStatus::Cancelled),
            client_id: Some(book.client(5).to_owned()),
            min_cents: Some(low),
            from: Some(newest - chrono::Days::new(50)),
            ..Want::default()
        },
        Want {
            client_id: Some(book.client(2).to_owned()),
            max_cents: Some(high),
            to: Some(newest - chrono::Days::new(20)),
            ..Want::default()
        },
        Want {
            status: Some(LoanStatus::Rejected),
            client_id: Some(book.client(9).to_owned()),
            min_cents: Some(low),
            max_cents: Some(high),
            from: Some(newest - chrono::Days::new(55)),
            to: Some(newest),
        },
    ];
    assert_selective(&book.loans, &cases);
    for want in &cases {
        assert_loan_walks(&app, &token, "/loans", want, &book.loans).await;
    }
}

#[tokio::test]
async fn client_loans_walks_with_and_without_status_return_exactly_that_clients_loans() {
    let app = TestApp::spawn().await;
    let book = seed_book(&app, 12, 300).await;
    let token = app.admin_token();
    for client in [0, 6, 11] {
        let client_id = book.client(client).to_owned();
        let path = format!("/clients/{client_id}/loans");
        let mut wants = vec![Want::default()];
        wants.extend([LoanStatus::Active, LoanStatus::Rejected].map(Want::status));
        for status_only in wants {
            // The list is the client's; the status is the only filter it takes.
            let query = status_only.query();
            let want = Want {
                client_id: Some(client_id.clone()),
                ..status_only
            };
            let expected = expected(&book.loans, &want);
            assert!(!expected.is_empty(), "{path}?{query}: some loans match");
            let ids: Vec<String> = expected.iter().map(|l| l.id().to_string()).collect();
            for limit in LIMITS {
                let walk = walk(&app, loans_handler, &token, &path, &query, limit).await;
                assert_keys(
                    &field(&walk.items, "id"),
                    &ids,
                    &format!("{path}?{query} limit {limit}"),
                );
            }
        }
    }
}

#[tokio::test]
async fn clients_walks_with_and_without_a_name_filter_return_exactly_the_matches() {
    let app = TestApp::spawn().await;
    let mut clients = seed::create_clients(app.store(), 0, 45).await;
    clients.sort_by(|a, b| (b.created_at(), &b.id()).cmp(&(a.created_at(), &a.id())));
    let token = app.admin_token();
    for name in [None, Some("an"), Some("HÉCTOR"), Some("ía"), Some("zzz")] {
        let expected: Vec<String> = clients
            .iter()
            .filter(|c| {
                name.is_none_or(|q| {
                    let q = q.to_lowercase();
                    c.details().first_name.as_str().to_lowercase().contains(&q)
                        || c.details().last_name.as_str().to_lowercase().contains(&q)
                })
            })
            .map(|c| c.id().to_string())
            .collect();
        let query = name.map_or(String::new(), |q| format!("name={}", encode(q)));
        for limit in LIMITS {
            let walk = walk(&app, clients_handler, &token, "/clients", &query, limit).await;
            assert_keys(
                &field(&walk.items, "id"),
                &expected,
                &format!("/clients?{query} limit {limit}"),
            );
        }
    }
}

#[tokio::test]
async fn users_walk_returns_every_user_newest_first() {
    let app = TestApp::spawn().await;
    let users = seed::create_users(app.store(), 23).await;
    let mut expected: Vec<(String, String)> = users
        .iter()
        .map(|u| {
            (
                u.created_at().to_rfc3339(),
                u.username().as_str().to_owned(),
            )
        })
        .collect();
    expected.sort_by(|a, b| b.cmp(a));
    let expected: Vec<String> = expected.into_iter().map(|(_, name)| name).collect();
    let token = app.admin_token();
    for limit in LIMITS {
        let walk = walk(&app, auth_handler, &token, "/users", "", limit).await;
        assert_keys(
            &field(&walk.items, "username"),
            &expected,
            &format!("/users limit {limit}"),
        );
        for item in &walk.items {
            assert!(item.get("password_hash").is_none(), "no hash leaks: {item}");
        }
    }
}

/// Every status but `paid`.
const NO_PAID: &[(LoanStatus, u32)] = &[
    (LoanStatus::Pending, 1),
    (LoanStatus::Approved, 1),
    (LoanStatus::Rejected, 1),
    (LoanStatus::Active, 1),
    (LoanStatus::Cancelled, 1),
];

#[tokio::test]
async fn a_single_match_among_300_loans_comes_back_on_the_first_page_within_the_read_budget() {
    let app = TestApp::spawn().await;
    let spec = BookSpec {
        statuses: NO_PAID,
        ..BookSpec::new(300)
    };
    // The only paid loan, and the only amount under 1,000.00: the oldest loan, so a
    // filtered read has to go through every other loan to reach it.
    let needle = LoanSeed {
        client_id: String::new(),
        status: LoanStatus::Paid,
        amount_cents: 77_777,
        created_at: spec.newest - chrono::Duration::days(61),
        salt: 7,
    };
    let book = seed_book_with(&app, 12, &spec, &[(4, needle)], Write::Bulk).await;
    let needle = book.loans.last().expect("the needle is seeded").clone();
    assert_eq!(
        book.loans
            .iter()
            .filter(|l| l.status() == LoanStatus::Paid || seed::cents(l) < 100_000)
            .count(),
        1
    );
    let token = app.admin_token();
    let client = &needle.client_id();
    let cases = [
        ("/loans".to_owned(), "status=paid&limit=1"),
        (
            "/loans".to_owned(),
            "min_amount=777.77&max_amount=777.77&limit=1",
        ),
        ("/loans".to_owned(), "min_amount=500&max_amount=999.99"),
        ("/loans".to_owned(), "status=paid&max_amount=800&limit=5"),
        (format!("/clients/{client}/loans"), "status=paid&limit=1"),
    ];
    for (path, query) in cases {
        let uri = format!("{path}?{query}");
        let page = get(&app, loans_handler, &token, &uri).await;
        let calls = app.calls.take();

        assert_eq!(page.status, 200, "{uri}: {}", page.body);
        assert_eq!(
            field(page.body["items"].as_array().expect("items"), "id"),
            [needle.id().as_str()],
            "{uri}: the one match, on the first page"
        );
        assert!(page.body["next_cursor"].is_null(), "{uri}: and the last");
        // A page stops after MAX_CALLS_PER_PAGE queries whatever it found; here each
        // filtered query evaluates up to 200 items, so 301 loans take two calls (one for
        // the status index, whose partition holds this loan alone).
        let queries = calls.iter().filter(|c| *c == "Query").count();
        assert!(
            (1..=MAX_CALLS_PER_PAGE).contains(&queries),
            "{uri}: {queries} queries, budget {MAX_CALLS_PER_PAGE}: {calls:?}"
        );
        assert_eq!(calls.len(), queries, "{uri}: only queries: {calls:?}");
        if query.starts_with("status=paid&limit") {
            assert_eq!(queries, 1, "{uri}: a key condition finds it at once");
        }
    }
}

/// Follows cursors from `uri` until `next_cursor` is null, asserting no cursor repeats and
/// each page stays within the read budget; returns the items and the pages.
async fn follow(app: &TestApp, token: &str, path: &str, query: &str) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    let mut cursor: Option<String> = None;
    for page in 1..=100 {
        let mut params = vec![query.to_owned()];
        params.extend(cursor.iter().map(|c| format!("cursor={c}")));
        let uri = uri(path, &params);
        let response = get(app, loans_handler, token, &uri).await;
        let calls = app.calls.take();
        assert_eq!(response.status, 200, "{uri}: {}", response.body);
        assert!(
            calls.len() <= MAX_CALLS_PER_PAGE && calls.iter().all(|c| c == "Query"),
            "{uri}: at most {MAX_CALLS_PER_PAGE} queries a page: {calls:?}"
        );
        items.extend(response.body["items"].as_array().expect("items").clone());
        match response.body["next_cursor"].as_str() {
            None => return (items, page),
            Some(next) => {
                assert!(seen.insert(next.to_owned()), "{uri}: a cursor came twice");
                cursor = Some(next.to_owned());
            }
        }
    }
    panic!("{path}?{query}: the walk never ended");
}

#[tokio::test]
async fn an_amount_range_matching_nothing_among_300_loans_gives_an_empty_last_page() {
    let app = TestApp::spawn().await;
    let book = seed_book(&app, 12, 300).await;
    assert!(book.loans.iter().all(|l| seed::cents(l) >= 100_000));
    let token = app.admin_token();
    for query in [
        "min_amount=1&max_amount=999.99",
        "min_amount=600000",
        "min_amount=600000&status=active&limit=1",
    ] {
        let (items, pages) = follow(&app, &token, "/loans", query).await;
        assert!(items.is_empty(), "{query}: nothing matches");
        assert_eq!(pages, 1, "{query}: 300 loans fit in one page's read budget");
    }
}

#[tokio::test]
async fn sparse_filters_past_the_read_budget_walk_forward_to_the_end() {
    let app = TestApp::spawn().await;
    let clients = seed::create_clients(app.store(), 0, 20).await;
    let ids: Vec<String> = clients.iter().map(|c| c.id().to_string()).collect();
    let spec = BookSpec {
        statuses: NO_PAID,
        ..BookSpec::new(2_000)
    };
    let mut seeds = seed::book(&spec, &ids);
    // Three needles, the only loans under 1,000.00: the newest, one in the middle and
    // the oldest. 2,000 loans take more than one page's budget to read through.
    for (position, cents) in [(1_999, 55_555), (1_000, 66_666), (0, 77_777)] {
        seeds[position].amount_cents = cents;
    }
    let mut loans: Vec<Loan> = seeds.iter().map(seed::loan).collect();
    seed::bulk_load(app.store(), &loans)
        .await
        .expect("bulk load");
    app.calls.take();
    seed::newest_first(&mut loans);
    let needles: Vec<String> = loans
        .iter()
        .filter(|l| seed::cents(l) < 100_000)
        .map(|l| l.id().to_string())
        .collect();
    assert_eq!(needles.len(), 3);
    let token = app.admin_token();

    for limit in [1, 2, 5] {
        let query = format!("min_amount=500&max_amount=999.99&limit={limit}");
        let (items, pages) = follow(&app, &token, "/loans", &query).await;
        assert_keys(&field(&items, "id"), &needles, &query);
        assert!(pages <= 6, "{query}: {pages} pages");
    }
    let (items, pages) = follow(&app, &token, "/loans", "max_amount=1&limit=3").await;
    assert!(items.is_empty(), "nothing matches");
    assert!(
        pages >= 2,
        "2,000 loans exceed one page's budget, so the walk takes several pages"
    );
}

#[tokio::test]
async fn a_status_filter_reads_only_loans_of_that_status_from_its_index() {
    let app = TestApp::spawn().await;
    let book = seed_book(&app, 12, 300).await;
    let token = app.admin_token();
    let active = expected(&book.loans, &Want::status(LoanStatus::Active));
    assert!(
        (30..100).contains(&active.len()),
        "{} active loans",
        active.len()
    );

    let page = get(&app, loans_handler, &token, "/loans?status=active").await;
    assert_eq!(app.calls.take(), ["Query"], "one query for a page");
    let statuses = field(page.body["items"].as_array().expect("items"), "status");
    assert_eq!(statuses.len(), 20);
    assert!(statuses.iter().all(|s| s == "active"), "{statuses:?}");
    assert!(page.body["next_cursor"].is_string());

    // Every active loan of 300 in one query: only a key condition on the status (GSI2)
    // can do that; a filter over all loans would evaluate 300 items, more than one
    // filtered call reads.
    let page = get(
        &app,
        loans_handler,
        &token,
        "/loans?status=active&limit=100",
    )
    .await;
    assert_eq!(app.calls.take(), ["Query"]);
    let ids = field(page.body["items"].as_array().expect("items"), "id");
    let wanted: Vec<String> = active.iter().map(|l| l.id().to_string()).collect();
    assert_eq!(ids, wanted);
    assert!(page.body["next_cursor"].is_null());
}

/// A list the cursor tests abuse: how to call it, and a filter it accepts.
struct List {
    name: &'static str,
    handler: Handler,
    path: String,
    /// Another value for one of its filters; `None` for a list without filters.
    other_filter: Option<&'static str>,
}

/// Asserts `cursor` shows nothing of the resume key it seals, whose `PK` names `last`,
/// the item the next page starts after: neither its text nor its base64url decoding holds
/// that item's id or username. (Not the markers of [`KEY_MATERIAL`]: a cursor is
/// random-looking base64url, in which "GSI" turns up about once in a thousand cursors.)
fn assert_opaque(cursor: &str, last: &Value, list: &str) {
    let name = last["id"]
        .as_str()
        .or_else(|| last["username"].as_str())
        .unwrap_or_else(|| panic!("{list}: an item with an id or a username: {last}"));
    let decoded = URL_SAFE_NO_PAD.decode(cursor).unwrap_or_default();
    assert!(
        !cursor.contains(name) && !decoded.windows(name.len()).any(|w| w == name.as_bytes()),
        "{list}: an opaque cursor shows no key: {cursor}"
    );
}

fn assert_refused(response: &TestResponse, why: &str) {
    assert_eq!(response.status, 400, "{why}: {}", response.body);
    response.assert_problem(400);
    let body = response.body.to_string();
    for secret in KEY_MATERIAL {
        assert!(
            !body.contains(secret),
            "{why}: the body shows {secret}: {body}"
        );
    }
}

#[tokio::test]
async fn an_abused_cursor_is_a_400_on_every_list_and_reveals_no_key() {
    let app = TestApp::spawn().await;
    let book = seed_book(&app, 3, 30).await;
    seed::create_users(app.store(), 5).await;
    let (first, second) = (book.client(0).to_owned(), book.client(1).to_owned());
    let admin = |name: &str| {
        app.token_for(&Caller {
            username: name.into(),
            role: Role::Admin,
            client_id: None,
        })
    };
    let (alice, bob) = (admin("admin-alice"), admin("admin-bob"));
    let lists = [
        List {
            name: "loans",
            handler: loans_handler,
            path: "/loans".into(),
            other_filter: Some("status=pending"),
        },
        List {
            name: "client loans",
            handler: loans_handler,
            path: format!("/clients/{first}/loans"),
            other_filter: Some("status=active"),
        },
        List {
            name: "clients",
            handler: clients_handler,
            path: "/clients".into(),
            other_filter: Some("name=a"),
        },
        List {
            name: "users",
            handler: auth_handler,
            path: "/users".into(),
            other_filter: None,
        },
    ];
    let mut cursors = BTreeMap::new();
    for list in &lists {
        let page = get(
            &app,
            list.handler,
            &alice,
            &format!("{}?limit=1", list.path),
        )
        .await;
        let cursor = page.body["next_cursor"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: a first page with a cursor", list.name))
            .to_owned();
        assert_opaque(&cursor, &page.body["items"][0], list.name);
        cursors.insert(list.name, cursor);
    }

    for list in &lists {
        let cursor = &cursors[list.name];
        let at = |query: String| format!("{}?{query}", list.path);
        let flip = |i: usize| {
            let mut bytes = cursor.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            String::from_utf8(bytes).expect("ascii")
        };
        let mut cases: Vec<(String, &str, String)> = vec![
            (
                at(format!("limit=1&cursor={}", flip(0))),
                "edited first character",
                alice.clone(),
            ),
            (
                at(format!("limit=1&cursor={}", flip(cursor.len() / 2))),
                "edited middle character",
                alice.clone(),
            ),
            (
                at(format!("limit=1&cursor={}", flip(cursor.len() - 2))),
                "edited near the end",
                alice.clone(),
            ),
            (
                at(format!("limit=1&cursor={}", &cursor[..cursor.len() - 4])),
                "truncated by four",
                alice.clone(),
            ),
            (
                at(format!("limit=1&cursor={}", &cursor[..cursor.len() / 2])),
                "truncated by half",
                alice.clone(),
            ),
            (
                at(format!("limit=1&cursor={cursor}")),
                "another admin's",
                bob.clone(),
            ),
            (
                at(format!("limit=2&cursor={cursor}")),
                "another limit's",
                alice.clone(),
            ),
            (
                at("limit=1&cursor=garbage".into()),
                "garbage",
                alice.clone(),
            ),
            (
                at("limit=1&cursor=..%2F..%2Fetc%2Fpasswd".into()),
                "a path",
                alice.clone(),
            ),
            (
                at(format!("limit=1&cursor={}", "A".repeat(3000))),
                "huge",
                alice.clone(),
            ),
            (
                at(format!("limit=1&cursor={}", encode(r#"{"PK":"CLIENT#x"}"#))),
                "a forged key",
                alice.clone(),
            ),
        ];
        if let Some(filter) = list.other_filter {
            cases.push((
                at(format!("limit=1&{filter}&cursor={cursor}")),
                "another filter's",
                alice.clone(),
            ));
        }
        if list.name == "loans" {
            for filter in [
                format!("client_id={first}"),
                "min_amount=1".into(),
                "created_from=2000-01-01".into(),
                "created_to=2100-01-01".into(),
            ] {
                cases.push((
                    at(format!("limit=1&{filter}&cursor={cursor}")),
                    "another loan filter's",
                    alice.clone(),
                ));
            }
        }
        if list.name == "client loans" {
            cases.push((
                format!("/clients/{second}/loans?limit=1&cursor={cursor}"),
                "another client's list",
                alice.clone(),
            ));
        }
        for other in &lists {
            if other.name != list.name {
                cases.push((
                    at(format!("limit=1&cursor={}", cursors[other.name])),
                    "a cursor of another list",
                    alice.clone(),
                ));
            }
        }
        for (uri, why, token) in cases {
            let response = get(&app, list.handler, &token, &uri).await;
            assert_refused(&response, &format!("{}: {why} ({uri})", list.name));
        }
        let response = get(
            &app,
            list.handler,
            &alice,
            &at(format!("limit=1&cursor={cursor}")),
        )
        .await;
        assert_eq!(
            response.status, 200,
            "{}: the untouched cursor still works",
            list.name
        );
    }

    // A customer's cursor is its own, too.
    let customer = app.customer_token(&first);
    let page = get(&app, loans_handler, &customer, "/loans?limit=1").await;
    let cursor = page.body["next_cursor"]
        .as_str()
        .expect("a cursor")
        .to_owned();
    let cases = [
        (app.customer_token(&second), "/loans", "another customer"),
        (alice.clone(), "/loans", "an admin"),
        (
            customer.clone(),
            &format!("/clients/{first}/loans") as &str,
            "its client's list",
        ),
    ];
    for (token, path, why) in cases {
        let uri = format!("{path}?limit=1&cursor={cursor}");
        let response = get(&app, loans_handler, &token, &uri).await;
        assert_refused(&response, &format!("customer cursor replayed by {why}"));
    }
}

#[tokio::test]
async fn a_customer_walks_only_its_own_loans_whatever_the_filters() {
    let app = TestApp::spawn().await;
    let book = seed_book(&app, 6, 180).await;
    let own = book.client(2).to_owned();
    let other = book.client(4).to_owned();
    let token = app.customer_token(&own);
    let newest = day(seed::default_newest());
    let (low, high) = (nth_largest(&book.loans, 150), nth_largest(&book.loans, 30));
    let filters = [
        Want::default(),
        Want::status(LoanStatus::Active),
        Want {
            client_id: Some(own.clone()),
            ..Want::default()
        },
        Want {
            min_cents: Some(low),
            max_cents: Some(high),
            ..Want::default()
        },
        Want {
            from: Some(newest - chrono::Days::new(30)),
            status: Some(LoanStatus::Pending),
            ..Want::default()
        },
    ];
    for sent in filters {
        // The answer is the sent filter narrowed to the customer's client.
        let want = Want {
            client_id: Some(own.clone()),
            ..sent.clone()
        };
        let expected: Vec<String> = expected(&book.loans, &want)
            .iter()
            .map(|l| l.id().to_string())
            .collect();
        for limit in LIMITS {
            let walk = walk(&app, loans_handler, &token, "/loans", &sent.query(), limit).await;
            assert_keys(
                &field(&walk.items, "id"),
                &expected,
                &format!("customer /loans?{} limit {limit}", sent.query()),
            );
        }
    }
    let own_loans: Vec<String> = expected(
        &book.loans,
        &Want {
            client_id: Some(own.clone()),
            ..Want::default()
        },
    )
    .iter()
    .map(|l| l.id().to_string())
    .collect();
    let walk = walk(
        &app,
        loans_handler,
        &token,
        &format!("/clients/{own}/loans"),
        "",
        7,
    )
    .await;
    assert_keys(
        &field(&walk.items, "id"),
        &own_loans,
        "customer's client loans",
    );

    for query in [
        format!("client_id={other}"),
        format!("client_id={other}&status=active&limit=1"),
    ] {
        let page = get(&app, loans_handler, &token, &format!("/loans?{query}")).await;
        assert_eq!(page.status, 200, "{query}");
        assert_eq!(
            page.body,
            serde_json::json!({"items": [], "next_cursor": null}),
            "{query}: another client's loans are an empty page"
        );
    }
    let page = get(
        &app,
        loans_handler,
        &token,
        &format!("/clients/{other}/loans"),
    )
    .await;
    page.assert_problem(404);
}

#[tokio::test]
async fn loans_inserted_while_paging_never_repeat_or_hide_a_loan_that_existed_before() {
    let app = TestApp::spawn().await;
    // Forty clients of two or three loans: none holds more than three pending, the most
    // a client may, even with the applications made during the walk.
    let book = seed_book_with(&app, 40, &BookSpec::new(100), &[], Write::OneByOne).await;
    let token = app.admin_token();
    let before: HashSet<String> = book.loans.iter().map(|l| l.id().to_string()).collect();
    let span_start = book.loans[0].created_at().as_datetime();

    let mut seen: Vec<Value> = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 0..100 {
        let uri = match &cursor {
            Some(c) => format!("/loans?limit=10&cursor={c}"),
            None => "/loans?limit=10".to_owned(),
        };
        let response = get(&app, loans_handler, &token, &uri).await;
        assert_eq!(response.status, 200, "{uri}: {}", response.body);
        seen.extend(response.body["items"].as_array().expect("items").clone());

        // Between pages: a new application through the API (newer than everything), and
        // a loan through the store dated inside the span (older than some loans seen,
        // newer than others still to come).
        api_tests::create_loan(&app, book.client(page % 40)).await;
        let late = seed::loan(&LoanSeed {
            client_id: book.client((page + 1) % 40).to_owned(),
            status: LoanStatus::Cancelled,
            amount_cents: 250_000,
            created_at: span_start + chrono::Duration::days(i64::try_from(page * 6 + 3).unwrap()),
            salt: 10_000 + page as u64,
        });
        app.store()
            .create_loan(&late, &shared::store::idempotency::WriteOnce::fresh())
            .await
            .expect("insert during the walk");

        match response.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let ids = field(&seen, "id");
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no loan twice");
    for id in &before {
        assert_eq!(
            ids.iter().filter(|seen| *seen == id).count(),
            1,
            "{id} existed before the walk and appears exactly once"
        );
    }
    let keys: Vec<(String, String)> = seen
        .iter()
        .map(|l| {
            (
                l["created_at"].as_str().expect("created_at").to_owned(),
                l["id"].as_str().expect("id").to_owned(),
            )
        })
        .collect();
    assert!(
        keys.windows(2).all(|pair| pair[0] > pair[1]),
        "the walk stays newest first"
    );
}

#[tokio::test]
async fn a_bulk_loaded_loan_is_stored_exactly_as_create_loan_stores_it() {
    let through_store = TestApp::spawn().await;
    let bulk = TestApp::spawn().await;
    let clients = seed::create_clients(through_store.store(), 0, 2).await;
    seed::create_clients(bulk.store(), 0, 2).await;
    let ids: Vec<String> = clients.iter().map(|c| c.id().to_string()).collect();
    // Every status (so every optional timestamp set and unset), with and without purpose.
    let loans: Vec<Loan> = LoanStatus::ALL
        .iter()
        .enumerate()
        .flat_map(|(i, status)| {
            [0, 1].map(|k| {
                seed::loan(&LoanSeed {
                    client_id: ids[k].clone(),
                    status: *status,
                    amount_cents: 100_001 + 37 * i as i64 + k as i64,
                    created_at: seed::default_newest()
                        - chrono::Duration::hours(i as i64 * 2 + k as i64),
                    salt: (i * 2 + k) as u64,
                })
            })
        })
        .collect();
    assert!(loans.iter().any(|l| l.purpose().is_none()));
    assert!(loans.iter().any(|l| l.purpose().is_some()));
    seed::create_loans(through_store.store(), &loans).await;
    let report = seed::bulk_load(bulk.store(), &loans)
        .await
        .expect("bulk load");
    assert_eq!(report.items, loans.len());

    let token = bulk.admin_token();
    for loan in &loans {
        let read = |app: &TestApp| {
            let store = app.store().clone();
            let key = (
                format!("CLIENT#{}", loan.client_id()),
                format!("LOAN#{}", loan.id()),
            );
            async move {
                store
                    .client()
                    .get_item()
                    .table_name(store.table())
                    .key("PK", aws_sdk_dynamodb::types::AttributeValue::S(key.0))
                    .key("SK", aws_sdk_dynamodb::types::AttributeValue::S(key.1))
                    .consistent_read(true)
                    .send()
                    .await
                    .expect("get item")
                    .item
                    .expect("the loan is stored")
            }
        };
        assert_eq!(
            read(&bulk).await,
            read(&through_store).await,
            "{}: the bulk loader writes what create_loan writes",
            loan.status()
        );
        let response = get(
            &bulk,
            loans_handler,
            &token,
            &format!("/loans/{}", loan.id()),
        )
        .await;
        assert_eq!(response.status, 200, "{}", response.body);
        assert_eq!(
            response.body,
            serde_json::to_value(loan).expect("a loan serializes"),
            "a bulk-loaded loan reads back as seeded"
        );
    }
    let mut newest = loans.clone();
    seed::newest_first(&mut newest);
    let walk = walk(&bulk, loans_handler, &token, "/loans", "", 5).await;
    assert_keys(
        &field(&walk.items, "id"),
        &newest
            .iter()
            .map(|l| l.id().to_string())
            .collect::<Vec<_>>(),
        "bulk-loaded loans list newest first",
    );
}
