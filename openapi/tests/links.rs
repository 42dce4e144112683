//! The OpenAPI links (what a client, or Schemathesis's stateful run, can call next with
//! values from a response) point at real operations and fill real parameters, and every
//! operation has its own `operationId`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test: a failed step is a failed test"
)]

use std::collections::BTreeMap;

use serde_json::Value;

fn document() -> Value {
    serde_json::from_str(&openapi::json()).unwrap()
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every operation by `operationId`, as `(method path, operation)`; panics on a duplicate.
fn operations(document: &Value) -> BTreeMap<String, (String, Value)> {
    let mut found = BTreeMap::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"))
                .to_owned();
            let place = format!("{method} {path}");
            if let Some((other, _)) = found.insert(id.clone(), (place.clone(), operation.clone())) {
                panic!("operationId {id} names both {other} and {place}");
            }
        }
    }
    found
}

/// The `(in, name)` of every parameter `operation` takes, resolving `$ref`s.
fn parameters(document: &Value, operation: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        let parameter = match parameter["$ref"].as_str() {
            Some(target) => {
                let name = target.trim_start_matches("#/components/parameters/");
                &document["components"]["parameters"][name]
            }
            None => parameter,
        };
        found.push((
            parameter["in"].as_str().unwrap().to_owned(),
            parameter["name"].as_str().unwrap().to_owned(),
        ));
    }
    found
}

#[test]
fn every_operation_has_a_unique_operation_id() {
    let document = document();
    assert_eq!(operations(&document).len(), 36, "the API's 36 operations");
}

#[test]
fn every_link_targets_an_operation_and_fills_its_parameters_from_the_response() {
    let document = document();
    let operations = operations(&document);
    let mut links = 0;
    for (place, operation) in operations.values() {
        for (status, response) in operation["responses"].as_object().unwrap() {
            for (name, link) in response["links"].as_object().into_iter().flatten() {
                let at = format!("{place} {status} link {name}");
                assert!(status.starts_with('2'), "{at}: links follow successes");
                let target = link["operationId"].as_str().unwrap();
                let (_, target_operation) = operations
                    .get(target)
                    .unwrap_or_else(|| panic!("{at}: no operation {target}"));
                let taken = parameters(&document, target_operation);
                let filled = link["parameters"].as_object().unwrap();
                assert!(!filled.is_empty(), "{at} fills no parameter");
                for (qualified, expression) in filled {
                    let (location, parameter) = qualified.split_once('.').unwrap();
                    assert!(
                        taken.contains(&(location.to_owned(), parameter.to_owned())),
                        "{at}: {target} takes no {location} parameter {parameter}"
                    );
                    let expression = expression.as_str().unwrap();
                    if let Some(pointer) = expression.strip_prefix("$response.body#") {
                        let schema = response["content"]["application/json"]["schema"]["$ref"]
                            .as_str()
                            .unwrap()
                            .trim_start_matches("#/components/schemas/");
                        let field = pointer.trim_start_matches('/');
                        assert!(
                            document["components"]["schemas"][schema]["properties"]
                                .get(field)
                                .is_some(),
                            "{at}: {schema} has no {field}"
                        );
                    } else if let Some(header) = expression.strip_prefix("$response.header.") {
                        assert!(
                            response["headers"].get(header).is_some(),
                            "{at}: the response has no {header} header"
                        );
                    } else {
                        panic!("{at}: unexpected expression {expression}");
                    }
                }
                links += 1;
            }
        }
    }
    assert!(links >= 40, "only {links} links");
}

#[test]
fn every_created_resource_links_to_its_reads_and_conditional_writes() {
    let document = document();
    let operations = operations(&document);
    for (source, targets) in [
        (
            "createClient",
            &[
                "getClient",
                "replaceClient",
                "updateClient",
                "deleteClient",
                "applyForLoan",
            ][..],
        ),
        (
            "applyForLoan",
            &[
                "getLoan",
                "replaceLoan",
                "updateLoan",
                "deleteLoan",
                "getLoanSchedule",
            ][..],
        ),
        ("createUser", &["deleteUser"][..]),
    ] {
        let links = &operations[source].1["responses"]["201"]["links"];
        for target in targets {
            let link = links
                .as_object()
                .unwrap()
                .values()
                .find(|link| link["operationId"] == *target)
                .unwrap_or_else(|| panic!("{source} 201 has no link to {target}"));
            if !target.starts_with("get") && *target != "applyForLoan" {
                assert_eq!(
                    link["parameters"]["header.If-Match"], "$response.header.ETag",
                    "{source} → {target} sends the version it read"
                );
            }
        }
    }
}
