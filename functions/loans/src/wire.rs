//! The JSON a caller sends to apply for, change or quote a loan, and its conversion into
//! validated [`LoanTerms`].
//!
//! Fields distinguish "absent" from `null` (see `shared::http::body::present`): absent
//! keeps the current value on `PATCH`; `null` clears the optional `purpose`.

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use shared::domain::loan::{Loan, Purpose};
use shared::domain::money::{Currency, DecimalInput};
use shared::domain::schedule::LoanTerms;
use shared::{ApiError, FieldError};

/// A loan application or change (`POST /clients/{client_id}/loans`, `PUT` and `PATCH
/// /loans/{loan_id}`), unchecked.
///
/// Every field is `None` when absent, `Some(None)` for an explicit `null` and
/// `Some(Some(value))` otherwise; [`LoanInput::resolve`] applies the rules of
/// [`LoanTerms::parse`] and [`Purpose::parse`].
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LoanInput {
    /// Required; the principal, a JSON string or number read exactly.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    pub amount: Option<Option<DecimalInput>>,
    /// ISO 4217 code; when absent, MXN for a new loan and the current one on a change.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    pub currency: Option<Option<String>>,
    /// Required; nominal annual percentage, read exactly.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    pub annual_interest_rate: Option<Option<DecimalInput>>,
    /// Required; the number of monthly installments.
    #[serde(default, deserialize_with = "whole_number")]
    pub term_months: Option<Option<u32>>,
    /// Optional free text; `null` or blank clears it.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    pub purpose: Option<Option<String>>,
    /// The status to move to, as its wire name. Only `PATCH` may carry a status change.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    pub status: Option<Option<String>>,
}

/// `POST /quotes`: terms only, with the same rules and absent/`null` encoding as
/// [`LoanInput`].
#[derive(Debug, Clone, Deserialize)]
pub struct QuoteInput {
    /// Required; the principal, read exactly.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    pub amount: Option<Option<DecimalInput>>,
    /// ISO 4217 code; MXN when absent.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    pub currency: Option<Option<String>>,
    /// Required; nominal annual percentage, read exactly.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    pub annual_interest_rate: Option<Option<DecimalInput>>,
    /// Required; the number of monthly installments.
    #[serde(default, deserialize_with = "whole_number")]
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
    /// Validates the terms; every invalid field is reported in one `422`.
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

/// Like `shared::http::body::present`, for a whole number (`term_months`): absent, `null`,
/// or a JSON number without a fractional part. `12.0` and `1.2e1` are the number `12`, as
/// JSON (and JSON Schema's `integer`) has it; a string, a fraction or a negative number is
/// refused.
fn whole_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<u32>>, D::Error> {
    let Some(raw) = Option::<Box<RawValue>>::deserialize(deserializer)? else {
        return Ok(Some(None));
    };
    let text = raw.get().trim();
    let invalid = || D::Error::custom("must be a whole number");
    if !text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        return Err(invalid());
    }
    let number = DecimalInput::from_json_text(text).map_err(|_| invalid())?.0;
    if !number.fract().is_zero() {
        return Err(invalid());
    }
    u32::try_from(number)
        .map(Some)
        .map(Some)
        .map_err(|_| invalid())
}

/// The longest decimal query parameter: any such string of digits fits a `Decimal`.
pub const MAX_DECIMAL_PARAMETER_CHARS: usize = 28;

/// A decimal query parameter (`min_amount=1000.50`), read exactly: digits, optionally a
/// point and more digits, at most [`MAX_DECIMAL_PARAMETER_CHARS`] characters. No sign, no
/// exponent, no quotes: a query string is not JSON.
pub fn parse_decimal(raw: &str) -> Result<Decimal, String> {
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, "0"));
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if raw.len() > MAX_DECIMAL_PARAMETER_CHARS || !digits(whole) || !digits(fraction) {
        return Err("must be a plain decimal number".into());
    }
    Decimal::from_str_exact(raw).map_err(|_| "must be a plain decimal number".into())
}
