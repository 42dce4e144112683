//! OWASP API Security Top 10 (2023): one module per item that applies to this API, each
//! case asserting the exact status and that nothing changed in the table.

use api_tests::factories::client_body;
use api_tests::*;
use http::Method;
use serde_json::{Value, json};

mod api1_object_level;
mod api2_authentication;
mod api3_property_level;
mod api4_resource_consumption;
mod api5_function_level;
mod api8_misconfiguration;

/// A product path (the product need not exist: authentication and roles come first).
pub(crate) const PRODUCT: &str = "/products/01KB3FA2C4E6G8J0K2M4P6R8T0";

/// Every route that needs a token, with a body where the route takes one.
pub(crate) fn protected_routes(
    client_id: &str,
    loan_id: &str,
) -> Vec<(Handler, Method, String, Option<Value>)> {
    let client = format!("/clients/{client_id}");
    let loan = format!("/loans/{loan_id}");
    let terms = json!({"amount": "1000.00", "annual_interest_rate": "10", "term_months": 6});
    vec![
        (
            loans_handler as Handler,
            Method::POST,
            format!("{client}/loans"),
            Some(terms.clone()),
        ),
        (loans_handler, Method::GET, format!("{client}/loans"), None),
        (loans_handler, Method::GET, "/loans".into(), None),
        (loans_handler, Method::GET, loan.clone(), None),
        (
            loans_handler,
            Method::PUT,
            loan.clone(),
            Some(terms.clone()),
        ),
        (
            loans_handler,
            Method::PATCH,
            loan.clone(),
            Some(json!({"status": "approved"})),
        ),
        (loans_handler, Method::DELETE, loan.clone(), None),
        (loans_handler, Method::GET, format!("{loan}/schedule"), None),
        (loans_handler, Method::POST, "/quotes".into(), Some(terms)),
        (
            clients_handler as Handler,
            Method::GET,
            "/clients".into(),
            None,
        ),
        (
            clients_handler,
            Method::POST,
            "/clients".into(),
            Some(client_body()),
        ),
        (clients_handler, Method::GET, client.clone(), None),
        (
            clients_handler,
            Method::PUT,
            client.clone(),
            Some(client_body()),
        ),
        (
            clients_handler,
            Method::PATCH,
            client.clone(),
            Some(json!({"first_name": "X"})),
        ),
        (clients_handler, Method::DELETE, client, None),
        (auth_handler, Method::GET, "/auth/me".into(), None),
        (auth_handler, Method::GET, "/users".into(), None),
        (
            auth_handler,
            Method::POST,
            "/users".into(),
            Some(
                json!({"username": "intruder", "password": "long enough password", "role": "admin"}),
            ),
        ),
        (auth_handler, Method::DELETE, "/users/someone".into(), None),
        (loans_handler, Method::GET, "/products".into(), None),
        (
            loans_handler,
            Method::POST,
            "/products".into(),
            Some(api_tests::loan::product_body()),
        ),
        (loans_handler, Method::GET, PRODUCT.into(), None),
        (
            loans_handler,
            Method::PATCH,
            PRODUCT.into(),
            Some(json!({"name": "X"})),
        ),
        (loans_handler, Method::DELETE, PRODUCT.into(), None),
    ]
}

pub(crate) fn build(method: Method, uri: &str, body: &Option<Value>) -> TestRequest {
    let req = request(method, uri);
    match body {
        Some(body) => req.json(body),
        None => req,
    }
}
