//! The JSON a caller sends to apply for, change or quote a loan, and its conversion into
//! what the domain takes: a [`LoanChange`], or validated [`LoanTerms`].
//!
//! Fields distinguish "absent" from `null` (see `shared::http::body::present`): absent
//! keeps the current value on `PATCH`; `null` clears the optional `purpose`.

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use shared::domain::ledger::Reason;
use shared::domain::loan::Purpose;
use shared::domain::loan_change::LoanChange;
use shared::domain::loan_status::LoanStatus;
use shared::domain::money::{Currency, DecimalInput, json_number};
use shared::domain::schedule::LoanTerms;
use shared::{ApiError, FieldError};

#[cfg(feature = "openapi")]
use shared::openapi::loan as doc;

/// A loan application or change (`POST /clients/{client_id}/loans`, `PUT` and `PATCH
/// /loans/{loan_id}`), unchecked.
///
/// Every field is `None` when absent, `Some(None)` for an explicit `null` and
/// `Some(Some(value))` otherwise; it converts into a [`LoanChange`], which the domain
/// applies.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(
        description = "The terms of a loan, for `POST /clients/{client_id}/loans` (a new \
        loan is always `pending`) and `PUT /loans/{loan_id}` (only while `pending`; a left-out \
        `currency` is `MXN` and a left-out `purpose` is cleared). An application through a \
        product sends `product_id`, `amount`, `term_months` and `purpose`: the currency and \
        rate come from the product (sending them is `422`), and a customer must apply this \
        way. An admin may instead book a bespoke loan with `annual_interest_rate` (and \
        `currency`). `status` is not accepted here, nor `product_id` on `PUT`."
    )
)]
pub struct LoanInput {
    /// The product to apply through (applications only).
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::product_id_sent))]
    pub product_id: Option<Option<String>>,
    /// Required; the principal, a decimal string read exactly.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::amount_sent, required = true))]
    pub amount: Option<Option<DecimalInput>>,
    /// ISO 4217 code; when absent, MXN for a new loan and the current one on a change.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::currency_sent))]
    pub currency: Option<Option<String>>,
    /// Nominal annual percentage, read exactly; required for a bespoke loan, refused with
    /// a product.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::rate_sent))]
    pub annual_interest_rate: Option<Option<DecimalInput>>,
    /// Required; the number of monthly installments.
    #[serde(default, deserialize_with = "whole_number")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::term_months, required = true))]
    pub term_months: Option<Option<u32>>,
    /// Optional free text; `null` or blank clears it.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::purpose_sent))]
    pub purpose: Option<Option<String>>,
    /// The status to move to, as its wire name. Only `PATCH` may carry a status change.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub status: Option<Option<String>>,
    /// With `status: active` only: the disbursement's value date, `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub disbursed_on: Option<Option<String>>,
    /// With `status: written_off` only (and required there): why.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub reason: Option<Option<String>>,
}

/// A date as the API writes it, `YYYY-MM-DD`, exactly.
pub fn parse_date(text: &str) -> Result<chrono::NaiveDate, String> {
    const EXPECTED: &str = "must be a date written YYYY-MM-DD";
    if text.len() != 10 {
        return Err(EXPECTED.into());
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| EXPECTED.into())
}

/// `POST /quotes`: terms only, with the same rules and absent/`null` encoding as
/// [`LoanInput`].
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(description = "Terms to preview a schedule for; nothing is stored.")
)]
pub struct QuoteInput {
    /// Required; the principal, read exactly.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::amount_sent, required = true))]
    pub amount: Option<Option<DecimalInput>>,
    /// ISO 4217 code; MXN when absent.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::currency_sent))]
    pub currency: Option<Option<String>>,
    /// Required; nominal annual percentage, read exactly.
    #[serde(default, deserialize_with = "shared::http::body::present")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::rate_sent, required = true))]
    pub annual_interest_rate: Option<Option<DecimalInput>>,
    /// Required; the number of monthly installments.
    #[serde(default, deserialize_with = "whole_number")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::term_months, required = true))]
    pub term_months: Option<Option<u32>>,
}

/// A field that may be absent but not `null`.
fn not_null<T>(errors: &mut Vec<FieldError>, field: &str, input: Option<Option<T>>) -> Option<T> {
    match input {
        Some(Some(value)) => Some(value),
        Some(None) => {
            errors.push(FieldError::body(field, "must not be null"));
            None
        }
        None => None,
    }
}

/// Checks the form of each term given (a currency code, no `null` where a value is
/// required, a purpose's rules) and collects every failure.
fn terms_change(
    errors: &mut Vec<FieldError>,
    amount: Option<Option<DecimalInput>>,
    currency: Option<Option<String>>,
    rate: Option<Option<DecimalInput>>,
    term: Option<Option<u32>>,
) -> LoanChange {
    let currency = not_null(errors, "currency", currency).and_then(|code| {
        Currency::parse(&code)
            .map_err(|e| errors.push(FieldError::body("currency", e)))
            .ok()
    });
    LoanChange {
        amount: not_null(errors, "amount", amount).map(|d| d.0),
        currency,
        annual_interest_rate: not_null(errors, "annual_interest_rate", rate).map(|d| d.0),
        term_months: not_null(errors, "term_months", term),
        ..LoanChange::default()
    }
}

impl TryFrom<LoanInput> for LoanChange {
    type Error = ApiError;

    /// What the input asks for, each field checked for its form; whether the change is
    /// allowed, and what it makes of the loan, is the domain's [`Loan::change`](shared::domain::loan::Loan::change).
    fn try_from(input: LoanInput) -> Result<Self, ApiError> {
        let mut errors = Vec::new();
        let mut change = terms_change(
            &mut errors,
            input.amount,
            input.currency,
            input.annual_interest_rate,
            input.term_months,
        );
        change.purpose = match input.purpose {
            Some(Some(text)) => Purpose::parse(&text)
                .map_err(|e| errors.push(FieldError::body("purpose", e)))
                .ok(),
            Some(None) => Some(None),
            None => None,
        };
        if input.product_id.is_some() {
            errors.push(FieldError::body(
                "product_id",
                "is chosen when applying and cannot change",
            ));
        }
        change.status = not_null(&mut errors, "status", input.status).and_then(|text| {
            LoanStatus::parse(&text)
                .map_err(|e| errors.push(FieldError::body("status", e)))
                .ok()
        });
        change.disbursed_on =
            not_null(&mut errors, "disbursed_on", input.disbursed_on).and_then(|text| {
                parse_date(&text)
                    .map_err(|e| errors.push(FieldError::body("disbursed_on", e)))
                    .ok()
            });
        change.reason = not_null(&mut errors, "reason", input.reason).and_then(|text| {
            Reason::parse(&text)
                .map_err(|e| errors.push(FieldError::body("reason", e)))
                .ok()
        });
        if errors.is_empty() {
            Ok(change)
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

impl LoanInput {
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
        let mut errors = Vec::new();
        let change = terms_change(
            &mut errors,
            self.amount,
            self.currency,
            self.annual_interest_rate,
            self.term_months,
        );
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(change.new_terms()?.0)
    }
}

/// Like `shared::http::body::present`, for a whole number (`term_months`): absent, `null`,
/// or a JSON number without a fractional part. `12.0` and `1.2e1` are the number `12`, as
/// JSON (and JSON Schema's `integer`) has it; a string, a fraction or a negative number is
/// refused.
pub(crate) fn whole_number<'de, D: Deserializer<'de>>(
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
    let number = json_number(text).ok_or_else(invalid)?;
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
