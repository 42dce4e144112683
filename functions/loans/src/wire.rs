//! The JSON a caller sends to apply for, change or quote a loan, and its conversion into
//! validated [`LoanTerms`].
//!
//! Fields distinguish "absent" from `null` (see `shared::http::body::present`): absent
//! keeps the current value on `PATCH`; `null` clears the optional `purpose`.

use rust_decimal::Decimal;
use serde::Deserialize;
use shared::domain::loan::{Loan, Purpose};
use shared::domain::money::{Currency, DecimalInput};
use shared::domain::schedule::LoanTerms;
use shared::{ApiError, FieldError};

/// A loan application or change.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LoanInput {
    #[serde(default, deserialize_with = "shared::http::body::present")]
    pub amount: Option<Option<DecimalInput>>,
    #[serde(default, deserialize_with = "shared::http::body::present")]
    pub currency: Option<Option<String>>,
    #[serde(default, deserialize_with = "shared::http::body::present")]
    pub annual_interest_rate: Option<Option<DecimalInput>>,
    #[serde(default, deserialize_with = "shared::http::body::present")]
    pub term_months: Option<Option<u32>>,
    #[serde(default, deserialize_with = "shared::http::body::present")]
    pub purpose: Option<Option<String>>,
    /// Only `PATCH` may carry a status change.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    pub status: Option<Option<String>>,
}

/// `POST /quotes`: terms only.
#[derive(Debug, Clone, Deserialize)]
pub struct QuoteInput {
    #[serde(default, deserialize_with = "shared::http::body::present")]
    pub amount: Option<Option<DecimalInput>>,
    #[serde(default, deserialize_with = "shared::http::body::present")]
    pub currency: Option<Option<String>>,
    #[serde(default, deserialize_with = "shared::http::body::present")]
    pub annual_interest_rate: Option<Option<DecimalInput>>,
    #[serde(default, deserialize_with = "shared::http::body::present")]
    pub term_months: Option<Option<u32>>,
}

/// Resolves a required field from the input or, failing that, `current`.
fn required<T>(
    errors: &mut Vec<FieldError>,
    field: &str,
    input: Option<Option<T>>,
    current: Option<T>,
) -> Option<T> {
    match input {
        Some(Some(value)) => Some(value),
        Some(None) => {
            errors.push(FieldError::body(field, "must not be null"));
            None
        }
        None => {
            if current.is_none() {
                errors.push(FieldError::body(field, "is required"));
            }
            current
        }
    }
}

/// Validates terms given field by field, each falling back to `current` when absent.
fn resolve_terms(
    amount: Option<Option<DecimalInput>>,
    currency: Option<Option<String>>,
    rate: Option<Option<DecimalInput>>,
    term: Option<Option<u32>>,
    current: Option<&Loan>,
) -> Result<LoanTerms, Vec<FieldError>> {
    let mut errors = Vec::new();
    let currency = match currency {
        Some(Some(code)) => Currency::parse(&code)
            .map_err(|e| errors.push(FieldError::body("currency", e)))
            .ok(),
        Some(None) => {
            errors.push(FieldError::body("currency", "must not be null"));
            None
        }
        None => Some(current.map_or_else(Currency::mxn, |loan| loan.currency)),
    };
    let amount = required(
        &mut errors,
        "amount",
        amount.map(|a| a.map(|d| d.0)),
        current.map(|l| l.amount),
    );
    let rate = required(
        &mut errors,
        "annual_interest_rate",
        rate.map(|r| r.map(|d| d.0)),
        current.map(|l| l.annual_interest_rate),
    );
    let term = required(
        &mut errors,
        "term_months",
        term,
        current.map(|l| l.term_months),
    );
    let (Some(currency), Some(amount), Some(rate), Some(term)) = (currency, amount, rate, term)
    else {
        return Err(errors);
    };
    let terms = LoanTerms::parse(amount, currency, rate, term).map_err(|failures| {
        failures
            .into_iter()
            .map(|(field, detail)| FieldError::body(field, detail))
            .collect::<Vec<_>>()
    });
    match terms {
        Ok(terms) if errors.is_empty() => Ok(terms),
        Ok(_) => Err(errors),
        Err(more) => {
            errors.extend(more);
            Err(errors)
        }
    }
}

impl LoanInput {
    /// Whether any term (or the purpose) is being set.
    pub fn touches_terms(&self) -> bool {
        self.amount.is_some()
            || self.currency.is_some()
            || self.annual_interest_rate.is_some()
            || self.term_months.is_some()
            || self.purpose.is_some()
    }

    /// The fields a customer may not set, as errors (a customer may only change `status`).
    pub fn customer_violations(&self) -> Vec<FieldError> {
        [
            ("amount", self.amount.is_some()),
            ("currency", self.currency.is_some()),
            ("annual_interest_rate", self.annual_interest_rate.is_some()),
            ("term_months", self.term_months.is_some()),
            ("purpose", self.purpose.is_some()),
        ]
        .into_iter()
        .filter(|(_, given)| *given)
        .map(|(field, _)| FieldError::body(field, "a customer may only change the status"))
        .collect()
    }

    /// Validates the terms and purpose: from the input alone (`current` is `None`, for
    /// `POST` and `PUT`) or merged over the current loan (`PATCH`).
    pub fn resolve(self, current: Option<&Loan>) -> Result<(LoanTerms, Option<Purpose>), ApiError> {
        let mut errors = Vec::new();
        let purpose = match self.purpose {
            Some(Some(text)) => Purpose::parse(&text)
                .map_err(|e| errors.push(FieldError::body("purpose", e)))
                .ok()
                .flatten(),
            Some(None) => None,
            None => current.and_then(|loan| loan.purpose.clone()),
        };
        let terms = resolve_terms(
            self.amount,
            self.currency,
            self.annual_interest_rate,
            self.term_months,
            current,
        )
        .map_err(|e| errors.extend(e))
        .ok();
        match terms {
            Some(terms) if errors.is_empty() => Ok((terms, purpose)),
            _ => Err(ApiError::Validation(errors)),
        }
    }

    /// Refuses a `status` in a body that may not carry one.
    pub fn forbid_status(&self, why: &str) -> Result<(), ApiError> {
        match self.status {
            Some(_) => Err(ApiError::invalid("status", why)),
            None => Ok(()),
        }
    }
}

impl QuoteInput {
    pub fn resolve(self) -> Result<LoanTerms, ApiError> {
        resolve_terms(
            self.amount,
            self.currency,
            self.annual_interest_rate,
            self.term_months,
            None,
        )
        .map_err(ApiError::Validation)
    }
}

/// A decimal query parameter (`min_amount=1000.50`), read exactly.
pub fn parse_decimal(raw: &str) -> Result<Decimal, String> {
    DecimalInput::from_json_text(raw)
        .map(|d| d.0)
        .map_err(|_| "must be a decimal number".into())
}
