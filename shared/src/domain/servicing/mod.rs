//! The servicing engine: what a disbursed loan's repayments did to its schedule.
//!
//! Pure code, no I/O. A loan's state is never stored; it is always the replay of its
//! non-reversed repayments over the schedule its terms and disbursement date produce
//! ([`Position::replay`]), so a back-dated repayment or a reversal needs no special case:
//! the next replay simply sees a different ledger.
//!
//! **Order.** Repayments apply in value-date (`paid_on`) order. Those of one day apply
//! together, as one payment of their sum, whose allocation is then shared out among them
//! in posting order (`seq`): the state after a day therefore does not depend on the
//! order in which its repayments were posted, only each one's share does.
//!
//! **Allocation** of a day's money, as the API contract defines it:
//! 1. every installment due on or before the day, oldest first: its unpaid interest, then
//!    its unpaid principal;
//! 2. the next installment not yet due (the *current* one), the same way, so paying a few
//!    days early pays the installment;
//! 3. what is left prepays principal: the plan after the current installment is
//!    recomputed from the reduced balance with the same installment amount and due dates,
//!    interest on the reduced balance, so the loan ends sooner (its last installment takes
//!    what is left).
//!
//! **Payoff** on a day `d` is the outstanding principal, plus the unpaid interest of the
//! installments due by `d`, plus the current period's interest pro rata by days, minus the
//! interest already paid on the current installment. Interest paid ahead of being earned
//! is thus credited: right after paying the current installment early, the payoff is *below*
//! the outstanding principal by the interest not yet earned ([`Payoff::interest_credit`]).
//! A day's money may not exceed the payoff; when it equals it, the loan is closed: the
//! current installment's interest becomes what had accrued (interest paid ahead becomes
//! principal), the installments after it are merged into it, and the rest of the scheduled
//! interest is waived.
//!
//! **Bounds.** Amounts lent are at most [`LoanTerms::MAX_AMOUNT`] and a repayment at most
//! [`MAX_REPAYMENT`], so every figure here stays far inside `Decimal`'s 28 digits and plain
//! arithmetic cannot overflow.

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;

use super::money::Currency;
use super::schedule::{self, LoanTerms, ScheduleError};

mod view;

pub use view::{Balance, Delinquency, InstallmentState, Payoff, Plan, PlanRow};

/// The largest repayment the engine takes, in units of any currency; anything this large
/// exceeds every payoff anyway.
pub const MAX_REPAYMENT: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

/// A repayment, as the engine sees it: when it is worth, how much, and where it stands in
/// posting order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repayment {
    /// Posting order within the loan's ledger: a later posting has a larger number.
    pub seq: u64,
    /// The value date.
    pub paid_on: NaiveDate,
    /// A positive amount in whole minor units of the loan's currency.
    pub amount: Decimal,
}

/// How a repayment was applied: `interest + principal` is always its amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Allocation {
    /// The part that paid interest.
    pub interest: Decimal,
    /// The part that paid (or prepaid) principal.
    pub principal: Decimal,
}

/// A repayment that the replay applied, with its share of its day's allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// The repayment.
    pub repayment: Repayment,
    /// Its share of the allocation.
    pub allocation: Allocation,
}

/// One installment of the current plan, with what has been paid of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// 1 for the first installment.
    pub number: u32,
    /// The last day of its period.
    pub due_date: NaiveDate,
    /// The day before its period's first day: the previous due date, or the disbursement.
    pub period_start: NaiveDate,
    /// The period's interest, fixed on its opening balance (for a closed loan's last
    /// installment: the interest that had accrued).
    pub interest: Decimal,
    /// The principal it repays.
    pub principal: Decimal,
    /// Interest paid so far.
    pub interest_paid: Decimal,
    /// Principal paid so far.
    pub principal_paid: Decimal,
    /// Which applied repayments paid its interest, and how much each: the interest paid
    /// ahead that becomes principal at payoff comes back out of the latest ones first.
    interest_sources: Vec<(usize, Decimal)>,
}

impl Row {
    /// What is left to pay of it.
    pub fn unpaid(&self) -> Decimal {
        self.interest - self.interest_paid + self.principal - self.principal_paid
    }

    /// What has been paid of it.
    pub fn paid(&self) -> Decimal {
        self.interest_paid + self.principal_paid
    }

    /// Whether nothing is left to pay.
    pub fn is_paid(&self) -> bool {
        self.unpaid().is_zero()
    }
}

/// Why a ledger cannot be replayed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServicingError {
    /// A repayment is not a positive amount of at most [`MAX_REPAYMENT`] in whole minor
    /// units.
    #[error("repayment {seq} is not a positive amount in whole minor units")]
    InvalidAmount {
        /// The repayment's posting number.
        seq: u64,
    },
    /// A repayment's value date is before the disbursement.
    #[error("repayment {seq} is dated before the disbursement")]
    BeforeDisbursement {
        /// The repayment's posting number.
        seq: u64,
    },
    /// A repayment would pay more than was owed on its value date.
    #[error("repayment {seq} exceeds the payoff amount of {payoff} on {paid_on}")]
    ExceedsPayoff {
        /// The repayment's posting number.
        seq: u64,
        /// Its value date.
        paid_on: NaiveDate,
        /// What it could have paid at most: the payoff on that day, after the repayments
        /// before it.
        payoff: Decimal,
    },
    /// The loan's terms have no schedule (they were valid when stored, so this is a bug).
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// An internal invariant broke; reaching it is a bug.
    #[error("the servicing engine reached an inconsistent state: {0}")]
    Inconsistent(&'static str),
}

/// A disbursed loan as its ledger left it: the current plan, each applied repayment's
/// allocation, and whether (and when) it was paid off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    terms: LoanTerms,
    disbursed_on: NaiveDate,
    monthly_payment: Decimal,
    rows: Vec<Row>,
    /// Principal paid beyond the installments (prepayments); the rows' principal plus this
    /// is always the amount lent.
    prepaid: Decimal,
    /// The rows' principal paid, summed: kept as it changes so a payoff quote (one per
    /// day replayed) needs no pass over the plan.
    principal_repaid: Decimal,
    /// Every repayment applied, in the order applied (value date, then posting order).
    applied: Vec<Applied>,
    /// The day the loan was paid off, if it was.
    closed_on: Option<NaiveDate>,
    /// Scheduled interest that was never charged because the loan was paid off early.
    waived_interest: Decimal,
    /// Every row before this one is fully paid.
    first_open: usize,
}

/// Which part of an installment money goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Interest,
    Principal,
}

/// A day's money, taken out piece by piece in posting order.
struct Purse {
    /// `(index into Position::applied, amount not yet allocated)`.
    left: Vec<(usize, Decimal)>,
    at: usize,
}

impl Purse {
    /// Up to `want` from the next repayment that has money left, as `(index, amount)`.
    fn take(&mut self, want: Decimal) -> Option<(usize, Decimal)> {
        while let Some((index, left)) = self.left.get_mut(self.at) {
            if left.is_zero() {
                self.at += 1;
                continue;
            }
            let piece = want.min(*left);
            *left -= piece;
            return Some((*index, piece));
        }
        None
    }

    fn remaining(&self) -> Decimal {
        self.left[self.at.min(self.left.len())..]
            .iter()
            .map(|(_, left)| *left)
            .sum()
    }
}

impl Position {
    /// Replays `repayments` (in any order; reversed ones left out) over the schedule of a
    /// loan with `terms` disbursed on `disbursed_on`. With `through`, only repayments worth
    /// on or before that day count: the loan as it stood at the end of it.
    pub fn replay(
        terms: &LoanTerms,
        disbursed_on: NaiveDate,
        repayments: &[Repayment],
        through: Option<NaiveDate>,
    ) -> Result<Self, ServicingError> {
        let schedule = schedule::build(terms, disbursed_on)?;
        let mut period_start = disbursed_on;
        let rows = schedule
            .installments
            .iter()
            .map(|installment| {
                let row = Row {
                    number: installment.number,
                    due_date: installment.due_date,
                    period_start,
                    interest: installment.interest,
                    principal: installment.principal,
                    interest_paid: Decimal::ZERO,
                    principal_paid: Decimal::ZERO,
                    interest_sources: Vec::new(),
                };
                period_start = installment.due_date;
                row
            })
            .collect();
        let mut position = Self {
            terms: *terms,
            disbursed_on,
            monthly_payment: schedule.monthly_payment,
            rows,
            prepaid: Decimal::ZERO,
            principal_repaid: Decimal::ZERO,
            applied: Vec::with_capacity(repayments.len()),
            closed_on: None,
            waived_interest: Decimal::ZERO,
            first_open: 0,
        };
        let mut ordered: Vec<Repayment> = repayments
            .iter()
            .filter(|r| through.is_none_or(|on| r.paid_on <= on))
            .copied()
            .collect();
        ordered.sort_by_key(|r| (r.paid_on, r.seq));
        for day in ordered.chunk_by(|a, b| a.paid_on == b.paid_on) {
            position.apply_day(day)?;
        }
        Ok(position)
    }

    fn check_amount(&self, repayment: &Repayment) -> Result<(), ServicingError> {
        let currency = self.currency();
        if repayment.amount <= Decimal::ZERO
            || repayment.amount > MAX_REPAYMENT
            || currency.check_scale(repayment.amount).is_err()
        {
            return Err(ServicingError::InvalidAmount { seq: repayment.seq });
        }
        if repayment.paid_on < self.disbursed_on {
            return Err(ServicingError::BeforeDisbursement { seq: repayment.seq });
        }
        Ok(())
    }

    /// Applies one day's repayments (sorted by posting order, all of one value date).
    fn apply_day(&mut self, day: &[Repayment]) -> Result<(), ServicingError> {
        let Some(first) = day.first() else {
            return Ok(());
        };
        let on = first.paid_on;
        for repayment in day {
            self.check_amount(repayment)?;
        }
        let payoff = self.payoff(on).payoff_amount;
        let mut total = Decimal::ZERO;
        for repayment in day {
            if total + repayment.amount > payoff {
                return Err(ServicingError::ExceedsPayoff {
                    seq: repayment.seq,
                    paid_on: on,
                    payoff: payoff - total,
                });
            }
            total += repayment.amount;
        }
        let start = self.applied.len();
        let mut purse = Purse {
            left: Vec::with_capacity(day.len()),
            at: 0,
        };
        for (offset, repayment) in day.iter().enumerate() {
            self.applied.push(Applied {
                repayment: *repayment,
                allocation: Allocation::default(),
            });
            purse.left.push((start + offset, repayment.amount));
        }
        if total == payoff {
            self.close(on, &mut purse)?;
        } else {
            self.allocate(on, &mut purse)?;
        }
        while self.rows.get(self.first_open).is_some_and(Row::is_paid) {
            self.first_open += 1;
        }
        Ok(())
    }

    /// Pays `part` of row `index` from `purse`, as far as it goes.
    fn pay(&mut self, purse: &mut Purse, index: usize, part: Part) {
        let Some(row) = self.rows.get(index) else {
            return;
        };
        let mut want = match part {
            Part::Interest => row.interest - row.interest_paid,
            Part::Principal => row.principal - row.principal_paid,
        };
        while want > Decimal::ZERO {
            let Some((source, piece)) = purse.take(want) else {
                return;
            };
            want -= piece;
            let (Some(row), Some(applied)) =
                (self.rows.get_mut(index), self.applied.get_mut(source))
            else {
                return;
            };
            match part {
                Part::Interest => {
                    row.interest_paid += piece;
                    row.interest_sources.push((source, piece));
                    applied.allocation.interest += piece;
                }
                Part::Principal => {
                    row.principal_paid += piece;
                    self.principal_repaid += piece;
                    applied.allocation.principal += piece;
                }
            }
        }
    }

    /// Pays every installment due on or before `on`, oldest first, interest then
    /// principal.
    fn pay_due(&mut self, purse: &mut Purse, due_end: usize) {
        for index in self.first_open..due_end {
            self.pay(purse, index, Part::Interest);
            self.pay(purse, index, Part::Principal);
        }
    }

    /// Allocates a day's money that is less than the payoff.
    fn allocate(&mut self, on: NaiveDate, purse: &mut Purse) -> Result<(), ServicingError> {
        let current = self.current(on);
        self.pay_due(purse, current.unwrap_or(self.rows.len()));
        let Some(current) = current else {
            // Every installment is due: money below the payoff cannot reach past them.
            return if purse.remaining().is_zero() {
                Ok(())
            } else {
                Err(ServicingError::Inconsistent(
                    "money left after every due installment",
                ))
            };
        };
        self.pay(purse, current, Part::Interest);
        self.pay(purse, current, Part::Principal);
        let prepayment = purse.remaining();
        if prepayment.is_zero() {
            return Ok(());
        }
        while let Some((source, piece)) = purse.take(prepayment) {
            if let Some(applied) = self.applied.get_mut(source) {
                applied.allocation.principal += piece;
            }
        }
        self.prepay(current, prepayment)
    }

    /// Lowers the balance after installment `current` by `amount` and recomputes the plan
    /// from the installment after it: same installment amount and due dates, interest on
    /// the reduced balance, the last installment taking what is left.
    fn prepay(&mut self, current: usize, amount: Decimal) -> Result<(), ServicingError> {
        let after: Decimal = self.rows[current + 1..].iter().map(|r| r.principal).sum();
        let mut balance = after - amount;
        if balance <= Decimal::ZERO {
            // Money that would clear the balance after the current installment is more
            // than the payoff, which was checked before allocating.
            return Err(ServicingError::Inconsistent(
                "a prepayment beyond the balance",
            ));
        }
        self.prepaid += amount;
        self.rows.truncate(current + 1);
        let mut period_start = self.rows[current].due_date;
        let mut number = self.rows[current].number;
        let last = self.terms.term_months();
        while balance > Decimal::ZERO {
            number += 1;
            if number > last {
                return Err(ServicingError::Inconsistent(
                    "a prepaid plan longer than the term",
                ));
            }
            let due_date = self
                .disbursed_on
                .checked_add_months(Months::new(number))
                .ok_or(ScheduleError::DueDateOutOfRange)?;
            let interest = schedule::interest(&self.terms, balance)?;
            let principal = if number == last || balance + interest <= self.monthly_payment {
                balance
            } else {
                self.monthly_payment - interest
            };
            balance -= principal;
            self.rows.push(Row {
                number,
                due_date,
                period_start,
                interest,
                principal,
                interest_paid: Decimal::ZERO,
                principal_paid: Decimal::ZERO,
                interest_sources: Vec::new(),
            });
            period_start = due_date;
        }
        Ok(())
    }

    /// Closes the loan with a day's money that equals the payoff.
    fn close(&mut self, on: NaiveDate, purse: &mut Purse) -> Result<(), ServicingError> {
        let current = self.current(on);
        self.pay_due(purse, current.unwrap_or(self.rows.len()));
        if let Some(current) = current {
            let accrued = self.accrued(current, on);
            let later = self.rows.split_off(current + 1);
            let later_principal: Decimal = later.iter().map(|r| r.principal).sum();
            let later_interest: Decimal = later.iter().map(|r| r.interest).sum();
            let row = &mut self.rows[current];
            self.waived_interest += later_interest + row.interest - accrued;
            row.principal += later_principal;
            row.interest = accrued;
            if row.interest_paid > accrued {
                // Interest paid ahead of being earned becomes principal, taken back out of
                // the latest repayments that paid it.
                let mut excess = row.interest_paid - accrued;
                row.interest_paid = accrued;
                row.principal_paid += excess;
                self.principal_repaid += excess;
                for (source, paid) in row.interest_sources.iter().rev() {
                    let moved = excess.min(*paid);
                    if let Some(applied) = self.applied.get_mut(*source) {
                        applied.allocation.interest -= moved;
                        applied.allocation.principal += moved;
                    }
                    excess -= moved;
                    if excess.is_zero() {
                        break;
                    }
                }
            }
            self.pay(purse, current, Part::Interest);
            self.pay(purse, current, Part::Principal);
        }
        if !purse.remaining().is_zero() {
            return Err(ServicingError::Inconsistent("money left at payoff"));
        }
        self.closed_on = Some(on);
        Ok(())
    }

    /// The installment not yet due on `on` (the first due after it), if any.
    fn current(&self, on: NaiveDate) -> Option<usize> {
        let index = self.rows.partition_point(|row| row.due_date <= on);
        (index < self.rows.len()).then_some(index)
    }

    /// The interest of row `index` earned by the end of `on`: its interest × days since
    /// its period began ÷ days in its period, half-to-even.
    fn accrued(&self, index: usize, on: NaiveDate) -> Decimal {
        let Some(row) = self.rows.get(index) else {
            return Decimal::ZERO;
        };
        let period = (row.due_date - row.period_start).num_days();
        let elapsed = (on - row.period_start).num_days().clamp(0, period);
        if period <= 0 {
            return row.interest;
        }
        self.currency()
            .round(row.interest * Decimal::from(elapsed) / Decimal::from(period))
    }

    /// The loan's currency.
    pub fn currency(&self) -> Currency {
        self.terms.currency()
    }

    /// The date the schedule counts from.
    pub fn disbursed_on(&self) -> NaiveDate {
        self.disbursed_on
    }

    /// The regular installment.
    pub fn monthly_payment(&self) -> Decimal {
        self.monthly_payment
    }

    /// The current plan: the installments still to come as recomputed by prepayments, and
    /// for a loan paid off, the plan up to the installment that closed it.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// Principal paid beyond the installments.
    pub fn prepaid(&self) -> Decimal {
        self.prepaid
    }

    /// Every repayment applied, in value-date order (posting order within a day), with
    /// its allocation.
    pub fn applied(&self) -> &[Applied] {
        &self.applied
    }

    /// The allocation of the repayment posted as `seq`, if the replay applied it.
    pub fn allocation(&self, seq: u64) -> Option<Allocation> {
        self.applied
            .iter()
            .find(|a| a.repayment.seq == seq)
            .map(|a| a.allocation)
    }

    /// The day the loan was paid off, if it was.
    pub fn closed_on(&self) -> Option<NaiveDate> {
        self.closed_on
    }

    /// The posting number of the repayment that paid the loan off (the last one of the
    /// closing day).
    pub fn closed_by(&self) -> Option<u64> {
        self.closed_on?;
        self.applied.last().map(|a| a.repayment.seq)
    }

    /// Scheduled interest waived by paying off early.
    pub fn waived_interest(&self) -> Decimal {
        self.waived_interest
    }

    /// The due date of the oldest installment not fully paid; `None` once paid off.
    pub fn oldest_unpaid_due_date(&self) -> Option<NaiveDate> {
        if self.closed_on.is_some() {
            return None;
        }
        self.rows.get(self.first_open).map(|row| row.due_date)
    }

    /// The principal not yet repaid: the amount lent less the rows' principal paid and the
    /// prepayments (the rows' principal and the prepayments always add up to the amount).
    pub(crate) fn outstanding_principal(&self) -> Decimal {
        self.terms.amount() - self.prepaid - self.principal_repaid
    }

    /// The sum of the repayments applied.
    pub fn total_paid(&self) -> Decimal {
        self.applied.iter().map(|a| a.repayment.amount).sum()
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod proptests;
