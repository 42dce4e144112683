//! Clients under concurrent requests against DynamoDB Local.

use api_tests::factories::client_body;
use api_tests::*;
use futures::future::join_all;
use http::Method;
use serde_json::json;

#[tokio::test]
async fn twenty_parallel_creates_with_one_email_give_one_201_and_nineteen_409() {
    let app = TestApp::spawn().await;
    let bodies: Vec<_> = (0..20)
        .map(|_| {
            let mut body = client_body();
            body["email"] = json!("same.person@example.com");
            body
        })
        .collect();

    let responses = join_all(
        bodies
            .iter()
            .map(|body| app.admin(request(Method::POST, "/clients").json(body))),
    )
    .await;

    let created = responses.iter().filter(|r| r.status == 201).count();
    let conflicts = responses.iter().filter(|r| r.status == 409).count();
    assert_eq!((created, conflicts), (1, 19));
    let clients = app
        .all_items()
        .await
        .into_iter()
        .filter(|item| {
            item.get("SK")
                .and_then(|v| v.as_s().ok())
                .is_some_and(|sk| sk == "CLIENT")
        })
        .count();
    assert_eq!(clients, 1);
}

#[tokio::test]
async fn two_updates_with_the_same_if_match_give_one_200_and_one_412() {
    let app = TestApp::spawn().await;
    let client = app
        .admin(request(Method::POST, "/clients").json(&client_body()))
        .await
        .body;
    let uri = format!("/clients/{}", client["id"].as_str().unwrap());

    let (a, b) = tokio::join!(
        app.admin(
            request(Method::PATCH, &uri)
                .json(&json!({"first_name": "Alpha"}))
                .header("if-match", "\"1\"")
        ),
        app.admin(
            request(Method::PATCH, &uri)
                .json(&json!({"first_name": "Bravo"}))
                .header("if-match", "\"1\"")
        ),
    );

    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412]);
    let winner = if a.status == 200 { a.body } else { b.body };
    let stored = app.admin(request(Method::GET, &uri)).await.body;
    assert_eq!(stored["first_name"], winner["first_name"]);
    assert_eq!(stored["version"], 2);
}

#[tokio::test]
async fn parallel_patches_without_if_match_lose_no_update() {
    let app = TestApp::spawn().await;
    let client = app
        .admin(request(Method::POST, "/clients").json(&client_body()))
        .await
        .body;
    let uri = format!("/clients/{}", client["id"].as_str().unwrap());

    let (a, b) = tokio::join!(
        app.admin(request(Method::PATCH, &uri).json(&json!({"first_name": "Alpha"}))),
        app.admin(request(Method::PATCH, &uri).json(&json!({"last_name": "Bravo"}))),
    );

    assert_eq!((a.status.as_u16(), b.status.as_u16()), (200, 200));
    let stored = app.admin(request(Method::GET, &uri)).await.body;
    assert_eq!(stored["first_name"], "Alpha");
    assert_eq!(stored["last_name"], "Bravo");
    assert_eq!(stored["version"], 3);
}
