//! What the utoipa derives on the wire types need and cannot say themselves (feature
//! `openapi`): the schema of each field, built from the constant its validator uses.
//!
//! utoipa's validation attributes (`max_length = ...`, `pattern = ...`) take literals only,
//! so a field's limits would be a copy of the validator's. Instead each field names one of
//! the functions here with `#[schema(schema_with = ...)]`, and the function reads the
//! constant (`PersonName::MAX_CHARS`, `LoanTerms::MAX_AMOUNT`...). The same goes for the
//! parameters: [`params`] implements `IntoParams` for the extractors that read them. Scalars
//! are inlined, which keeps a nullable field a plain type array (`["string", "null"]`)
//! rather than a `oneOf`. Nothing here is compiled into the Lambda binaries.

use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{Ref, RefOr, Schema};

pub mod client;
pub mod common;
pub mod ledger;
pub mod loan;
mod page;
pub mod params;
pub mod problem;
pub mod product;
pub mod schedule;
pub mod user;

pub use page::{ClientPage, LoanPage, ProductPage, TransactionPage, UserPage};

/// The extension a parameter carries to name its entry in `components/parameters`; the
/// `openapi` crate moves the parameter there, puts a `$ref` in its place and drops the mark.
pub const COMPONENT: &str = "x-component";

/// Declares schema functions for `#[schema(schema_with = ...)]`: one per documented field,
/// since utoipa calls them without arguments.
macro_rules! fields {
    ($($(#[$doc:meta])* $name:ident => $schema:expr;)*) => {
        $(
            $(#[$doc])*
            pub fn $name() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
                $schema.into()
            }
        )*
    };
}
pub(crate) use fields;

/// `#/components/schemas/<T's name>`.
pub fn reference<T: utoipa::ToSchema>() -> RefOr<Schema> {
    named(&T::name())
}

/// `#/components/schemas/<name>`.
pub fn named(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

/// A value of type `kind`, or `null`.
pub fn or_null(kind: Type) -> SchemaType {
    SchemaType::from_iter([kind, Type::Null])
}

/// A string; an empty `description` leaves it undescribed (a parameter's own describes it).
pub fn string(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(described(description))
}

fn described(description: &str) -> Option<&str> {
    (!description.is_empty()).then_some(description)
}

/// A string of a known `format` (`date`, `date-time`, `email`, `uri`).
pub fn formatted(format: KnownFormat, description: &str) -> ObjectBuilder {
    string(description).format(Some(SchemaFormat::KnownFormat(format)))
}

/// An integer from `min` to `max` (`int32` when bounded within it, else `int64`).
pub fn integer(min: usize, max: Option<usize>, description: &str) -> ObjectBuilder {
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

/// `schema` (an object) described as `description`, with no property required: the body
/// of a `PATCH`, which the same Rust type as the `POST` or `PUT` body reads.
pub fn optional_fields(schema: RefOr<Schema>, description: &str) -> RefOr<Schema> {
    match schema {
        RefOr::T(Schema::Object(mut object)) => {
            object.required.clear();
            object.description = Some(description.to_owned());
            RefOr::T(Schema::Object(object))
        }
        other => other,
    }
}

/// The schemas the document refers to by name that the derives do not collect, since
/// their references come from builders: the problem body of every error response, the
/// installment of a schedule's array, and the role of `Me`.
pub fn schemas() -> Vec<(String, RefOr<Schema>)> {
    fn entry<T: utoipa::ToSchema>() -> (String, RefOr<Schema>) {
        (T::name().into_owned(), T::schema())
    }
    vec![
        entry::<crate::error::FieldError>(),
        entry::<crate::error::Problem<'static>>(),
        entry::<crate::domain::schedule::InstallmentWire>(),
        entry::<crate::auth::Role>(),
    ]
}
