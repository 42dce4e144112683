//! The documentation of this function's operations (feature `openapi`): [`Operations`]
//! collects the `#[utoipa::path]` of each handler, [`LoanFilters`] and [`StatusFilter`]
//! describe the queries of the lists as `lists::parse_filter` reads them, [`LoanPatch`] is
//! the `PATCH` body, and the reasons below are those several operations give. The
//! `openapi` crate completes the operations and publishes them.

use shared::domain::loan_status::LoanStatus;
use shared::openapi::common::ID_PATTERN;
use shared::openapi::params::{blank_or, parameter};
use shared::openapi::{formatted, reference, string};
use utoipa::IntoParams;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::schema::KnownFormat;

use crate::product_wire::ProductInput;
use crate::wire::{LoanInput, MAX_DECIMAL_PARAMETER_CHARS};

/// The `404` of a client the caller may not see.
pub const NOT_ITS_CLIENT: &str = "No client has this id, or it is not the caller's.";
/// The `404` of a loan the caller may not see.
pub const NOT_ITS_LOAN: &str = "No loan has this id, or it is not the caller's.";
/// A `409` of a write that kept losing races.
pub const CONTENDED: &str = "Other requests kept changing the loan; retry.";
/// A `409` of a change of terms.
pub const TERMS_FIXED: &str = "The loan is no longer `pending`, so its terms cannot change.";

/// What `parse_decimal` reads, or nothing (a blank filter is none).
const BLANK_OR_DECIMAL_PATTERN: &str = r"^([0-9]+(\.[0-9]+)?)?$";

/// The operations of `/clients/{client_id}/loans`, `/loans`, `/loans/{loan_id}`,
/// `/loans/{loan_id}/schedule` and `/quotes`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    super::application::apply,
    super::lists::client_loans,
    super::lists::loans,
    super::single::get,
    super::single::replace,
    super::single::update,
    super::single::delete,
    super::schedule::schedule,
    super::schedule::quote,
    super::products::create,
    super::products::list,
    super::products::get,
    super::products::update,
    super::products::delete,
    super::servicing::repay,
    super::servicing::transactions,
    super::servicing::transaction,
    super::servicing::reverse,
    super::servicing::balance,
    super::servicing::payoff,
))]
pub struct Operations;

/// The `on` parameter of the balance and the payoff.
pub struct OnDay;

impl IntoParams for OnDay {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![parameter(
            "OnDay",
            "on",
            ParameterIn::Query,
            "The day (`YYYY-MM-DD`): the loan as it stood at its end; today when left out. Not \
             before the disbursement.",
            blank_or(formatted(KnownFormat::Date, "")),
        )]
    }
}

/// The `status` filter of both lists.
pub struct StatusFilter;

impl IntoParams for StatusFilter {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![parameter(
            "StatusFilter",
            "status",
            ParameterIn::Query,
            "Only loans in this status; blank is the same as none.",
            blank_or(reference::<LoanStatus>()),
        )]
    }
}

/// The filters of `GET /loans`.
pub struct LoanFilters;

impl IntoParams for LoanFilters {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let id = ID_PATTERN.trim_start_matches('^').trim_end_matches('$');
        let amount = |component: &str, bound: &str| {
            parameter(
                component,
                &format!("{bound}_amount"),
                ParameterIn::Query,
                &format!(
                    "Only loans whose amount is at {bound}imum this (a plain decimal); blank \
                     is the same as none."
                ),
                string("")
                    .pattern(Some(BLANK_OR_DECIMAL_PATTERN))
                    .max_length(Some(MAX_DECIMAL_PARAMETER_CHARS)),
            )
        };
        let created = |component: &str, name: &str, side: &str| {
            parameter(
                component,
                name,
                ParameterIn::Query,
                &format!(
                    "Only loans created on or {side} this day (UTC), inclusive; blank is the \
                     same as none."
                ),
                blank_or(formatted(KnownFormat::Date, "")),
            )
        };
        let mut filters = StatusFilter::into_params(|| None);
        filters.extend([
            parameter(
                "ClientIdFilter",
                "client_id",
                ParameterIn::Query,
                "Only this client's loans (a customer always sees only its own: another client \
                 gives an empty page); blank is the same as none.",
                string("").pattern(Some(format!("^({id})?$"))),
            ),
            amount("MinAmount", "min"),
            amount("MaxAmount", "max"),
            created("CreatedFrom", "created_from", "after"),
            created("CreatedTo", "created_to", "before"),
            parameter(
                "DaysPastDueMin",
                "days_past_due_min",
                ParameterIn::Query,
                "Admins only: the arrears list instead, `active` loans at least this many days \
                 overdue today (from 1), most overdue first; combines with no other filter.",
                string("").pattern(Some("^([1-9][0-9]{0,4})?$")),
            ),
        ]);
        filters
    }
}

/// The body of `PATCH /loans/{loan_id}`, as documented: [`LoanInput`] with no field
/// required, and the `status` that only a `PATCH` may carry (`POST` and `PUT` refuse it
/// with `422`). One type reads the three bodies, and a derive gives a type one schema, so
/// this one is the derived one, changed.
pub struct LoanPatch;

impl utoipa::PartialSchema for LoanPatch {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        use utoipa::openapi::{RefOr, Schema};
        let mut schema = shared::openapi::optional_fields(
            <LoanInput as utoipa::PartialSchema>::schema(),
            "Any subset of a loan's terms (only while `pending`) and/or a `status` change. \
             Disbursing (`active`) may carry `disbursed_on`; writing off (`written_off`) must \
             carry `reason`. A customer may send only `{\"status\": \"cancelled\"}` for its \
             own `pending` loan: another status is `403`, any other field `422`.",
        );
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            object
                .properties
                .insert("status".into(), shared::openapi::reference::<LoanStatus>());
            object.properties.insert(
                "disbursed_on".into(),
                formatted(
                    KnownFormat::Date,
                    "Only with `{\"status\": \"active\"}`: the disbursement's value date \
                     (`YYYY-MM-DD`), from which the due dates run; today when left out. Not in \
                     the future, at most 10 years back.",
                )
                .into(),
            );
            object
                .properties
                .insert("reason".into(), shared::openapi::ledger::reason_sent());
        }
        schema
    }
}

impl utoipa::ToSchema for LoanPatch {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::Schema>)>) {
        use utoipa::PartialSchema as _;
        schemas.push((
            <LoanStatus as utoipa::ToSchema>::name().into_owned(),
            LoanStatus::schema(),
        ));
    }
}

/// The `active` filter of `GET /products`.
pub struct ActiveFilter;

impl IntoParams for ActiveFilter {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![parameter(
            "ActiveFilter",
            "active",
            ParameterIn::Query,
            "Only the active (`true`) or the retired (`false`) products; blank is the same as \
             none. A customer always gets the active ones.",
            string("").pattern(Some("^(true|false)?$")),
        )]
    }
}

/// The body of `PATCH /products/{product_id}`, as documented: `ProductInput` with no
/// field required (the one type reads both bodies).
pub struct ProductPatch;

impl utoipa::PartialSchema for ProductPatch {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        shared::openapi::optional_fields(
            <ProductInput as utoipa::PartialSchema>::schema(),
            "Any subset of a product's fields. The product that results must still have a \
             schedule for every amount and term inside its bounds.",
        )
    }
}

impl utoipa::ToSchema for ProductPatch {}
