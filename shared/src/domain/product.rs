//! Loan products: the lender's prices and bounds, which every customer application goes
//! through. A customer never chooses its own rate or currency; it picks a product and an
//! amount and a term inside the product's bounds.
//!
//! A product's bounds are checked as a whole: every amount and term inside them must
//! have a schedule under the installment rule (see `schedule::proof`), so that no
//! application within the bounds can be refused for its terms. A product that does not
//! meet that is refused, naming the bound to move and how far.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::fields::check_text;
use super::ids::ProductId;
use super::money::{Currency, decimal_as_string, decimal_from_string};
use super::schedule::{LoanTerms, check_amount, proof};
use super::time::Timestamp;

#[cfg(feature = "openapi")]
use crate::openapi::product as doc;

/// A product's name: trimmed, 1 to 100 characters, no control or bidirectional control
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProductName(String);

impl ProductName {
    /// Longest name accepted, in characters, after trimming.
    pub const MAX_CHARS: usize = 100;

    /// Trims `input` and checks it; the error is a message for the caller.
    pub fn parse(input: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        check_text(trimmed)?;
        Ok(Self(trimmed.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProductName {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl From<ProductName> for String {
    fn from(value: ProductName) -> String {
        value.0
    }
}

/// The price and bounds of a product, valid by construction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductTerms {
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::currency_of))]
    currency: Currency,
    #[serde(
        serialize_with = "decimal_as_string",
        deserialize_with = "decimal_from_string"
    )]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::rate_held))]
    annual_interest_rate: Decimal,
    #[serde(
        serialize_with = "decimal_as_string",
        deserialize_with = "decimal_from_string"
    )]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::min_amount))]
    min_amount: Decimal,
    #[serde(
        serialize_with = "decimal_as_string",
        deserialize_with = "decimal_from_string"
    )]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::max_amount))]
    max_amount: Decimal,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::min_term_months))]
    min_term_months: u32,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::max_term_months))]
    max_term_months: u32,
}

/// `amount` at exactly the currency's minor units.
fn at_minor_units(amount: Decimal, currency: Currency) -> Decimal {
    let mut exact = amount;
    exact.rescale(currency.minor_units());
    exact
}

impl ProductTerms {
    /// Checks every rule and reports each broken one as `(field, message)`, fields named
    /// as in the API body.
    pub fn parse(
        currency: Currency,
        annual_rate: Decimal,
        (min_amount, max_amount): (Decimal, Decimal),
        (min_term, max_term): (u32, u32),
    ) -> Result<Self, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let mut check = |field, result: Result<(), String>| {
            if let Err(message) = result {
                errors.push((field, message));
            }
        };
        check("annual_interest_rate", LoanTerms::check_rate(annual_rate));
        check("min_amount", check_amount(min_amount, currency));
        check("max_amount", check_amount(max_amount, currency));
        check("min_term_months", LoanTerms::check_term(min_term));
        check("max_term_months", LoanTerms::check_term(max_term));
        if errors.is_empty() && min_amount > max_amount {
            errors.push(("min_amount", "must not be greater than max_amount".into()));
        }
        if errors.is_empty() && min_term > max_term {
            errors.push((
                "min_term_months",
                "must not be greater than max_term_months".into(),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let rate = annual_rate.normalize();
        let unschedulable = |_| vec![("max_term_months", "cannot be checked".to_owned())];
        if !proof::always_schedulable(min_amount, currency, rate, max_term)
            .map_err(unschedulable)?
        {
            return Err(Self::bounds_to_move(currency, rate, min_amount, max_term)
                .map_err(unschedulable)?);
        }
        Ok(Self {
            currency,
            annual_interest_rate: rate,
            min_amount: at_minor_units(min_amount, currency),
            max_amount: at_minor_units(max_amount, currency),
            min_term_months: min_term,
            max_term_months: max_term,
        })
    }

    /// How far `min_amount` or `max_term_months` must move for every combination to have a
    /// schedule.
    fn bounds_to_move(
        currency: Currency,
        rate: Decimal,
        min_amount: Decimal,
        max_term: u32,
    ) -> Result<Vec<(&'static str, String)>, super::schedule::ScheduleError> {
        let mut errors = Vec::new();
        let floor = proof::smallest_safe_amount(currency, rate, max_term)?;
        if floor <= LoanTerms::MAX_AMOUNT {
            errors.push((
                "min_amount",
                format!(
                    "is too small for terms up to {max_term} months at {rate} %: some amounts \
                     would have no schedule (the installment would repay them before their \
                     last month); from {} up every amount has one",
                    currency.format(floor)
                ),
            ));
        }
        let term = proof::longest_safe_term(min_amount, currency, rate, max_term)?;
        errors.push((
            "max_term_months",
            match term {
                Some(term) => format!(
                    "is too long for amounts from {} at {rate} %: some terms would have no \
                     schedule; up to {term} months every term has one",
                    currency.format(min_amount)
                ),
                None => format!(
                    "no term has a schedule for amounts from {} at {rate} %",
                    currency.format(min_amount)
                ),
            },
        ));
        Ok(errors)
    }

    /// The terms of a loan of `amount` over `term_months` under these bounds; each amount
    /// or term outside them is reported as `(field, message)`.
    pub fn loan_terms(
        &self,
        amount: Decimal,
        term_months: u32,
    ) -> Result<LoanTerms, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let money = |value| self.currency.format(value);
        if amount < self.min_amount || amount > self.max_amount {
            errors.push((
                "amount",
                format!(
                    "must be from {} to {} {} for this product",
                    money(self.min_amount),
                    money(self.max_amount),
                    self.currency
                ),
            ));
        }
        if !(self.min_term_months..=self.max_term_months).contains(&term_months) {
            errors.push((
                "term_months",
                format!(
                    "must be from {} to {} months for this product",
                    self.min_term_months, self.max_term_months
                ),
            ));
        }
        let terms = LoanTerms::parse(
            amount,
            self.currency,
            self.annual_interest_rate,
            term_months,
        );
        match terms {
            Ok(terms) if errors.is_empty() => Ok(terms),
            Ok(_) => Err(errors),
            Err(more) => {
                for (field, message) in more {
                    if !errors.iter().any(|(known, _)| *known == field) {
                        errors.push((field, message));
                    }
                }
                Err(errors)
            }
        }
    }

    /// The currency of every loan of the product.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The rate of every loan of the product.
    pub fn annual_interest_rate(&self) -> Decimal {
        self.annual_interest_rate
    }

    /// `(min_amount, max_amount)`.
    pub fn amounts(&self) -> (Decimal, Decimal) {
        (self.min_amount, self.max_amount)
    }

    /// `(min_term_months, max_term_months)`.
    pub fn terms(&self) -> (u32, u32) {
        (self.min_term_months, self.max_term_months)
    }
}

/// A loan product as stored and as the API shows it. `loans_made` counts the loans ever
/// applied for through it (the store keeps it, in the transaction of each application);
/// a product with loans cannot be deleted, only retired (`active: false`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(description = crate::openapi::product::PRODUCT)
)]
pub struct Product {
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::product_id))]
    id: ProductId,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::name))]
    name: ProductName,
    #[serde(flatten)]
    terms: ProductTerms,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::active))]
    active: bool,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::loans_made))]
    loans_made: u64,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::created_at))]
    created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::updated_at))]
    updated_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::common::version))]
    version: u64,
}

impl Product {
    /// A new product `id` (normally `ProductId::new_at(now)`), at version 1.
    pub fn new(
        id: ProductId,
        name: ProductName,
        terms: ProductTerms,
        active: bool,
        now: Timestamp,
    ) -> Self {
        Self {
            id,
            name,
            terms,
            active,
            loans_made: 0,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// The same product with a new name, terms and state, as the next version. Loans
    /// already made keep the terms they were made with.
    pub fn revise(
        &self,
        name: ProductName,
        terms: ProductTerms,
        active: bool,
        now: Timestamp,
    ) -> Self {
        Self {
            id: self.id.clone(),
            name,
            terms,
            active,
            loans_made: self.loans_made,
            created_at: self.created_at,
            updated_at: now,
            version: self.version + 1,
        }
    }

    /// The product's id.
    pub fn id(&self) -> &ProductId {
        &self.id
    }

    /// The product's name.
    pub fn name(&self) -> &ProductName {
        &self.name
    }

    /// Its price and bounds.
    pub fn terms(&self) -> &ProductTerms {
        &self.terms
    }

    /// Whether new applications may use it.
    pub fn active(&self) -> bool {
        self.active
    }

    /// How many loans were made from it.
    pub fn loans_made(&self) -> u64 {
        self.loans_made
    }

    /// When it was created.
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }

    /// When it last changed.
    pub fn updated_at(&self) -> Timestamp {
        self.updated_at
    }

    /// The `ETag` and the condition of every write.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The API path of this product.
    pub fn location(&self) -> String {
        format!("/products/{}", self.id)
    }
}

#[cfg(test)]
mod tests;
