//! API5, broken function level authorization: a customer gets `403` on every operation
//! the contract reserves for admins.

use api_tests::*;
use http::Method;

use super::{build, protected_routes};

#[tokio::test]
async fn a_customer_gets_403_on_every_admin_only_operation() {
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let own = client["id"].as_str().unwrap();
    let loan = create_loan(&app, own).await;
    let loan_id = loan["id"].as_str().unwrap();
    let token = app.customer_token(own);
    let before = app.all_items().await;
    // What the contract lets a customer do; everything else must be 403.
    let customer_may = [
        (Method::GET, format!("/clients/{own}")),
        (Method::GET, "/auth/me".to_owned()),
        (Method::POST, format!("/clients/{own}/loans")),
        (Method::GET, format!("/clients/{own}/loans")),
        (Method::GET, "/loans".to_owned()),
        (Method::GET, format!("/loans/{loan_id}")),
        (Method::GET, format!("/loans/{loan_id}/schedule")),
        (Method::POST, "/quotes".to_owned()),
        (Method::GET, "/products".to_owned()),
        (Method::GET, super::PRODUCT.to_owned()),
    ];

    for (handler, method, uri, body) in protected_routes(own, loan_id) {
        if customer_may.contains(&(method.clone(), uri.clone())) {
            continue;
        }
        let response = call(
            &app.app,
            handler,
            build(method.clone(), &uri, &body).bearer(&token),
        )
        .await;
        response.assert_problem(403);
    }
    assert_eq!(app.all_items().await, before, "nothing changed");
}
