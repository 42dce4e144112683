//! French amortization: validated loan terms and the schedule of equal monthly
//! installments they produce, exactly as the API contract defines it (monthly rate =
//! annual / 12 / 100, interest on the declining balance rounded half-to-even to the
//! currency's minor unit, the last installment settling whatever is left). All figures are
//! `Decimal`, every operation is checked, and the loan's stored `monthly_payment`,
//! `total_interest` and `total_payable` come from the same computation as the schedule.
//!
//! **The installment rule.** The installment is the smallest amount, in whole minor
//! units, for which the last installment is no larger than the others. Plain rounding of
//! the annuity can leave a last installment above the advertised one (a balloon: 100,000
//! at 48 % over 360 months rounds to 4,000.00 a month, which never repays a cent of
//! principal, so the last installment would be the whole 100,000 and more); the rule never
//! does. Terms for which even that installment would repay the loan before its last month
//! (near interest-only terms, or an amount too small for its term) have no schedule:
//! [`ScheduleError::RepaysEarly`]. So every schedule has positive installments and
//! principals, a balance above zero until the last installment and zero after it. The
//! [`proof`] module bounds the installment and gives a condition under which a whole range
//! of amounts is sure to be schedulable, which loan products rely on.

use chrono::{Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Serialize, Serializer};

use super::money::Currency;
#[cfg(feature = "openapi")]
use crate::openapi::schedule as doc;

/// The amount, currency, nominal annual rate and term of a loan, valid by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoanTerms {
    amount: Decimal,
    currency: Currency,
    annual_rate: Decimal,
    term_months: u32,
}

impl LoanTerms {
    /// The largest amount lent, in units of the loan's own currency.
    pub const MAX_AMOUNT: Decimal = Decimal::from_parts(10_000_000, 0, 0, false, 0);
    /// The highest nominal annual rate, in percent.
    pub const MAX_ANNUAL_RATE: Decimal = Decimal::ONE_HUNDRED;
    /// Decimal places allowed in the annual rate.
    pub const RATE_DECIMALS: u32 = 4;
    /// The longest term, in months (30 years).
    pub const MAX_TERM_MONTHS: u32 = 360;

    /// Checks every rule and reports each invalid field once, as `(field, message)`, with
    /// the field named as in the API body (`amount`, `annual_interest_rate`, `term_months`).
    pub fn parse(
        amount: Decimal,
        currency: Currency,
        annual_rate: Decimal,
        term_months: u32,
    ) -> Result<Self, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        if let Err(message) = check_amount(amount, currency) {
            errors.push(("amount", message));
        }
        if let Err(message) = Self::check_rate(annual_rate) {
            errors.push(("annual_interest_rate", message));
        }
        if let Err(message) = Self::check_term(term_months) {
            errors.push(("term_months", message));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // One canonical form however the rate was written: "12.50" and "12.5" are one rate,
        // and a `-0` must never be stored or echoed with its sign.
        let annual_rate = annual_rate.normalize();
        Ok(Self {
            amount,
            currency,
            annual_rate,
            term_months,
        })
    }

    /// Checks a nominal annual rate: 0 to [`Self::MAX_ANNUAL_RATE`], at most
    /// [`Self::RATE_DECIMALS`] decimals; the error is a message for the caller.
    pub fn check_rate(annual_rate: Decimal) -> Result<(), String> {
        if annual_rate < Decimal::ZERO || annual_rate > Self::MAX_ANNUAL_RATE {
            return Err(format!("must be between 0 and {}", Self::MAX_ANNUAL_RATE));
        }
        if annual_rate.normalize().scale() > Self::RATE_DECIMALS {
            return Err(format!(
                "must have at most {} decimal places",
                Self::RATE_DECIMALS
            ));
        }
        Ok(())
    }

    /// Checks a term: 1 to [`Self::MAX_TERM_MONTHS`] months.
    pub fn check_term(term_months: u32) -> Result<(), String> {
        if !(1..=Self::MAX_TERM_MONTHS).contains(&term_months) {
            return Err(format!("must be between 1 and {}", Self::MAX_TERM_MONTHS));
        }
        Ok(())
    }

    /// The principal lent, in the loan's currency.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency of the amount and of every figure in the schedule.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The nominal annual rate in percent (`12.5` means 12.5 % a year), without trailing
    /// zeros.
    pub fn annual_rate(&self) -> Decimal {
        self.annual_rate
    }

    /// The number of monthly installments.
    pub fn term_months(&self) -> u32 {
        self.term_months
    }
}

/// Checks an amount lent: above 0, at most [`LoanTerms::MAX_AMOUNT`], in whole minor
/// units of `currency`; the error is a message for the caller.
pub fn check_amount(amount: Decimal, currency: Currency) -> Result<(), String> {
    if amount <= Decimal::ZERO {
        return Err("must be greater than 0".into());
    }
    if amount > LoanTerms::MAX_AMOUNT {
        return Err(format!(
            "must be at most {} {currency}",
            LoanTerms::MAX_AMOUNT
        ));
    }
    currency.check_scale(amount)
}

/// One monthly installment; `balance` is what is still owed after paying it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installment {
    /// 1 for the first installment.
    pub number: u32,
    /// `number` calendar months after the start (clamped to the month's last day).
    pub due_date: NaiveDate,
    /// What is paid: `principal` + `interest`.
    pub payment: Decimal,
    /// The part of the payment that reduces the balance.
    pub principal: Decimal,
    /// The month's interest on the balance before this payment, rounded half-to-even.
    pub interest: Decimal,
    /// Still owed after this payment; zero after the last.
    pub balance: Decimal,
}

/// A full amortization schedule. Serializes money as strings with exactly the currency's
/// minor units (`"888.49"`, `"17156"` for JPY, `"1269.592"` for KWD).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// The currency of every figure.
    pub currency: Currency,
    /// The regular installment: every one but the last is exactly this much.
    pub monthly_payment: Decimal,
    /// The sum of every installment's interest.
    pub total_interest: Decimal,
    /// The amount plus all interest, which is also the sum of all payments.
    pub total_payable: Decimal,
    /// One per month of the term, in order.
    pub installments: Vec<Installment>,
}

/// The three figures a loan stores; always equal to its schedule's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// See [`Schedule::monthly_payment`].
    pub monthly_payment: Decimal,
    /// See [`Schedule::total_interest`].
    pub total_interest: Decimal,
    /// See [`Schedule::total_payable`].
    pub total_payable: Decimal,
}

impl Schedule {
    /// The three figures the loan stores.
    pub fn summary(&self) -> Summary {
        Summary {
            monthly_payment: self.monthly_payment,
            total_interest: self.total_interest,
            total_payable: self.total_payable,
        }
    }
}

/// Why a schedule could not be produced from otherwise valid terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// Even the smallest installment whose last installment is no larger than the others
    /// would repay the loan before its last month: the term is too long for the rate (the
    /// installment is almost all interest) or for the amount.
    #[error(
        "even the smallest installment that repays the loan by its last month would repay it \
         before then; shorten the term or lower the rate"
    )]
    RepaysEarly,
    /// A figure overflowed `Decimal`'s 28 significant digits, or stored terms no longer
    /// pass validation.
    #[error("the schedule's figures cannot be represented exactly")]
    Unrepresentable,
    /// A due date lies beyond what `chrono` can represent.
    #[error("a due date falls outside the supported calendar")]
    DueDateOutOfRange,
}

/// Builds the schedule of a loan that starts (is disbursed) on `start`.
///
/// Installment `k` is due `k` calendar months after `start`, counted from `start` each
/// time so days never drift; a day the month lacks becomes its last day (a loan started
/// on 31 January is due on 28 or 29 February, then 31 March, then 30 April).
///
/// The regular installment follows the installment rule of the module's documentation.
pub fn build(terms: &LoanTerms, start: NaiveDate) -> Result<Schedule, ScheduleError> {
    let payment = installment(terms)?;
    let installments = amortize(terms, start, payment)?;
    let valid = installments
        .iter()
        .all(|i| i.payment > Decimal::ZERO && i.principal > Decimal::ZERO && i.payment <= payment)
        && installments[..installments.len().saturating_sub(1)]
            .iter()
            .all(|i| i.balance > Decimal::ZERO);
    if !valid {
        return Err(ScheduleError::RepaysEarly);
    }
    let total_interest = installments
        .iter()
        .try_fold(Decimal::ZERO, |sum, i| sum.checked_add(i.interest));
    let Some(total_interest) = total_interest else {
        return Err(ScheduleError::Unrepresentable);
    };
    Ok(Schedule {
        currency: terms.currency,
        monthly_payment: payment,
        total_interest,
        total_payable: checked(terms.amount.checked_add(total_interest))?,
        installments,
    })
}

/// The figures a loan stores. They do not depend on the due dates, so any start will do.
pub fn summary(terms: &LoanTerms) -> Result<Summary, ScheduleError> {
    build(terms, NaiveDate::default()).map(|schedule| schedule.summary())
}

fn checked(value: Option<Decimal>) -> Result<Decimal, ScheduleError> {
    value.ok_or(ScheduleError::Unrepresentable)
}

/// The smallest installment, in whole minor units, whose last installment is no larger.
///
/// What the last installment comes to falls as the installment grows (a larger payment
/// leaves a smaller balance every month, and a month's rounded interest never falls when
/// its balance grows), so the rule's installment is the first one that passes. It lies
/// within half a unit of the exact annuity on either side ([`proof`]), so at most a few
/// candidates around the annuity are tried, each one run through the whole term.
fn installment(terms: &LoanTerms) -> Result<Decimal, ScheduleError> {
    let unit = Decimal::new(1, terms.currency.minor_units());
    let exact = proof::annuity(terms)?;
    let passes = |payment: Decimal| -> Result<bool, ScheduleError> {
        Ok(last_installment(terms, payment)? <= payment)
    };
    // One unit below the bound, in case the annuity's last digit was rounded.
    let low = checked(exact.checked_sub(Decimal::new(5, 1) * unit))?.round_dp_with_strategy(
        terms.currency.minor_units(),
        RoundingStrategy::ToPositiveInfinity,
    );
    let mut payment = checked(low.checked_sub(unit))?.max(unit);
    for _ in 0..MAX_CANDIDATES {
        if passes(payment)? {
            // The first candidate passing means the bound was off: step down while the
            // one below passes too, so the result is the smallest.
            while payment > unit && passes(checked(payment.checked_sub(unit))?)? {
                payment = checked(payment.checked_sub(unit))?;
            }
            return Ok(payment);
        }
        payment = checked(payment.checked_add(unit))?;
    }
    Err(ScheduleError::Unrepresentable)
}

/// More candidates than the bound of [`proof`] can need; reaching it means a bug.
const MAX_CANDIDATES: usize = 8;

/// What the last installment comes to when every other one is `payment`. Balances may go
/// negative here (a payment too large repays early); the interest on them is computed the
/// same way, which keeps the result falling as the payment grows.
fn last_installment(terms: &LoanTerms, payment: Decimal) -> Result<Decimal, ScheduleError> {
    let mut balance = terms.amount;
    for _ in 1..terms.term_months {
        let interest = interest(terms, balance)?;
        balance = checked(checked(balance.checked_add(interest))?.checked_sub(payment))?;
    }
    checked(balance.checked_add(interest(terms, balance)?))
}

/// 12 months × 100 percent: the annual percentage over this is the monthly rate.
const MONTHS_TIMES_PERCENT: Decimal = Decimal::from_parts(1200, 0, 0, false, 0);

/// A month's interest on `balance`, rounded half-to-even. Multiplying before dividing
/// keeps the product exact, so an interest that lands exactly on half a minor unit is
/// seen as such even when the monthly rate (10 % / 12 = 0.00833...) has no finite form.
///
/// Schedules, their search for the installment and every prepayment's recomputed plan
/// call this for each month, so it runs in integer arithmetic ([`integer_interest`]),
/// which gives the same figure an order of magnitude faster than dividing `Decimal`s;
/// `Decimal` division remains the definition and the fallback.
pub(crate) fn interest(terms: &LoanTerms, balance: Decimal) -> Result<Decimal, ScheduleError> {
    if let Some(interest) =
        integer_interest(balance, terms.annual_rate, terms.currency.minor_units())
    {
        return Ok(interest);
    }
    decimal_interest(terms, balance)
}

/// [`interest`] by its definition, in `Decimal` arithmetic.
fn decimal_interest(terms: &LoanTerms, balance: Decimal) -> Result<Decimal, ScheduleError> {
    let yearly = checked(balance.checked_mul(terms.annual_rate))?;
    Ok(terms
        .currency
        .round(checked(yearly.checked_div(MONTHS_TIMES_PERCENT))?))
}

/// `balance × annual_rate ÷ 1200` rounded half-to-even to `minor_units` decimals, on the
/// `i128` mantissas: the quotient and remainder are exact, so the rounding sees a true
/// half exactly when there is one. Agrees with [`decimal_interest`], which rounds a
/// quotient already rounded to 28 digits, because a quotient by 1200 = 2⁴·3·5² either
/// ends or repeats a single 3 or 6, never a run of 9s or 0s that a first rounding could
/// carry onto a half. `None` (use the `Decimal` path) when a figure does not fit.
fn integer_interest(balance: Decimal, annual_rate: Decimal, minor_units: u32) -> Option<Decimal> {
    // balance × rate = product / 10^scale; the interest in minor units is
    // product × 10^minor_units / (1200 × 10^scale).
    let product = balance.mantissa().checked_mul(annual_rate.mantissa())?;
    let scale = balance.scale() + annual_rate.scale();
    let (numerator, denominator) = match scale.checked_sub(minor_units) {
        Some(extra) => (product, 1200i128.checked_mul(10i128.checked_pow(extra)?)?),
        None => (
            product.checked_mul(10i128.checked_pow(minor_units - scale)?)?,
            1200,
        ),
    };
    let magnitude = numerator.checked_abs()?;
    let (mut units, remainder) = (magnitude / denominator, magnitude % denominator);
    let twice = remainder.checked_mul(2)?;
    if twice > denominator || (twice == denominator && units % 2 == 1) {
        units += 1;
    }
    let units = if numerator < 0 { -units } else { units };
    Decimal::try_from_i128_with_scale(units, minor_units).ok()
}

/// Runs the loan with `payment` as the regular installment; the last installment takes
/// whatever balance is left. Whether the result is a valid schedule is [`build`]'s check.
fn amortize(
    terms: &LoanTerms,
    start: NaiveDate,
    payment: Decimal,
) -> Result<Vec<Installment>, ScheduleError> {
    let mut balance = terms.amount;
    let mut installments = Vec::new();
    for number in 1..=terms.term_months {
        let interest = interest(terms, balance)?;
        let principal = if number == terms.term_months {
            balance
        } else {
            checked(payment.checked_sub(interest))?
        };
        balance = checked(balance.checked_sub(principal))?;
        installments.push(Installment {
            number,
            due_date: start
                .checked_add_months(Months::new(number))
                .ok_or(ScheduleError::DueDateOutOfRange)?,
            payment: checked(principal.checked_add(interest))?,
            principal,
            interest,
            balance,
        });
    }
    Ok(installments)
}

impl Serialize for Schedule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let money = |amount| self.currency.format(amount);
        let installments = self
            .installments
            .iter()
            .map(|i| InstallmentWire {
                number: i.number,
                due_date: i.due_date,
                payment: money(i.payment),
                principal: money(i.principal),
                interest: money(i.interest),
                balance: money(i.balance),
                paid: None,
                state: None,
            })
            .collect();
        ScheduleWire {
            currency: self.currency,
            monthly_payment: money(self.monthly_payment),
            total_interest: money(self.total_interest),
            total_payable: money(self.total_payable),
            installments,
        }
        .serialize(serializer)
    }
}

#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub(crate) struct ScheduleWire {
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::currency))]
    pub(crate) currency: Currency,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::monthly_payment))]
    pub(crate) monthly_payment: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::total_interest))]
    pub(crate) total_interest: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::total_payable))]
    pub(crate) total_payable: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::installments))]
    pub(crate) installments: Vec<InstallmentWire>,
}

#[derive(Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(
        as = Installment,
        description = "One monthly installment of a French amortization schedule."
    )
)]
pub(crate) struct InstallmentWire {
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::number))]
    pub(crate) number: u32,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::due_date))]
    pub(crate) due_date: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::payment))]
    pub(crate) payment: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::principal))]
    pub(crate) principal: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::interest))]
    pub(crate) interest: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::balance))]
    pub(crate) balance: String,
    /// A disbursed loan's installment: what was paid of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::paid))]
    pub(crate) paid: Option<String>,
    /// A disbursed loan's installment: where it stands today.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::state))]
    pub(crate) state: Option<&'static str>,
}

/// A schedule's schema is that of the form it serializes as.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Schedule {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        <ScheduleWire as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Schedule {}

pub mod proof;

#[cfg(test)]
mod tests;
