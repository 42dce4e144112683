//! The JSON a caller sends to create or change a client, and its conversion into
//! validated [`ClientDetails`].
//!
//! One shape serves `POST`, `PUT` and `PATCH`. Each field distinguishes "absent" from
//! `null`: for `PATCH`, absent keeps the current value and `null` clears an optional one;
//! for `POST` and `PUT`, required fields must be present and absent optional ones are
//! cleared.

use chrono::NaiveDate;
use serde::Deserialize;
use shared::domain::client::{ClientDetails, MonthlyIncome};
use shared::domain::fields::{BirthDate, DocumentNumber, Email, PersonName, Phone};
use shared::domain::money::DecimalInput;
use shared::{ApiError, FieldError};

#[cfg(feature = "openapi")]
use shared::openapi::client as doc;

/// A client as a caller writes it, unchecked.
///
/// Every field is `None` when absent, `Some(None)` for an explicit `null` and
/// `Some(Some(value))` otherwise (see [`shared::http::body::present`]); the rules live in
/// the domain types [`ClientInput::into_details`] hands each value to.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(
        description = "Every editable field of a client, for `POST /clients` and `PUT \
        /clients/{client_id}`. On `PUT`, an optional field left out is cleared. Unknown \
        fields are `422`."
    )
)]
pub struct ClientInput {
    /// Required; becomes a [`PersonName`].
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::first_name, required = true))]
    pub first_name: Option<Option<String>>,
    /// Required; becomes a [`PersonName`].
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::last_name, required = true))]
    pub last_name: Option<Option<String>>,
    /// Required; becomes an [`Email`].
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::email, required = true))]
    pub email: Option<Option<String>>,
    /// Required; becomes a [`DocumentNumber`].
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::document_number_sent, required = true))]
    pub document_number: Option<Option<String>>,
    /// Optional, E.164; `null` clears it. Becomes a [`Phone`].
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::phone))]
    pub phone: Option<Option<String>>,
    /// Required, `YYYY-MM-DD`; checked by [`BirthDate::parse`] against today.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::birth_date, required = true))]
    pub birth_date: Option<Option<String>>,
    /// Optional, MXN, a JSON string or number read exactly; `null` clears it. Becomes a
    /// [`MonthlyIncome`].
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::monthly_income_sent))]
    pub monthly_income: Option<Option<DecimalInput>>,
}

/// Collects every field's error before giving up, so the caller sees them all at once.
#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    /// Resolves a required field: the input's value if given, else `current`'s.
    fn required<T>(
        &mut self,
        field: &str,
        input: Option<Option<String>>,
        current: Option<T>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        match input {
            Some(Some(raw)) => self.check(field, parse(&raw)),
            Some(None) => self.fail(field, "must not be null"),
            None => current.or_else(|| self.fail(field, "is required")),
        }
    }

    /// Resolves an optional field: the input's value, `null` to clear, else `current`'s.
    fn optional<R, T>(
        &mut self,
        field: &str,
        input: Option<Option<R>>,
        current: Option<T>,
        parse: impl FnOnce(R) -> Result<T, String>,
    ) -> Option<T> {
        match input {
            Some(Some(raw)) => self.check(field, parse(raw)),
            Some(None) => None,
            None => current,
        }
    }

    fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        result
            .map_err(|detail| self.0.push(FieldError::body(field, detail)))
            .ok()
    }

    fn fail<T>(&mut self, field: &str, detail: &str) -> Option<T> {
        self.0.push(FieldError::body(field, detail));
        None
    }
}

impl ClientInput {
    /// Builds the details a write would store: from the input alone (`current` is
    /// `None`, for `POST` and `PUT`) or merged over the current details (`PATCH`).
    pub fn into_details(
        self,
        current: Option<&ClientDetails>,
        today: NaiveDate,
    ) -> Result<ClientDetails, ApiError> {
        let mut errors = Errors::default();
        let first_name = errors.required(
            "first_name",
            self.first_name,
            current.map(|c| c.first_name.clone()),
            PersonName::parse,
        );
        let last_name = errors.required(
            "last_name",
            self.last_name,
            current.map(|c| c.last_name.clone()),
            PersonName::parse,
        );
        let email = errors.required(
            "email",
            self.email,
            current.map(|c| c.email.clone()),
            Email::parse,
        );
        let document_number = errors.required(
            "document_number",
            self.document_number,
            current.map(|c| c.document_number.clone()),
            DocumentNumber::parse,
        );
        let phone = errors.optional(
            "phone",
            self.phone,
            current.and_then(|c| c.phone.clone()),
            |raw: String| Phone::parse(&raw),
        );
        let birth_date = errors.required(
            "birth_date",
            self.birth_date,
            current.map(|c| c.birth_date),
            |raw| BirthDate::parse(raw, today),
        );
        let monthly_income = errors.optional(
            "monthly_income",
            self.monthly_income,
            current.and_then(|c| c.monthly_income),
            |raw: DecimalInput| MonthlyIncome::parse(raw.0),
        );
        match (first_name, last_name, email, document_number, birth_date) {
            (
                Some(first_name),
                Some(last_name),
                Some(email),
                Some(document_number),
                Some(birth_date),
            ) if errors.0.is_empty() => Ok(ClientDetails {
                first_name,
                last_name,
                email,
                document_number,
                phone,
                birth_date,
                monthly_income,
            }),
            _ => Err(ApiError::Validation(errors.0)),
        }
    }
}
