//! The document holds nothing a generated client would trip over: every reusable component
//! is used by some operation, no request body declares a `default` a client would fill in
//! and send, and the document says whom to ask.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test: a failed step is a failed test"
)]

use std::collections::BTreeSet;

use serde_json::Value;

fn document() -> Value {
    serde_json::from_str(&openapi::json()).unwrap()
}

/// Every `$ref` in `value`, recursively.
fn references(value: &Value, found: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => {
                        found.insert(target.clone());
                    }
                    _ => references(inner, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, found)),
        _ => {}
    }
}

/// The components reachable from the operations, following references inside components.
fn reachable(document: &Value) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut pending = BTreeSet::new();
    references(&document["paths"], &mut pending);
    while let Some(target) = pending.pop_first() {
        if !seen.insert(target.clone()) {
            continue;
        }
        let pointer = target.trim_start_matches('#');
        if let Some(component) = document.pointer(pointer) {
            let mut inner = BTreeSet::new();
            references(component, &mut inner);
            pending.extend(inner.difference(&seen).cloned());
        }
    }
    seen
}

#[test]
fn every_component_is_used_by_some_operation() {
    let document = document();
    let used = reachable(&document);
    let mut unused = Vec::new();
    for kind in [
        "schemas",
        "responses",
        "parameters",
        "headers",
        "requestBodies",
    ] {
        let Some(components) = document["components"][kind].as_object() else {
            continue;
        };
        for name in components.keys() {
            let target = format!("#/components/{kind}/{name}");
            if !used.contains(&target) {
                unused.push(target);
            }
        }
    }
    assert!(
        unused.is_empty(),
        "components no operation refers to (a generated client would still model them): \
         {unused:?}"
    );
}

#[test]
fn request_bodies_declare_no_default_a_client_would_send() {
    let document = document();
    // A generated client sets a declared default and sends it; an application through a
    // product that names a currency is refused, so the default may only be described.
    for name in ["LoanInput", "LoanPatch"] {
        let properties = document["components"]["schemas"][name]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{name} has properties"));
        for (field, schema) in properties {
            assert!(
                schema.get("default").is_none(),
                "{name}.{field} declares a default, which generated clients send"
            );
        }
    }
}

#[test]
fn the_document_names_a_contact() {
    let contact = &document()["info"]["contact"];
    assert_eq!(contact["name"], openapi::CONTACT_NAME);
    assert_eq!(contact["email"], openapi::CONTACT_EMAIL);
    assert_eq!(contact["url"], openapi::CONTACT_URL);
}
