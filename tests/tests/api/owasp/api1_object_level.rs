//! API1, broken object level authorization: a customer reaches only its own client and
//! loans; anything else looks exactly like something that does not exist.

use api_tests::*;
use http::Method;
use serde_json::json;

use super::build;

#[tokio::test]
async fn a_customer_sees_another_clients_loans_and_schedules_as_missing() {
    let app = TestApp::spawn().await;
    let own = create_client(&app).await;
    let other = create_client(&app).await;
    let other_id = other["id"].as_str().unwrap();
    let theirs = create_loan(&app, other_id).await;
    let theirs_id = theirs["id"].as_str().unwrap();
    let token = app.customer_token(own["id"].as_str().unwrap());
    let before = app.all_items().await;
    let missing = ulid::Ulid::generate().to_string();
    let terms = json!({"amount": "1000.00", "annual_interest_rate": "10", "term_months": 6});

    let cases = [
        (
            Method::GET,
            format!("/loans/{theirs_id}"),
            None,
            format!("/loans/{missing}"),
        ),
        (
            Method::GET,
            format!("/loans/{theirs_id}/schedule"),
            None,
            format!("/loans/{missing}/schedule"),
        ),
        (
            Method::PATCH,
            format!("/loans/{theirs_id}"),
            Some(json!({"status": "cancelled"})),
            format!("/loans/{missing}"),
        ),
        (
            Method::GET,
            format!("/clients/{other_id}/loans"),
            None,
            format!("/clients/{missing}/loans"),
        ),
        (
            Method::POST,
            format!("/clients/{other_id}/loans"),
            Some(terms),
            format!("/clients/{missing}/loans"),
        ),
    ];
    for (method, uri, body, missing_uri) in cases {
        let foreign = app
            .send(build(method.clone(), &uri, &body).bearer(&token))
            .await;
        let absent = app
            .send(build(method.clone(), &missing_uri, &body).bearer(&token))
            .await;
        foreign.assert_problem(404);
        absent.assert_problem(404);
        for field in ["type", "title", "status", "detail"] {
            assert_eq!(
                foreign.body[field], absent.body[field],
                "{method} {uri}: {field}"
            );
        }
    }
    let listed = app
        .send(request(Method::GET, &format!("/loans?client_id={other_id}")).bearer(&token))
        .await;
    assert_eq!(
        listed.body["items"],
        json!([]),
        "filtering on another client shows nothing"
    );
    let all = app
        .send(request(Method::GET, "/loans").bearer(&token))
        .await;
    assert_eq!(
        all.body["items"],
        json!([]),
        "the customer has no loans of its own"
    );
    assert_eq!(app.all_items().await, before, "nothing changed");
}

#[tokio::test]
async fn a_customer_sees_its_own_client_and_another_client_as_missing() {
    let app = TestApp::spawn().await;
    let own = create_client(&app).await;
    let other = create_client(&app).await;
    let token = app.customer_token(own["id"].as_str().unwrap());

    let mine = app
        .send(
            request(
                Method::GET,
                &format!("/clients/{}", own["id"].as_str().unwrap()),
            )
            .bearer(&token),
        )
        .await;
    let theirs = app
        .send(
            request(
                Method::GET,
                &format!("/clients/{}", other["id"].as_str().unwrap()),
            )
            .bearer(&token),
        )
        .await;
    let missing = app
        .send(request(Method::GET, &format!("/clients/{}", ulid::Ulid::generate())).bearer(&token))
        .await;

    assert_eq!(mine.status, 200);
    assert_eq!(mine.body, own);
    theirs.assert_problem(404);
    missing.assert_problem(404);
    for field in ["type", "title", "status", "detail"] {
        assert_eq!(
            theirs.body[field], missing.body[field],
            "{field} reveals nothing"
        );
    }
}
