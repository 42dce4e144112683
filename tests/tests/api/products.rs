//! Loan products: admins price and bound them, customers see the active ones and apply
//! through them; bounds that would leave a loan without a schedule are refused.

use api_tests::loan::{create_product, id, product_body, with};
use api_tests::*;
use http::Method;
use serde_json::{Value, json};

fn product_uri(product: &Value) -> String {
    format!("/products/{}", id(product))
}

#[tokio::test]
async fn an_admin_creates_a_product_that_anyone_signed_in_can_read() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);

    let created = app
        .admin(request(Method::POST, "/products").json(&product_body()))
        .await;
    let as_customer = app
        .customer(&client, request(Method::GET, &product_uri(&created.body)))
        .await;

    assert_eq!(created.status, 201, "{}", created.body);
    let product = &created.body;
    assert_eq!(
        created.header("location"),
        Some(product_uri(product).as_str())
    );
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(product["name"], "Personal loan");
    assert_eq!(product["currency"], "MXN");
    assert_eq!(product["annual_interest_rate"], "18.5");
    assert_eq!(product["min_amount"], "1000.00");
    assert_eq!(product["max_amount"], "500000.00");
    assert_eq!(
        (
            product["min_term_months"].as_u64(),
            product["max_term_months"].as_u64()
        ),
        (Some(6), Some(60))
    );
    assert_eq!(product["active"], true, "active unless said otherwise");
    assert_eq!(product["loans_made"], 0);
    assert_eq!(product["version"], 1);
    assert_eq!(as_customer.status, 200, "{}", as_customer.body);
    assert_eq!(&as_customer.body, product);
}

#[tokio::test]
async fn customers_see_only_active_products_and_a_retired_one_is_404_to_them() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    let open = create_product(&app, &json!({"name": "Open"})).await;
    // A millisecond apart at least, so "newest first" has one answer.
    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    let retired = create_product(&app, &json!({"name": "Retired", "active": false})).await;
    let names = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };

    let admin_all = app.admin(request(Method::GET, "/products")).await;
    let admin_retired = app
        .admin(request(Method::GET, "/products?active=false"))
        .await;
    let customer_all = app
        .customer(&client, request(Method::GET, "/products"))
        .await;
    let customer_asks_retired = app
        .customer(&client, request(Method::GET, "/products?active=false"))
        .await;
    let customer_reads_retired = app
        .customer(&client, request(Method::GET, &product_uri(&retired)))
        .await;
    let admin_reads_retired = app
        .admin(request(Method::GET, &product_uri(&retired)))
        .await;

    assert_eq!(names(&admin_all.body), ["Retired", "Open"], "newest first");
    assert_eq!(names(&admin_retired.body), ["Retired"]);
    assert_eq!(names(&customer_all.body), ["Open"]);
    assert_eq!(names(&customer_asks_retired.body), Vec::<String>::new());
    customer_reads_retired.assert_problem(404);
    assert_eq!(admin_reads_retired.status, 200);
    assert_eq!(open["active"], true);
}

#[tokio::test]
async fn only_admins_create_change_and_delete_products() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    let product = create_product(&app, &json!({})).await;
    let before = app.all_items().await;
    let cases = [
        request(Method::POST, "/products").json(&product_body()),
        request(Method::PATCH, &product_uri(&product)).json(&json!({"name": "Mine"})),
        request(Method::DELETE, &product_uri(&product)),
    ];
    for req in cases {
        app.customer(&client, req).await.assert_problem(403);
    }
    assert_eq!(app.all_items().await, before, "nothing changed");
}

#[tokio::test]
async fn a_product_whose_bounds_break_a_rule_is_422_naming_the_bound() {
    let app = TestApp::spawn().await;
    let before = app.all_items().await;
    let cases = [
        (
            json!({"min_amount": "0"}),
            vec!["/min_amount"],
            "a zero minimum",
        ),
        (
            json!({"min_amount": "600000.00"}),
            vec!["/min_amount"],
            "min above max",
        ),
        (
            json!({"max_amount": "10000000.01"}),
            vec!["/max_amount"],
            "over ten million",
        ),
        (
            json!({"min_amount": "1000.001"}),
            vec!["/min_amount"],
            "a tenth of a cent",
        ),
        (
            json!({"min_term_months": 0}),
            vec!["/min_term_months"],
            "zero months",
        ),
        (
            json!({"max_term_months": 361}),
            vec!["/max_term_months"],
            "over 360 months",
        ),
        (
            json!({"min_term_months": 61}),
            vec!["/min_term_months"],
            "min term above max",
        ),
        (
            json!({"annual_interest_rate": "100.5"}),
            vec!["/annual_interest_rate"],
            "over 100 %",
        ),
        (
            json!({"annual_interest_rate": 18.5}),
            vec!["/annual_interest_rate"],
            "a JSON number",
        ),
        (json!({"currency": "XAU"}), vec!["/currency"], "gold"),
        (
            json!({"name": "\u{200B}"}),
            vec!["/name"],
            "an invisible name",
        ),
        (
            json!({"annual_interest_rate": "48", "max_term_months": 360}),
            vec!["/max_term_months"],
            "near interest-only: some loans would have no schedule",
        ),
        (
            json!({"annual_interest_rate": "12", "max_term_months": 360}),
            vec!["/min_amount", "/max_term_months"],
            "the smallest amounts too small for the longest term",
        ),
    ];
    for (patch, pointers, why) in cases {
        let response = app
            .admin(request(Method::POST, "/products").json(&with(&product_body(), &patch)))
            .await;
        response.assert_problem(422);
        assert_eq!(
            response.error_pointers(),
            pointers,
            "{why}: {}",
            response.body
        );
    }
    let response = app
        .admin(request(Method::POST, "/products").json(&with(
            &product_body(),
            &json!({"annual_interest_rate": "12", "max_term_months": 360}),
        )))
        .await;
    let detail = response.body["errors"][0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("from 6793.56 up"),
        "says how far to move: {detail}"
    );
    assert_eq!(app.all_items().await, before, "nothing was stored");
}

#[tokio::test]
async fn a_product_changes_for_new_applications_and_can_be_deleted_until_a_loan_is_made() {
    let app = TestApp::spawn().await;
    let client = id(&create_client(&app).await);
    let spare = create_product(&app, &json!({"name": "Spare"})).await;
    let used = create_product(&app, &json!({"name": "Used"})).await;
    let application = api_tests::loan::application(&used);
    let loan = app
        .customer(
            &client,
            request(Method::POST, &format!("/clients/{client}/loans")).json(&application),
        )
        .await;

    let raised = app
        .admin(
            request(Method::PATCH, &product_uri(&used))
                .json(&json!({"annual_interest_rate": "24"}))
                .header("if-match", "\"1\""),
        )
        .await;
    let stale = app
        .admin(
            request(Method::PATCH, &product_uri(&used))
                .json(&json!({"name": "Late"}))
                .header("if-match", "\"1\""),
        )
        .await;
    let kept = app
        .admin(request(Method::GET, &format!("/loans/{}", id(&loan.body))))
        .await;
    let in_use = app
        .admin(request(Method::DELETE, &product_uri(&used)))
        .await;
    let retired = app
        .admin(request(Method::PATCH, &product_uri(&used)).json(&json!({"active": false})))
        .await;
    let deleted = app
        .admin(request(Method::DELETE, &product_uri(&spare)))
        .await;
    let gone = app.admin(request(Method::GET, &product_uri(&spare))).await;

    assert_eq!(loan.status, 201, "{}", loan.body);
    assert_eq!(raised.status, 200, "{}", raised.body);
    assert_eq!(raised.body["annual_interest_rate"], "24");
    assert_eq!(raised.body["loans_made"], 1, "the application counted");
    assert_eq!(raised.body["version"], 2);
    stale.assert_problem(412);
    assert_eq!(
        kept.body["annual_interest_rate"], "18.5",
        "the loan keeps its terms"
    );
    in_use.assert_problem(409);
    assert_eq!(retired.body["active"], false);
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    gone.assert_problem(404);
}

#[tokio::test]
async fn an_unknown_product_is_404_on_every_route() {
    let app = TestApp::spawn().await;
    let uri = format!("/products/{}", ulid::Ulid::generate());
    for req in [
        request(Method::GET, &uri),
        request(Method::PATCH, &uri).json(&json!({"name": "X"})),
        request(Method::DELETE, &uri),
        request(Method::GET, "/products/not-an-id"),
    ] {
        app.admin(req).await.assert_problem(404);
    }
}
