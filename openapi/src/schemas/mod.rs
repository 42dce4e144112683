//! The document's `components/schemas`, and the small builders every schema uses.
//!
//! Most wire types serialize through custom serde code (money as exact decimal strings,
//! newtypes read with `try_from = "String"`, `Option<Option<_>>` bodies that tell an
//! absent field from `null`), so no derive could describe them; the schemas are declared
//! here instead, with every limit taken from the constant the validator itself uses.
//! Objects are components; scalars are inlined through the helpers below, which keeps a
//! nullable field a plain type array (`["string", "null"]`) instead of a `oneOf`.

use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat,
    SchemaType, Type,
};
use utoipa::openapi::{Ref, RefOr};

mod auth;
mod clients;
mod common;
mod loans;

pub(crate) use common::ID_PATTERN;

/// Every component schema, by name.
pub(crate) fn all() -> Vec<(String, RefOr<Schema>)> {
    [
        common::schemas(),
        clients::schemas(),
        loans::schemas(),
        auth::schemas(),
    ]
    .into_iter()
    .flatten()
    .map(|(name, schema)| (name.to_owned(), RefOr::T(schema)))
    .collect()
}

/// `#/components/schemas/<name>`.
pub(crate) fn reference(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

/// A value of type `kind`, or `null`.
pub(crate) fn or_null(kind: Type) -> SchemaType {
    SchemaType::from_iter([kind, Type::Null])
}

/// A string.
/// A string; an empty `description` leaves it undescribed (a parameter's own describes it).
pub(crate) fn string(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(described(description))
}

fn described(description: &str) -> Option<&str> {
    (!description.is_empty()).then_some(description)
}

/// A string of a known `format` (`date`, `date-time`, `email`, `uri`).
pub(crate) fn formatted(format: KnownFormat, description: &str) -> ObjectBuilder {
    string(description).format(Some(SchemaFormat::KnownFormat(format)))
}

/// An integer from `min` to `max` (`int32` when bounded within it, else `int64`).
pub(crate) fn integer(min: usize, max: Option<usize>, description: &str) -> ObjectBuilder {
    let format = match max {
        Some(max) if i32::try_from(max).is_ok() => KnownFormat::Int32,
        _ => KnownFormat::Int64,
    };
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(format)))
        .minimum(Some(min))
        .maximum(max)
        .description(described(description))
}

/// An object whose `properties` are all listed in `required` (response objects: every
/// field is always present, optional ones as `null`).
pub(crate) fn record(
    description: &str,
    properties: Vec<(&str, RefOr<Schema>)>,
    example: Option<serde_json::Value>,
) -> Schema {
    let names: Vec<&str> = properties.iter().map(|(name, _)| *name).collect();
    object(description, properties, &names, example)
        .build()
        .into()
}

/// An object with `properties`, of which `required` must be present.
pub(crate) fn object(
    description: &str,
    properties: Vec<(&str, RefOr<Schema>)>,
    required: &[&str],
    example: Option<serde_json::Value>,
) -> ObjectBuilder {
    let mut builder = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(description))
        .examples(example);
    for (name, schema) in properties {
        builder = builder.property(name, schema);
    }
    for name in required {
        builder = builder.required(*name);
    }
    builder
}

/// A request body object: unknown fields are refused with `422`, never ignored.
pub(crate) fn closed(builder: ObjectBuilder) -> Schema {
    builder
        .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)))
        .build()
        .into()
}

/// The page of a list: `items`, newest first, and the cursor of the next page.
pub(crate) fn page(item: &str, example: Option<serde_json::Value>) -> Schema {
    let items = ArrayBuilder::new()
        .items(reference(item))
        .max_items(Some(shared::list::MAX_LIMIT))
        .description(Some("At most `limit` items, newest first."));
    let next = string(
        "Opaque cursor of the next page: pass it back as `cursor` with the same filters and \
         `limit`. `null` exactly on the last page.",
    )
    .schema_type(or_null(Type::String));
    record(
        &format!("One page of a list of {item} resources, newest first."),
        vec![("items", items.into()), ("next_cursor", next.into())],
        example,
    )
}
