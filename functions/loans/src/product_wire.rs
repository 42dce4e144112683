//! The JSON an admin sends to create or change a loan product, and its conversion into a
//! validated [`ProductTerms`] and name. One shape serves `POST` (every field but `active`
//! required) and `PATCH` (any subset, merged over the product as it is).

use serde::Deserialize;
use shared::domain::money::{Currency, DecimalInput};
use shared::domain::product::{Product, ProductName, ProductTerms};
use shared::{ApiError, FieldError};

#[cfg(feature = "openapi")]
use shared::openapi::product as doc;

/// A product as an admin writes it, unchecked.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(
        description = "A loan product, for `POST /products` (every field but `active` \
        required). Every amount and term inside the bounds must have a schedule, or the \
        product is `422` naming the bound to move."
    )
)]
pub struct ProductInput {
    /// The product's name.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::name, required = true))]
    pub name: Option<Option<String>>,
    /// Its currency.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::currency_of, required = true))]
    pub currency: Option<Option<String>>,
    /// Its rate.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::rate_sent, required = true))]
    pub annual_interest_rate: Option<Option<DecimalInput>>,
    /// The smallest amount.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::min_amount_sent, required = true))]
    pub min_amount: Option<Option<DecimalInput>>,
    /// The largest amount.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::max_amount_sent, required = true))]
    pub max_amount: Option<Option<DecimalInput>>,
    /// The shortest term.
    #[serde(default, deserialize_with = "crate::wire::whole_number")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::min_term_months, required = true))]
    pub min_term_months: Option<Option<u32>>,
    /// The longest term.
    #[serde(default, deserialize_with = "crate::wire::whole_number")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::max_term_months, required = true))]
    pub max_term_months: Option<Option<u32>>,
    /// Whether it takes applications; `true` when left out of a `POST`.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::active))]
    pub active: Option<Option<bool>>,
}

/// A field given, or for a `PATCH` the product's own; a missing or `null` one is reported.
fn field<T>(
    errors: &mut Vec<FieldError>,
    name: &str,
    given: Option<Option<T>>,
    current: Option<T>,
) -> Option<T> {
    match given {
        Some(Some(value)) => Some(value),
        Some(None) => {
            errors.push(FieldError::body(name, "must not be null"));
            None
        }
        None => {
            if current.is_none() {
                errors.push(FieldError::body(name, "is required"));
            }
            current
        }
    }
}

impl ProductInput {
    /// The name, terms and state the input makes: of a new product (`current` is `None`)
    /// or of `current` changed. Every invalid field is reported in one `422`.
    pub fn resolve(
        self,
        current: Option<&Product>,
    ) -> Result<(ProductName, ProductTerms, bool), ApiError> {
        let mut errors = Vec::new();
        let terms = current.map(Product::terms);
        let name = field(
            &mut errors,
            "name",
            self.name,
            current.map(|p| p.name().as_str().to_owned()),
        )
        .and_then(|text| {
            ProductName::parse(&text)
                .map_err(|e| errors.push(FieldError::body("name", e)))
                .ok()
        });
        let currency = field(
            &mut errors,
            "currency",
            self.currency,
            terms.map(|t| t.currency().code().to_owned()),
        )
        .and_then(|code| {
            Currency::parse(&code)
                .map_err(|e| errors.push(FieldError::body("currency", e)))
                .ok()
        });
        let decimal = |input: Option<Option<DecimalInput>>| input.map(|d| d.map(|d| d.0));
        let rate = field(
            &mut errors,
            "annual_interest_rate",
            decimal(self.annual_interest_rate),
            terms.map(|t| t.annual_interest_rate()),
        );
        let min_amount = field(
            &mut errors,
            "min_amount",
            decimal(self.min_amount),
            terms.map(|t| t.amounts().0),
        );
        let max_amount = field(
            &mut errors,
            "max_amount",
            decimal(self.max_amount),
            terms.map(|t| t.amounts().1),
        );
        let min_term = field(
            &mut errors,
            "min_term_months",
            self.min_term_months,
            terms.map(|t| t.terms().0),
        );
        let max_term = field(
            &mut errors,
            "max_term_months",
            self.max_term_months,
            terms.map(|t| t.terms().1),
        );
        let active = match self.active {
            Some(Some(active)) => active,
            Some(None) => {
                errors.push(FieldError::body("active", "must not be null"));
                true
            }
            None => current.is_none_or(Product::active),
        };
        let (
            Some(name),
            Some(currency),
            Some(rate),
            Some(min),
            Some(max),
            Some(shortest),
            Some(longest),
        ) = (
            name, currency, rate, min_amount, max_amount, min_term, max_term,
        )
        else {
            return Err(ApiError::Validation(errors));
        };
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let terms = ProductTerms::parse(currency, rate, (min, max), (shortest, longest)).map_err(
            |failures| {
                ApiError::Validation(
                    failures
                        .into_iter()
                        .map(|(field, detail)| FieldError::body(field, detail))
                        .collect(),
                )
            },
        )?;
        Ok((name, terms, active))
    }
}
