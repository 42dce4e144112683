//! The loan: terms, figures derived from them, and where it stands in its lifecycle.
//!
//! Every money figure is a `Decimal` held at exactly the currency's minor units, so its
//! text (`"10000.00"`, JPY `"500000"`) is both the API's and the store's representation.
//! The figures come from [`schedule::build`], so a loan and its schedule always agree.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::fields;
use super::ids::{ClientId, LoanId, ProductId};
use super::loan_status::{LoanStatus, TransitionError};
use super::money::{Currency, decimal_as_string, decimal_from_string};
use super::schedule::{self, LoanTerms, Schedule, ScheduleError};
use super::time::Timestamp;
#[cfg(feature = "openapi")]
use crate::openapi::loan as doc;

/// What the money is for: trimmed, at most 200 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Purpose(String);

impl Purpose {
    /// Longest purpose accepted, in characters, after trimming.
    pub const MAX_CHARS: usize = 200;

    /// `Ok(None)` for a blank purpose, which is the same as none.
    pub fn parse(input: &str) -> Result<Option<Self>, String> {
        let trimmed = input.trim();
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        if trimmed
            .chars()
            .all(|c| c.is_whitespace() || fields::is_invisible(c))
        {
            return Ok(None);
        }
        fields::check_text(trimmed)?;
        Ok(Some(Self(trimmed.to_owned())))
    }
}

impl TryFrom<String> for Purpose {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)?.ok_or_else(|| "must not be blank".to_owned())
    }
}

impl From<Purpose> for String {
    fn from(value: Purpose) -> String {
        value.0
    }
}

/// A loan as stored and as the API shows it.
///
/// Money fields (`amount`, `monthly_payment`, `total_interest`, `total_payable`) are in
/// `currency` and serialize as strings with exactly its minor units. The `*_at` stamps are
/// `None` until the loan reaches that status. Every field is the loan's own: it changes
/// only through [`Loan::change`] (see `loan_change`), which bumps the version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(description = crate::openapi::loan::LOAN)
)]
pub struct Loan {
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::loan_id))]
    id: LoanId,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::client_id))]
    client_id: ClientId,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::product_id, required = true))]
    product_id: Option<ProductId>,
    status: LoanStatus,
    #[serde(
        serialize_with = "decimal_as_string",
        deserialize_with = "decimal_from_string"
    )]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::amount))]
    amount: Decimal,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::currency_held))]
    currency: Currency,
    #[serde(
        serialize_with = "decimal_as_string",
        deserialize_with = "decimal_from_string"
    )]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::rate))]
    annual_interest_rate: Decimal,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::term_months))]
    term_months: u32,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::purpose_held, required = true))]
    purpose: Option<Purpose>,
    #[serde(
        serialize_with = "decimal_as_string",
        deserialize_with = "decimal_from_string"
    )]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::monthly_payment))]
    monthly_payment: Decimal,
    #[serde(
        serialize_with = "decimal_as_string",
        deserialize_with = "decimal_from_string"
    )]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::total_interest))]
    total_interest: Decimal,
    #[serde(
        serialize_with = "decimal_as_string",
        deserialize_with = "decimal_from_string"
    )]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::total_payable))]
    total_payable: Decimal,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::created_at))]
    created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::updated_at))]
    updated_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::common::version))]
    version: u64,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::approved_at, required = true))]
    approved_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::rejected_at, required = true))]
    rejected_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::disbursed_at, required = true))]
    disbursed_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::paid_at, required = true))]
    paid_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::cancelled_at, required = true))]
    cancelled_at: Option<Timestamp>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::written_off_at, required = true))]
    written_off_at: Option<Timestamp>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::disbursed_on, required = true))]
    disbursed_on: Option<NaiveDate>,
}

/// `amount` at exactly the currency's minor units.
fn at_minor_units(amount: Decimal, currency: Currency) -> Decimal {
    currency.exact(amount)
}

impl Loan {
    /// A new application `id` (normally `LoanId::new_at(now)`): `pending`, version 1,
    /// figures computed from `terms`.
    pub fn apply(
        id: LoanId,
        client_id: &ClientId,
        terms: &LoanTerms,
        purpose: Option<Purpose>,
        now: Timestamp,
    ) -> Result<Self, ScheduleError> {
        let mut loan = Self {
            id,
            client_id: client_id.clone(),
            product_id: None,
            status: LoanStatus::Pending,
            amount: Decimal::ZERO,
            currency: terms.currency(),
            annual_interest_rate: Decimal::ZERO,
            term_months: 0,
            purpose,
            monthly_payment: Decimal::ZERO,
            total_interest: Decimal::ZERO,
            total_payable: Decimal::ZERO,
            created_at: now,
            updated_at: now,
            version: 1,
            approved_at: None,
            rejected_at: None,
            disbursed_at: None,
            paid_at: None,
            cancelled_at: None,
            written_off_at: None,
            disbursed_on: None,
        };
        loan.set_terms(terms)?;
        Ok(loan)
    }

    fn set_terms(&mut self, terms: &LoanTerms) -> Result<(), ScheduleError> {
        let summary = schedule::summary(terms)?;
        let currency = terms.currency();
        self.currency = currency;
        self.amount = at_minor_units(terms.amount(), currency);
        self.annual_interest_rate = terms.annual_rate();
        self.term_months = terms.term_months();
        self.monthly_payment = at_minor_units(summary.monthly_payment, currency);
        self.total_interest = at_minor_units(summary.total_interest, currency);
        self.total_payable = at_minor_units(summary.total_payable, currency);
        Ok(())
    }

    /// A ULID chosen by the server at application, whose time part is `created_at`.
    pub fn id(&self) -> &LoanId {
        &self.id
    }

    /// The borrowing client; never changes.
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// The same new application, made through `product` (whose currency and rate its
    /// terms carry).
    pub fn through(mut self, product: &ProductId) -> Self {
        self.product_id = Some(product.clone());
        self
    }

    /// The product the loan was applied for through, or `None` for a bespoke loan.
    pub fn product_id(&self) -> Option<&ProductId> {
        self.product_id.as_ref()
    }

    /// Where the loan is in its lifecycle.
    pub fn status(&self) -> LoanStatus {
        self.status
    }

    /// The principal lent.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency of every money field.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The nominal annual rate in percent (`12.5` is 12.5 % a year), without trailing
    /// zeros.
    pub fn annual_interest_rate(&self) -> Decimal {
        self.annual_interest_rate
    }

    /// The number of monthly installments.
    pub fn term_months(&self) -> u32 {
        self.term_months
    }

    /// What the money is for, as the caller described it.
    pub fn purpose(&self) -> Option<&Purpose> {
        self.purpose.as_ref()
    }

    /// The regular installment (the last one may differ by the rounding left over).
    pub fn monthly_payment(&self) -> Decimal {
        self.monthly_payment
    }

    /// Interest over the whole schedule.
    pub fn total_interest(&self) -> Decimal {
        self.total_interest
    }

    /// `amount` plus `total_interest`: the sum of all installments.
    pub fn total_payable(&self) -> Decimal {
        self.total_payable
    }

    /// When the loan was applied for; never changes.
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }

    /// When the loan last changed.
    pub fn updated_at(&self) -> Timestamp {
        self.updated_at
    }

    /// Starts at 1 and grows by one on every change; the `ETag` and the condition of every
    /// write.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// When the loan became `active` (the money was paid out); the schedule's due dates
    /// count from this date.
    pub fn disbursed_at(&self) -> Option<Timestamp> {
        self.disbursed_at
    }

    /// The value date of the disbursement: the schedule's due dates count from it.
    pub fn disbursed_on(&self) -> Option<NaiveDate> {
        self.disbursed_on.or_else(|| {
            self.disbursed_at
                .map(|disbursed| disbursed.as_datetime().date_naive())
        })
    }

    /// When the loan was paid off, if it is `paid`.
    pub fn paid_at(&self) -> Option<Timestamp> {
        self.paid_at
    }

    /// The stored terms, validated again.
    pub fn terms(&self) -> Result<LoanTerms, ScheduleError> {
        LoanTerms::parse(
            self.amount,
            self.currency,
            self.annual_interest_rate,
            self.term_months,
        )
        .map_err(|_| ScheduleError::Unrepresentable)
    }

    /// Sets the version a change produced (one more than the loan it changed, however many
    /// steps the change took).
    pub(super) fn set_version(&mut self, version: u64) {
        self.version = version;
    }

    /// The next version of this loan, stamped `now`.
    fn next(&self, now: Timestamp) -> Self {
        let mut next = self.clone();
        next.version += 1;
        next.updated_at = now;
        next
    }

    /// The same loan with new terms and purpose, as a new version. Only
    /// [`Loan::change`] decides whether terms may change.
    pub(super) fn with_terms(
        &self,
        terms: &LoanTerms,
        purpose: Option<Purpose>,
        now: Timestamp,
    ) -> Result<Self, ScheduleError> {
        let mut next = self.next(now);
        next.set_terms(terms)?;
        next.purpose = purpose;
        Ok(next)
    }

    /// The same loan moved to `to`, with the timestamp of that status set to `now`, as a
    /// new version.
    pub fn with_status(&self, to: LoanStatus, now: Timestamp) -> Result<Self, TransitionError> {
        let status = self.status.transition(to)?;
        let mut next = self.next(now);
        next.status = status;
        let stamp = Some(now);
        match status {
            LoanStatus::Approved => next.approved_at = stamp,
            LoanStatus::Rejected => next.rejected_at = stamp,
            LoanStatus::Active => {
                next.disbursed_at = stamp;
                next.disbursed_on = Some(now.as_datetime().date_naive());
            }
            LoanStatus::Paid => next.paid_at = stamp,
            LoanStatus::Cancelled => next.cancelled_at = stamp,
            LoanStatus::WrittenOff => next.written_off_at = stamp,
            LoanStatus::Pending => {}
        }
        Ok(next)
    }

    /// The same loan disbursed with value date `on` (see [`Loan::with_status`]).
    pub(super) fn set_disbursed_on(&mut self, on: NaiveDate) {
        self.disbursed_on = Some(on);
    }

    /// The loan after a posting to its ledger, as a new version stamped `now`: `paid`
    /// (with `paid_at`) when the ledger's replay closed it, and back to `active` when a
    /// `paid` loan's replay no longer does (a reversal reopened it).
    pub fn after_posting(&self, closed: bool, now: Timestamp) -> Self {
        let mut next = self.next(now);
        match (self.status, closed) {
            (LoanStatus::Active, true) => {
                next.status = LoanStatus::Paid;
                next.paid_at = Some(now);
            }
            (LoanStatus::Paid, false) => {
                next.status = LoanStatus::Active;
                next.paid_at = None;
            }
            _ => {}
        }
        next
    }

    /// The amortization schedule: due dates run monthly from the disbursement date once
    /// the money is out, and from `today` for a loan not yet disbursed.
    pub fn schedule(&self, today: NaiveDate) -> Result<Schedule, ScheduleError> {
        schedule::build(&self.terms()?, self.disbursed_on().unwrap_or(today))
    }

    /// The API path of this loan.
    pub fn location(&self) -> String {
        format!("/loans/{}", self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn client() -> ClientId {
        ClientId::new_at(Timestamp::now())
    }

    fn terms(amount: Decimal, code: &str, rate: Decimal, months: u32) -> LoanTerms {
        LoanTerms::parse(amount, Currency::parse(code).unwrap(), rate, months).unwrap()
    }

    #[test]
    fn a_new_loan_is_pending_with_figures_at_minor_units() {
        let loan = Loan::apply(
            LoanId::new_at(Timestamp::now()),
            &client(),
            &terms(dec!(10000), "MXN", dec!(12), 12),
            None,
            Timestamp::now(),
        )
        .unwrap();
        let json = serde_json::to_value(&loan).unwrap();
        assert_eq!(json["status"], "pending");
        assert_eq!(json["amount"], "10000.00");
        assert_eq!(json["monthly_payment"], "888.49");
        assert_eq!(json["total_interest"], "661.86");
        assert_eq!(json["total_payable"], "10661.86");
        assert_eq!(json["approved_at"], serde_json::Value::Null);
        let back: Loan = serde_json::from_value(json).unwrap();
        assert_eq!(back, loan, "the stored form reads back unchanged");
    }

    #[test]
    fn figures_follow_the_currency() {
        let loan = Loan::apply(
            LoanId::new_at(Timestamp::now()),
            &client(),
            &terms(dec!(100000), "JPY", dec!(10), 6),
            None,
            Timestamp::now(),
        )
        .unwrap();
        let json = serde_json::to_value(&loan).unwrap();
        assert_eq!(json["amount"], "100000");
        assert_eq!(json["monthly_payment"], "17156");
    }

    #[test]
    fn each_status_reached_gets_its_timestamp() {
        let now = Timestamp::now();
        let loan = Loan::apply(
            LoanId::new_at(now),
            &client(),
            &terms(dec!(5000), "MXN", dec!(10), 6),
            None,
            now,
        )
        .unwrap();
        let approved = loan.with_status(LoanStatus::Approved, now).unwrap();
        let active = approved.with_status(LoanStatus::Active, now).unwrap();
        assert_eq!((approved.approved_at, approved.version), (Some(now), 2));
        assert_eq!((active.disbursed_at, active.version), (Some(now), 3));
        assert!(active.with_status(LoanStatus::Approved, now).is_err());
    }

    #[test]
    fn the_schedule_of_an_active_loan_starts_at_disbursement() {
        let disbursed = Timestamp::from(
            chrono::DateTime::parse_from_rfc3339("2026-01-31T12:00:00Z")
                .unwrap()
                .to_utc(),
        );
        let mut loan = Loan::apply(
            LoanId::new_at(disbursed),
            &client(),
            &terms(dec!(1000), "MXN", dec!(0), 3),
            None,
            disbursed,
        )
        .unwrap();
        loan.disbursed_at = Some(disbursed);
        let schedule = loan
            .schedule(NaiveDate::from_ymd_opt(2026, 6, 1).unwrap())
            .unwrap();
        assert_eq!(
            schedule.installments[0].due_date,
            NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()
        );
    }

    #[test]
    fn purposes_are_trimmed_bounded_and_blank_means_none() {
        assert_eq!(
            Purpose::parse("  car  ").unwrap(),
            Some(Purpose("car".into()))
        );
        assert_eq!(Purpose::parse("   ").unwrap(), None);
        assert!(Purpose::parse(&"x".repeat(201)).is_err());
        assert!(Purpose::parse("a\u{7}b").is_err());
    }
}
