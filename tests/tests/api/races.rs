//! Races against DynamoDB Local: concurrent writers never lose a successful update, never
//! produce an illegal history, and never leave a loan without its client.

use std::collections::BTreeSet;

use api_tests::*;
use futures::future::join_all;
use http::Method;
use serde_json::json;

#[tokio::test]
async fn fifty_parallel_patches_without_if_match_lose_no_successful_update() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let loan = create_loan(&app, client["id"].as_str().unwrap()).await;
    let uri = format!("/loans/{}", loan["id"].as_str().unwrap());

    let responses = join_all((0..50).map(|i| {
        app.admin(request(Method::PATCH, &uri).json(&json!({"purpose": format!("update {i}")})))
    }))
    .await;

    let succeeded: Vec<_> = responses.iter().filter(|r| r.status == 200).collect();
    let contended = responses.iter().filter(|r| r.status == 409).count();
    assert_eq!(
        succeeded.len() + contended,
        50,
        "only successes and retry-later conflicts"
    );
    let versions: BTreeSet<u64> = succeeded
        .iter()
        .map(|r| r.body["version"].as_u64().unwrap())
        .collect();
    assert_eq!(
        versions.len(),
        succeeded.len(),
        "every success made its own version"
    );
    assert_eq!(
        versions,
        (2..2 + succeeded.len() as u64).collect(),
        "versions 2..=n+1, no gaps"
    );
    let last = succeeded
        .iter()
        .max_by_key(|r| r.body["version"].as_u64())
        .unwrap();
    let stored = app.admin(request(Method::GET, &uri)).await;
    assert_eq!(
        stored.body, last.body,
        "the stored loan is the last successful update"
    );
    // A writer gives up only after losing all its attempts, each to another writer's
    // success between its read and its write. Its attempts follow one another, so those
    // are distinct successes: if any writer gave up, at least that many got through. How
    // many more do depends on timing (few when the machine is busy), so no more is asked.
    assert!(
        contended == 0 || succeeded.len() >= shared::http::conditional::WRITE_ATTEMPTS,
        "{contended} gave up, so at least {} got through: {} of 50",
        shared::http::conditional::WRITE_ATTEMPTS,
        succeeded.len()
    );
}

#[tokio::test]
async fn parallel_status_changes_never_produce_an_illegal_history() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    for _ in 0..5 {
        let loan = create_loan(&app, client["id"].as_str().unwrap()).await;
        let uri = format!("/loans/{}", loan["id"].as_str().unwrap());
        let targets = ["approved", "rejected", "cancelled"];

        let responses = join_all((0..15).map(|i| {
            app.admin(request(Method::PATCH, &uri).json(&json!({"status": targets[i % 3]})))
        }))
        .await;

        let mut winners: Vec<_> = responses
            .iter()
            .filter(|r| r.status == 200)
            .map(|r| r.body.clone())
            .collect();
        winners.sort_by_key(|w| w["version"].as_u64());
        let stored = app.admin(request(Method::GET, &uri)).await.body;
        // The successful changes, in version order, must be a legal path from pending.
        let mut current = "pending".to_owned();
        for (step, winner) in winners.iter().enumerate() {
            let next = winner["status"].as_str().unwrap();
            let legal = matches!(
                (current.as_str(), next),
                ("pending", "approved" | "rejected" | "cancelled") | ("approved", "cancelled")
            );
            assert!(legal, "illegal step {current} -> {next}");
            assert_eq!(
                winner["version"].as_u64(),
                Some(step as u64 + 2),
                "one version per change"
            );
            current = next.to_owned();
        }
        assert!(!winners.is_empty());
        assert_eq!(stored["status"].as_str(), Some(current.as_str()));
        assert!(
            stored["rejected_at"].is_null() || stored["approved_at"].is_null(),
            "never both rejected and approved: {stored}"
        );
    }
}

#[tokio::test]
async fn racing_client_deletes_and_loan_applications_never_orphan_a_loan() {
    let app = TestApp::spawn().await;
    for _ in 0..8 {
        let client = create_client(&app).await;
        let id = client["id"].as_str().unwrap().to_owned();
        let terms = json!({"amount": "1000.00", "annual_interest_rate": "10", "term_months": 6});

        let (deleted, applied) = tokio::join!(
            app.admin(request(Method::DELETE, &format!("/clients/{id}"))),
            app.admin(request(Method::POST, &format!("/clients/{id}/loans")).json(&terms)),
        );

        let (client_left, loans) = app
            .store()
            .client_partition(&client_id(&id))
            .await
            .unwrap()
            .map_or((None, Vec::new()), |p| (Some(p.client), p.loans));
        match (deleted.status.as_u16(), applied.status.as_u16()) {
            // The loan came first: the delete saw an open loan and refused.
            (409, 201) => assert!(client_left.is_some() && loans.len() == 1),
            // The delete came first: the application found no client.
            (204, 404) => assert!(client_left.is_none() && loans.is_empty()),
            other => panic!(
                "unexpected outcome {other:?}: {} / {}",
                deleted.body, applied.body
            ),
        }
    }
}
