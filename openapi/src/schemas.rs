//! Finishes the component schemas the derives produced, with what no single type knows.
//!
//! - `#[serde(flatten)]` puts a struct's fields into its parent's object, but utoipa
//!   describes it as an `allOf` of two objects; [`flatten`] merges such an `allOf` back
//!   into the one object the wire carries (which strict validators and code generators
//!   need: a closed part of an `allOf` would refuse the other part's fields).
//! - Every JSON body is read by `shared::http::parse_json`, which refuses unknown fields
//!   with `422`, so [`close`] sets `additionalProperties: false` on each body's schema.
//! - [`examples`] gives each schema its example from `examples.rs`.

use std::collections::BTreeSet;

use utoipa::openapi::schema::{AdditionalProperties, Object, ObjectBuilder, Schema, Type};
use utoipa::openapi::{Components, Paths, RefOr};

/// Merges every `allOf` made only of inline objects into one object.
pub(crate) fn flatten(components: &mut Components) {
    for schema in components.schemas.values_mut() {
        let RefOr::T(Schema::AllOf(all_of)) = schema else {
            continue;
        };
        let parts: Option<Vec<&Object>> = all_of
            .items
            .iter()
            .map(|item| match item {
                RefOr::T(Schema::Object(object)) => Some(object),
                _ => None,
            })
            .collect();
        let Some(parts) = parts else { continue };
        let mut merged = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(all_of.description.clone())
            .build();
        for part in parts {
            merged.required.extend(part.required.iter().cloned());
            merged.properties.extend(
                part.properties
                    .iter()
                    .map(|(name, schema)| (name.clone(), schema.clone())),
            );
        }
        *schema = RefOr::T(Schema::Object(merged));
    }
}

/// The component names of the request bodies of `paths`, and of the `oneOf` alternatives
/// they name.
fn bodies(paths: &Paths, components: &Components) -> BTreeSet<String> {
    let name = |schema: &RefOr<Schema>| match schema {
        RefOr::Ref(reference) => reference.ref_location.rsplit('/').next().map(str::to_owned),
        RefOr::T(_) => None,
    };
    let mut found = BTreeSet::new();
    let operations = paths.paths.values().flat_map(|item| {
        [&item.get, &item.put, &item.post, &item.delete, &item.patch]
            .into_iter()
            .flatten()
    });
    for operation in operations {
        let Some(RefOr::T(body)) = &operation.request_body else {
            continue;
        };
        for content in body.content.values() {
            let RefOr::T(content) = content else { continue };
            let Some(body) = content.schema.as_ref().and_then(name) else {
                continue;
            };
            if let Some(RefOr::T(Schema::OneOf(one_of))) = components.schemas.get(&body) {
                found.extend(one_of.items.iter().filter_map(name));
            }
            found.insert(body);
        }
    }
    found
}

/// Refuses unknown fields in every request body object.
pub(crate) fn close(paths: &Paths, components: &mut Components) {
    for name in bodies(paths, components) {
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(&name) {
            object.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
        }
    }
}

/// Gives each schema of [`crate::examples::schemas`] its example; a schema that is missing,
/// or an example a domain rule refused, is an error.
pub(crate) fn examples(components: &mut Components) -> Result<(), String> {
    for (name, example) in crate::examples::schemas() {
        let example = example.ok_or(format!("the example of {name} could not be built"))?;
        match components.schemas.get_mut(name) {
            Some(RefOr::T(Schema::Object(object))) => object.examples = vec![example],
            _ => return Err(format!("no object schema {name} to give an example")),
        }
    }
    Ok(())
}
