//! `GET /clients`: order, pagination, filters and cursor abuse.

use std::collections::HashSet;

use api_tests::factories::client_body;
use api_tests::*;
use http::Method;
use serde_json::{Value, json};

async fn seed(app: &TestApp, count: usize) -> Vec<Value> {
    let mut created = Vec::new();
    for _ in 0..count {
        let response = app
            .admin(request(Method::POST, "/clients").json(&client_body()))
            .await;
        assert_eq!(response.status, 201);
        created.push(response.body);
    }
    created
}

async fn list(app: &TestApp, query: &str) -> TestResponse {
    app.admin(request(Method::GET, &format!("/clients{query}")))
        .await
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn list_walks_every_client_newest_first_with_full_pages() {
    let app = TestApp::spawn().await;
    let created = seed(&app, 7).await;
    let mut expected: Vec<String> = created
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    expected.reverse();

    for limit in [1, 3, 7, 20] {
        let mut seen = Vec::new();
        let mut query = format!("?limit={limit}");
        loop {
            let page = list(&app, &query).await;
            assert_eq!(page.status, 200, "{}", page.body);
            let items = ids(&page.body);
            match page.body["next_cursor"].as_str() {
                Some(cursor) => {
                    assert_eq!(items.len(), limit, "every page but the last is full");
                    query = format!("?limit={limit}&cursor={cursor}");
                    seen.extend(items);
                }
                None => {
                    seen.extend(items);
                    break;
                }
            }
        }
        assert_eq!(
            seen, expected,
            "limit {limit}: every client once, newest first"
        );
    }
}

#[tokio::test]
async fn list_defaults_to_twenty_and_an_empty_table_gives_an_empty_last_page() {
    let app = TestApp::spawn().await;
    let empty = list(&app, "").await;
    assert_eq!(empty.status, 200);
    assert_eq!(empty.body, json!({"items": [], "next_cursor": null}));

    seed(&app, 21).await;
    let page = list(&app, "").await;
    assert_eq!(ids(&page.body).len(), 20);
    assert!(page.body["next_cursor"].is_string());
}

#[tokio::test]
async fn list_filters_by_email_document_and_name() {
    let app = TestApp::spawn().await;
    let created = seed(&app, 5).await;
    let target = &created[2];
    let mut named = client_body();
    named["first_name"] = json!("Ximena");
    named["last_name"] = json!("Quetzal");
    let named = app
        .admin(request(Method::POST, "/clients").json(&named))
        .await
        .body;

    let email = target["email"].as_str().unwrap().to_uppercase();
    let document = target["document_number"].as_str().unwrap().to_lowercase();
    let cases = [
        (
            format!("?email={email}"),
            vec![target["id"].clone()],
            "email, case-insensitive",
        ),
        (
            format!("?document_number={document}"),
            vec![target["id"].clone()],
            "document number",
        ),
        (
            "?name=IMEN".to_owned(),
            vec![named["id"].clone()],
            "name substring of the first name",
        ),
        (
            "?name=uetz".to_owned(),
            vec![named["id"].clone()],
            "name substring of the last name",
        ),
        (
            "?email=nobody@example.com".to_owned(),
            vec![],
            "no such email",
        ),
        (
            format!("?email={email}&name=zzzz"),
            vec![],
            "filters combine",
        ),
    ];
    for (query, expected, why) in cases {
        let page = list(&app, &query).await;
        assert_eq!(page.status, 200, "{why}: {}", page.body);
        let found: Vec<Value> = page.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].clone())
            .collect();
        assert_eq!(found, expected, "{why}");
        assert!(page.body["next_cursor"].is_null(), "{why}");
    }
}

#[tokio::test]
async fn a_sparse_name_filter_still_fills_its_page() {
    let app = TestApp::spawn().await;
    seed(&app, 30).await;
    let mut rare = client_body();
    rare["last_name"] = json!("Zyxwvut");
    let rare = app
        .admin(request(Method::POST, "/clients").json(&rare))
        .await
        .body;
    seed(&app, 5).await;

    let page = list(&app, "?name=zyxw&limit=1").await;
    assert_eq!(ids(&page.body), [rare["id"].as_str().unwrap()]);
    assert!(page.body["next_cursor"].is_null());
}

#[tokio::test]
async fn list_rejects_bad_parameters() {
    let app = TestApp::spawn().await;
    let cases = [
        ("?limit=0", 422, "limit below 1"),
        ("?limit=101", 422, "limit above 100"),
        ("?limit=abc", 400, "limit not a number"),
        ("?limit=", 400, "a blank limit, unlike a blank filter"),
        ("?limit=%205", 400, "a limit padded with a space"),
        ("?limit=-5", 422, "a negative limit"),
        (
            "?limit=99999999999999999999999",
            422,
            "a limit beyond any integer",
        ),
        ("?limit=1&limit=2", 400, "limit twice"),
        ("?colour=red", 400, "unknown parameter"),
        ("?cursor=garbage", 400, "a garbage cursor"),
        (
            &format!("?name={}", "a".repeat(101)) as &str,
            422,
            "name over 100 characters",
        ),
    ];
    for (query, status, why) in cases {
        let response = list(&app, query).await;
        assert_eq!(response.status.as_u16(), status, "{why}: {}", response.body);
        response.assert_problem(status);
    }
    let limit = list(&app, "?limit=0").await;
    assert_eq!(limit.error_pointers(), ["#/query/limit"]);
    let malformed = list(&app, "?limit=abc").await;
    assert_eq!(
        malformed.error_pointers(),
        ["#/query/limit"],
        "a 400 points at the parameter too"
    );
}

#[tokio::test]
async fn a_cursor_only_works_for_the_query_that_issued_it() {
    let app = TestApp::spawn().await;
    seed(&app, 3).await;
    let page = list(&app, "?limit=1").await;
    let cursor = page.body["next_cursor"].as_str().unwrap().to_owned();

    let mut edited = cursor.clone().into_bytes();
    edited[5] = if edited[5] == b'A' { b'B' } else { b'A' };
    let edited = String::from_utf8(edited).unwrap();
    let cases = [
        (format!("?limit=2&cursor={cursor}"), "another limit"),
        (format!("?limit=1&name=a&cursor={cursor}"), "another filter"),
        (
            format!("?limit=1&cursor={}", &cursor[..cursor.len() - 4]),
            "truncated",
        ),
        (format!("?limit=1&cursor={edited}"), "edited"),
    ];
    for (query, why) in cases {
        list(&app, &query).await.assert_problem(400);
        let _ = why;
    }
    let next = list(&app, &format!("?limit=1&cursor={cursor}")).await;
    assert_eq!(next.status, 200);
    let first: HashSet<_> = ids(&page.body).into_iter().collect();
    assert!(ids(&next.body).iter().all(|id| !first.contains(id)));
}
