//! The documentation of this function's operations (feature `openapi`): [`Operations`]
//! collects the `#[utoipa::path]` of each handler, [`Filters`] describes the query of
//! `GET /clients` as `list::parse_filter` reads it, [`ClientPatch`] is the `PATCH` body,
//! and the reasons below are those several operations give. The `openapi` crate completes
//! the operations and publishes them.

use shared::domain::fields::{DocumentNumber, Email, PersonName};
use shared::openapi::params::parameter;
use shared::openapi::string;
use utoipa::IntoParams;
use utoipa::openapi::path::{Parameter, ParameterIn};

use crate::wire::ClientInput;

/// A `409` of a create or a change.
pub const TAKEN: &str = "The email (compared case-insensitively) or the document number \
    belongs to another client.";
/// A `409` of a write that kept losing races.
pub const CONTENDED: &str = "Other requests kept changing the client; retry.";
/// The `404` of an admin's operation.
pub const MISSING: &str = "No client has this id.";

/// The operations of `/clients` and `/clients/{client_id}`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    super::single::create_client,
    super::list::list_clients,
    super::single::get_client,
    super::single::replace_client,
    super::single::update_client,
    super::single::delete_client,
))]
pub struct Operations;

/// The filters of `GET /clients`.
pub struct Filters;

impl IntoParams for Filters {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let bounded = |component: &str, name: &str, max: usize, rule: &str| {
            let schema = string("").max_length(Some(max));
            parameter(component, name, ParameterIn::Query, rule, schema)
        };
        vec![
            bounded(
                "EmailFilter",
                "email",
                Email::MAX_CHARS,
                "Only the client with this email (exact, case-insensitive).",
            ),
            bounded(
                "DocumentNumberFilter",
                "document_number",
                DocumentNumber::MAX_CHARS,
                "Only the client with this document number (exact, case-insensitive).",
            ),
            bounded(
                "NameFilter",
                "name",
                PersonName::MAX_CHARS,
                "Only clients whose first or last name contains this (case-insensitive).",
            ),
        ]
    }
}

/// The body of `PATCH /clients/{client_id}`, as documented: [`ClientInput`] with no field
/// required. One type reads both bodies (the handler decides which fields must be there),
/// and a derive gives a type one schema, so this one is the derived one minus `required`.
pub struct ClientPatch;

impl utoipa::PartialSchema for ClientPatch {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        shared::openapi::optional_fields(
            <ClientInput as utoipa::PartialSchema>::schema(),
            "Any subset of a client's editable fields, for `PATCH /clients/{client_id}`: a \
             field left out keeps its value; `null` clears `phone` or `monthly_income` (and is \
             `422` for the required fields). Unknown fields are `422`.",
        )
    }
}

impl utoipa::ToSchema for ClientPatch {}
