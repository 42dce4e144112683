//! The schemas describe what the code sends: every example, rendered by the
//! real serializers and by `ApiError::into_response`, validates against its schema with
//! no undeclared field, and each error response sits under its own status.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test: a failed step is a failed test"
)]

mod common;

use common::{document, errors, named, strict_components, validator};
use serde_json::Value;

#[test]
fn every_schema_example_matches_its_schema_exactly() {
    let document = document();
    let components = strict_components(&document);
    let mut checked = Vec::new();
    for (name, schema) in document["components"]["schemas"].as_object().unwrap() {
        let Some(examples) = schema["examples"].as_array() else {
            continue;
        };
        let validator = validator(&components, &named(name));
        for example in examples {
            let problems = errors(&validator, example);
            assert!(
                problems.is_empty(),
                "example of {name}: {problems:#?}\n{example:#}"
            );
        }
        checked.push(name.as_str());
    }
    for required in [
        "Client",
        "ClientPage",
        "ClientInput",
        "ClientPatch",
        "Loan",
        "LoanPage",
        "LoanInput",
        "LoanPatch",
        "QuoteInput",
        "Schedule",
        "User",
        "UserPage",
        "Me",
        "TokenPair",
        "RefreshRequest",
        "PasswordChange",
        "UserChange",
        "Credentials",
        "NewAdmin",
        "NewCustomer",
        "FieldError",
    ] {
        assert!(
            checked.contains(&required),
            "{required} has no example: a sample in openapi/src/examples.rs was refused"
        );
    }
}

/// Every `content` map of the document (request bodies and responses), with where it is.
fn contents(document: &Value) -> Vec<(String, Value)> {
    let mut found = Vec::new();
    let mut visit = |place: String, holder: &Value| {
        for (media, content) in holder["content"].as_object().into_iter().flatten() {
            found.push((format!("{place} {media}"), content.clone()));
        }
    };
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(responses) = operation["responses"].as_object() else {
                continue;
            };
            visit(format!("{method} {path} body"), &operation["requestBody"]);
            for (status, response) in responses {
                visit(format!("{method} {path} {status}"), response);
            }
        }
    }
    for (name, response) in document["components"]["responses"].as_object().unwrap() {
        visit(format!("response {name}"), response);
    }
    found
}

#[test]
fn every_media_type_example_matches_its_schema_exactly() {
    let document = document();
    let components = strict_components(&document);
    let mut checked = 0;
    for (place, content) in contents(&document) {
        if content["example"].is_null() {
            continue;
        }
        let problems = errors(
            &validator(&components, &content["schema"]),
            &content["example"],
        );
        assert!(problems.is_empty(), "{place}: {problems:#?}");
        checked += 1;
    }
    // One per error response and per operation's own example: a floor that catches
    // examples going missing wholesale.
    assert!(
        checked >= 13,
        "only {checked} media-type examples were found"
    );
}

#[test]
fn each_error_response_is_listed_under_its_own_status() {
    let document = document();
    let statuses: Vec<(String, u64)> = document["components"]["responses"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, response)| {
            let example = &response["content"]["application/problem+json"]["example"];
            (name.clone(), example["status"].as_u64().unwrap())
        })
        .collect();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                let Some(target) = response["$ref"].as_str() else {
                    continue;
                };
                let (name, expected) = statuses
                    .iter()
                    .find(|(name, _)| target == format!("#/components/responses/{name}"))
                    .unwrap();
                assert_eq!(status, &expected.to_string(), "{method} {path}: {name}");
            }
        }
    }
}
