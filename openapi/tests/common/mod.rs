//! What the schema tests share: the generated document, and validators of its schemas
//! under JSON Schema 2020-12 (the dialect of OpenAPI 3.1) with formats asserted.

use jsonschema::{Draft, Validator};
use serde_json::{Value, json};

/// The document the code generates.
pub fn document() -> Value {
    serde_json::from_str(&openapi::json()).unwrap()
}

/// The components, with `additionalProperties: false` on every named object schema that
/// declares properties: an instance carrying a field the schema does not declare fails.
pub fn strict_components(document: &Value) -> Value {
    let mut components = document["components"].clone();
    for schema in components["schemas"].as_object_mut().unwrap().values_mut() {
        let object = schema.as_object_mut().unwrap();
        if object.contains_key("properties") && !object.contains_key("additionalProperties") {
            object.insert("additionalProperties".into(), json!(false));
        }
    }
    components
}

/// A validator of `schema`, which may `$ref` the `components`.
pub fn validator(components: &Value, schema: &Value) -> Validator {
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": components,
        "allOf": [schema],
    });
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true)
        .build(&root)
        .unwrap()
}

/// Why `instance` fails `validator` (empty when it is valid).
pub fn errors(validator: &Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect()
}

/// `#/components/schemas/<name>`.
pub fn named(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}
