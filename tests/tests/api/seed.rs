//! The seed command: every status present, figures valid, and a rerun adds nothing.

use std::collections::BTreeMap;

use api_tests::*;
use http::Method;

async fn count_by_status(app: &TestApp) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    let mut query = "/loans?limit=100".to_owned();
    loop {
        let page = app.admin(request(Method::GET, &query)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        for loan in page.body["items"].as_array().unwrap() {
            *counts
                .entry(loan["status"].as_str().unwrap().to_owned())
                .or_insert(0) += 1;
        }
        match page.body["next_cursor"].as_str() {
            Some(cursor) => query = format!("/loans?limit=100&cursor={cursor}"),
            None => return counts,
        }
    }
}

#[tokio::test]
async fn seed_loads_loans_in_every_status_and_reruns_idempotently() {
    let app = TestApp::spawn().await;

    infra::seed::seed(app.store(), 12, 6).await.unwrap();
    let first = count_by_status(&app).await;
    infra::seed::seed(app.store(), 12, 6).await.unwrap();
    let second = count_by_status(&app).await;

    assert_eq!(first.values().sum::<usize>(), 72);
    assert_eq!(first.len(), 6, "every status: {first:?}");
    assert_eq!(first, second, "a rerun rewrites the same items");
    let clients = app.admin(request(Method::GET, "/clients?limit=100")).await;
    assert_eq!(clients.body["items"].as_array().unwrap().len(), 12);
}

#[tokio::test]
async fn seeded_loans_agree_with_their_schedules() {
    let app = TestApp::spawn().await;
    infra::seed::seed(app.store(), 2, 6).await.unwrap();
    let page = app
        .admin(request(Method::GET, "/loans?status=active"))
        .await;

    for loan in page.body["items"].as_array().unwrap() {
        let id = loan["id"].as_str().unwrap();
        let schedule = app
            .admin(request(Method::GET, &format!("/loans/{id}/schedule")))
            .await;
        assert_eq!(schedule.body["monthly_payment"], loan["monthly_payment"]);
        assert_eq!(schedule.body["total_payable"], loan["total_payable"]);
        let first_due = schedule.body["installments"][0]["due_date"]
            .as_str()
            .unwrap();
        assert!(
            first_due > &loan["disbursed_at"].as_str().unwrap()[..10],
            "due after disbursement"
        );
    }
}
