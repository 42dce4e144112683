//! The request schemas hold the rules the validators enforce: their examples pass the real
//! request parsers, and bodies the validators refuse are refused by the schemas too.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test: a failed step is a failed test"
)]

mod common;

use chrono::Utc;
use common::{document, errors, named, strict_components, validator};
use serde_json::{Value, json};

fn example(name: &str) -> Value {
    document()["components"]["schemas"][name]["examples"][0].clone()
}

/// The headers and body of a JSON request carrying `body`.
fn json_request(body: &Value) -> (http::HeaderMap, Vec<u8>) {
    let mut headers = http::HeaderMap::new();
    headers.insert("content-type", "application/json".parse().unwrap());
    (headers, body.to_string().into_bytes())
}

fn parse<T: serde::de::DeserializeOwned>(
    request: (http::HeaderMap, Vec<u8>),
) -> Result<T, shared::ApiError> {
    shared::http::parse_json(&request.0, &request.1)
}

#[test]
fn request_examples_pass_the_real_parsers() {
    let today = Utc::now().date_naive();
    let client = parse::<clients::wire::ClientInput>(json_request(&example("ClientInput")))
        .unwrap()
        .into_details(None, today)
        .unwrap();
    parse::<clients::wire::ClientInput>(json_request(&example("ClientPatch")))
        .unwrap()
        .into_details(Some(&client), today)
        .unwrap();
    let input = parse::<loans::wire::LoanInput>(json_request(&example("LoanInput"))).unwrap();
    shared::domain::loan_change::LoanChange::try_from(input)
        .unwrap()
        .new_terms()
        .unwrap();
    let patch: loans::wire::LoanInput = parse(json_request(&example("LoanPatch"))).unwrap();
    assert!(
        patch.status.is_some(),
        "the LoanPatch example changes the status"
    );
    parse::<loans::wire::QuoteInput>(json_request(&example("QuoteInput")))
        .unwrap()
        .resolve()
        .unwrap();
}

/// Whether `schema` accepts each body, as expected.
fn check(schema: &str, cases: &[(Value, bool, &str)]) {
    let components = strict_components(&document());
    let validator = validator(&components, &named(schema));
    for (body, accepted, why) in cases {
        let problems = errors(&validator, body);
        assert_eq!(
            problems.is_empty(),
            *accepted,
            "{schema}, {why}: {problems:#?}"
        );
    }
}

/// `base` with `field` set to `value`.
fn with(base: &Value, field: &str, value: Value) -> Value {
    let mut body = base.clone();
    body[field] = value;
    body
}

#[test]
fn client_schemas_hold_the_client_rules() {
    let base = example("ClientInput");
    let client = |field, value| with(&base, field, value);
    check(
        "ClientInput",
        &[
            (base.clone(), true, "the README's client"),
            (
                client("monthly_income", json!(25000.5)),
                false,
                "a JSON number",
            ),
            (client("phone", Value::Null), true, "no phone"),
            (client("admin", json!(true)), false, "an unknown field"),
            (
                client("phone", json!("5512345678")),
                false,
                "no + in a phone",
            ),
            (
                client("phone", json!("+0525512345")),
                false,
                "a country code of 0",
            ),
            (
                client("document_number", json!("ABC-12345")),
                false,
                "a dash",
            ),
            (
                client("document_number", json!("ABCD")),
                false,
                "4 characters",
            ),
            (client("first_name", json!("   ")), false, "a blank name"),
            (
                client("first_name", json!("a".repeat(101))),
                false,
                "101 characters",
            ),
            (client("last_name", json!("Ana\nMaría")), false, "a newline"),
            (client("email", json!("nope")), false, "not an email"),
            (
                client("birth_date", json!("1990-1-5")),
                false,
                "not YYYY-MM-DD",
            ),
            (client("monthly_income", json!("25,000")), false, "a comma"),
            (
                client("monthly_income", json!(-1)),
                false,
                "a negative income",
            ),
        ],
    );
    check(
        "ClientPatch",
        &[
            (json!({}), true, "an empty patch"),
            (
                json!({"monthly_income": null}),
                true,
                "clearing an optional field",
            ),
            (json!({"email": null}), false, "null for a required field"),
        ],
    );
}

#[test]
fn loan_schemas_hold_the_loan_rules() {
    let base = json!({"amount": "10000.00", "annual_interest_rate": "12", "term_months": 12});
    let loan = |field, value| with(&base, field, value);
    check(
        "LoanInput",
        &[
            (base.clone(), true, "the README's loan"),
            (loan("amount", json!(10000.5)), false, "a JSON number"),
            (loan("amount", json!("1E3")), false, "an exponent"),
            (loan("currency", json!("JPY")), true, "another currency"),
            (loan("amount", json!("0.5")), true, "less than one"),
            (loan("amount", json!(0)), false, "a zero amount"),
            (loan("amount", json!("0.00")), false, "a zero string"),
            (loan("amount", json!("-5")), false, "a negative amount"),
            (
                loan("amount", json!(10_000_001)),
                false,
                "a number over the maximum",
            ),
            (loan("term_months", json!(0)), false, "no months"),
            (loan("term_months", json!(361)), false, "361 months"),
            (loan("term_months", json!(12.5)), false, "half a month"),
            (
                loan("annual_interest_rate", json!(100.5)),
                false,
                "a number",
            ),
            (
                loan("annual_interest_rate", json!("1.12345")),
                false,
                "5 decimals",
            ),
            (
                loan("currency", json!("mxn")),
                false,
                "a lower-case currency",
            ),
            (
                loan("purpose", json!("x".repeat(201))),
                false,
                "201 characters",
            ),
            (loan("status", json!("approved")), false, "a status"),
        ],
    );
    check(
        "LoanPatch",
        &[
            (
                json!({"status": "cancelled"}),
                true,
                "a customer's cancellation",
            ),
            (json!({"term_months": 24}), true, "one term"),
            (json!({"status": "closed"}), false, "an unknown status"),
        ],
    );
    check(
        "QuoteInput",
        &[
            (base.clone(), true, "the README's quote"),
            (loan("purpose", json!("car")), false, "a purpose"),
        ],
    );
}

#[test]
fn user_schemas_hold_the_user_rules() {
    let admin = json!({"username": "ops", "password": "a-long-passphrase", "role": "admin"});
    let user = |field, value| with(&admin, field, value);
    let client_id = json!("01KB3F8Q9M6T2N4R5S7V8W9X0Y");
    let customer = with(&user("role", json!("user")), "client_id", client_id.clone());
    check(
        "NewUser",
        &[
            (admin.clone(), true, "an admin"),
            (customer.clone(), true, "a customer"),
            (
                user("client_id", Value::Null),
                true,
                "an admin with a null client",
            ),
            (
                user("password", json!("short-11chr")),
                false,
                "11 characters",
            ),
            (
                user("password", json!("x".repeat(129))),
                false,
                "129 characters",
            ),
            (
                user("role", json!("user")),
                false,
                "a customer without a client",
            ),
            (
                user("client_id", client_id),
                false,
                "an admin with a client",
            ),
            (user("username", json!("-ops")), false, "a leading dash"),
            (user("username", json!("op")), false, "2 characters"),
            (user("role", json!("root")), false, "an unknown role"),
            (
                with(&customer, "client_id", json!("nope")),
                false,
                "a malformed client id",
            ),
        ],
    );
    check(
        "Credentials",
        &[
            (
                json!({"username": "ana", "password": "x"}),
                true,
                "any password",
            ),
            (json!({"username": "ana"}), false, "no password"),
            (
                json!({"username": "", "password": "x"}),
                false,
                "no username",
            ),
        ],
    );
}

/// The loan filters take what `loans::wire::parse_decimal` reads, blank included (a blank
/// filter is none): the documented pattern and length are the parser's.
#[test]
fn amount_filters_hold_the_parsers_rules() {
    let document = document();
    for name in ["MinAmount", "MaxAmount"] {
        let schema = &document["components"]["parameters"][name]["schema"];
        assert_eq!(
            schema["maxLength"],
            json!(loans::wire::MAX_DECIMAL_PARAMETER_CHARS),
            "{name}"
        );
        let pattern = schema["pattern"].as_str().unwrap();
        let components = json!({});
        let validator = validator(&components, &json!({"type": "string", "pattern": pattern}));
        for (raw, accepted) in [
            ("", true),
            ("0", true),
            ("1000.50", true),
            ("007", true),
            ("-5", false),
            ("1e3", false),
            ("\"5\"", false),
            (".5", false),
            ("5.", false),
        ] {
            let parsed = raw.is_empty() || loans::wire::parse_decimal(raw).is_ok();
            assert_eq!(parsed, accepted, "{name}: the parser on {raw:?}");
            assert_eq!(
                errors(&validator, &json!(raw)).is_empty(),
                accepted,
                "{name}: the pattern on {raw:?}"
            );
        }
    }
}
