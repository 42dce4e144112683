//! Bounds on the installment rule, and when a whole range of loans is sure to have a
//! schedule.
//!
//! Amounts here are in minor units `u`, `r` is the monthly rate, `n` the term, `a` the
//! exact annuity `A·r / (1 − (1 + r)^−n)` (or `A / n` at a rate of 0), and
//! `S = ((1 + r)^(n−1) − 1) / r` (or `n − 1`). A month's interest is `B·r` rounded to
//! the unit, so it is off by at most `u/2`; over `k` months those errors grow a balance
//! by at most `u/2 · S_k` either way.
//!
//! 1. **The installment is within `u/2` of the annuity.** Paying `P` every month leaves,
//!    before the last installment, at most `a/(1+r) − (P − a − u/2)·S` (the exact
//!    balance after paying the annuity is `a/(1+r)`), so the last installment is at most
//!    `a − (P − a − u/2)·S·(1+r) + u/2`, which is no more than `P` once `P ≥ a + u/2`.
//!    The same bound from below shows any `P < a − u/2` leaves a larger last installment.
//!    So `ceil(a − u/2) ≤ P* ≤ ceil(a + u/2) ≤ a + 3u/2`.
//! 2. **When it cannot repay early.** With `P* ≤ a + 3u/2`, the balance before the last
//!    installment is at least `a/(1+r) − 3u/2·S − u/2·S`, which is positive when
//!    `a > 2·(1+r)·S·u`. Every month's principal is at least `(1+r)^(k−1)·(a − A·r − u)`,
//!    positive when `a − A·r > u`; then balances fall every month, so the last one before
//!    the end is the smallest.
//!
//! Both conditions grow with the amount (`a` is proportional to it) and shrink with the
//! term, so if they hold for the smallest amount and the longest term of a range, every
//! amount and term in it has a schedule ([`always_schedulable`]). They are sufficient,
//! not necessary: a range a little beyond them may still work, but is not promised to.

use rust_decimal::Decimal;

use super::{LoanTerms, MONTHS_TIMES_PERCENT, ScheduleError, checked};
use crate::domain::money::Currency;

/// `base^exponent` by squaring; `Decimal` keeps 28 significant digits at every step, far
/// more than the cents that come out, and no float or `powd` approximation is involved.
fn power(mut base: Decimal, mut exponent: u32) -> Result<Decimal, ScheduleError> {
    let mut result = Decimal::ONE;
    while exponent > 0 {
        if exponent & 1 == 1 {
            result = checked(result.checked_mul(base))?;
        }
        exponent >>= 1;
        if exponent > 0 {
            base = checked(base.checked_mul(base))?;
        }
    }
    Ok(result)
}

/// The monthly rate of a nominal annual percentage.
fn monthly(annual_rate: Decimal) -> Result<Decimal, ScheduleError> {
    // One division instead of `/ 12 / 100` rounds the 28-digit rate once, not twice.
    checked(annual_rate.checked_div(MONTHS_TIMES_PERCENT))
}

/// The exact annuity of `amount` over `months` at `annual_rate` (unrounded):
/// `P·r·g / (g − 1)` with `g = (1+r)^n`, so that the only division is the last step.
fn annuity_of(
    amount: Decimal,
    annual_rate: Decimal,
    months: u32,
) -> Result<Decimal, ScheduleError> {
    if annual_rate.is_zero() {
        return checked(amount.checked_div(Decimal::from(months)));
    }
    let rate = monthly(annual_rate)?;
    let growth = power(checked(Decimal::ONE.checked_add(rate))?, months)?;
    let numerator = checked(checked(amount.checked_mul(rate))?.checked_mul(growth))?;
    checked(numerator.checked_div(checked(growth.checked_sub(Decimal::ONE))?))
}

/// The exact annuity of `terms`.
pub fn annuity(terms: &LoanTerms) -> Result<Decimal, ScheduleError> {
    annuity_of(terms.amount, terms.annual_rate, terms.term_months)
}

/// `S = ((1+r)^(n−1) − 1) / r`, or `n − 1` at a rate of 0: how much `u/2` of rounding a
/// month can grow into by the last installment.
fn growth_sum(annual_rate: Decimal, months: u32) -> Result<Decimal, ScheduleError> {
    let steps = months.saturating_sub(1);
    if annual_rate.is_zero() {
        return Ok(Decimal::from(steps));
    }
    let rate = monthly(annual_rate)?;
    let growth = power(checked(Decimal::ONE.checked_add(rate))?, steps)?;
    checked(checked(growth.checked_sub(Decimal::ONE))?.checked_div(rate))
}

/// Whether every amount from `amount` up, at `annual_rate` in `currency`, has a schedule
/// for every term up to `months` (conditions 2 of the module's documentation).
pub fn always_schedulable(
    amount: Decimal,
    currency: Currency,
    annual_rate: Decimal,
    months: u32,
) -> Result<bool, ScheduleError> {
    let unit = Decimal::new(1, currency.minor_units());
    let a = annuity_of(amount, annual_rate, months)?;
    let rate = monthly(annual_rate)?;
    let s = growth_sum(annual_rate, months)?;
    let never_early = checked(
        Decimal::TWO
            .checked_mul(checked(Decimal::ONE.checked_add(rate))?)
            .and_then(|x| x.checked_mul(s))
            .and_then(|x| x.checked_mul(unit)),
    )?;
    let first_principal = checked(a.checked_sub(checked(amount.checked_mul(rate))?))?;
    Ok(a > never_early && first_principal > unit)
}

/// The smallest amount, in whole minor units, from which every amount at `annual_rate`
/// in `currency` has a schedule for every term up to `months`.
pub fn smallest_safe_amount(
    currency: Currency,
    annual_rate: Decimal,
    months: u32,
) -> Result<Decimal, ScheduleError> {
    let unit = Decimal::new(1, currency.minor_units());
    // Both conditions are linear in the amount: solve them on one unit of it.
    let per_unit = annuity_of(Decimal::ONE, annual_rate, months)?;
    let rate = monthly(annual_rate)?;
    let s = growth_sum(annual_rate, months)?;
    let never_early = checked(
        Decimal::TWO
            .checked_mul(checked(Decimal::ONE.checked_add(rate))?)
            .and_then(|x| x.checked_mul(s))
            .and_then(|x| x.checked_mul(unit))
            .and_then(|x| x.checked_div(per_unit)),
    )?;
    let first_principal = checked(unit.checked_div(checked(per_unit.checked_sub(rate))?))?;
    let bound = never_early.max(first_principal);
    // Strictly above the bound: round up, then one unit more.
    let rounded = bound.round_dp_with_strategy(
        currency.minor_units(),
        rust_decimal::RoundingStrategy::ToPositiveInfinity,
    );
    checked(rounded.checked_add(unit))
}

/// The longest term up to `months` for which every amount from `amount` up has a
/// schedule, or `None` when not even one month does.
pub fn longest_safe_term(
    amount: Decimal,
    currency: Currency,
    annual_rate: Decimal,
    months: u32,
) -> Result<Option<u32>, ScheduleError> {
    for term in (1..=months).rev() {
        if always_schedulable(amount, currency, annual_rate, term)? {
            return Ok(Some(term));
        }
    }
    Ok(None)
}
