//! What a position says about a day: the payoff quote, the balance with its arrears
//! figures, and the plan with each installment's state.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{Position, Row};
use crate::domain::money::Currency;

/// What it takes to pay the loan off at the end of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payoff {
    /// The day quoted.
    pub on: NaiveDate,
    /// `outstanding_principal + accrued_interest - interest_credit`: a repayment of
    /// exactly this much on `on` closes the loan.
    pub payoff_amount: Decimal,
    /// Principal not yet repaid.
    pub outstanding_principal: Decimal,
    /// Interest earned and not yet paid: the unpaid interest of the installments due by
    /// `on`, and of the current period what has accrued beyond what was paid of it.
    pub accrued_interest: Decimal,
    /// Interest paid on the current installment ahead of being earned, credited.
    pub interest_credit: Decimal,
}

/// Arrears buckets by days past due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delinquency {
    /// Nothing overdue.
    Current,
    /// 1 to 30 days past due.
    UpTo30,
    /// 31 to 60 days past due.
    UpTo60,
    /// 61 to 90 days past due.
    UpTo90,
    /// More than 90 days past due.
    Over90,
}

impl Delinquency {
    /// The bucket of `days_past_due`.
    pub fn of(days_past_due: u32) -> Self {
        match days_past_due {
            0 => Self::Current,
            1..=30 => Self::UpTo30,
            31..=60 => Self::UpTo60,
            61..=90 => Self::UpTo90,
            _ => Self::Over90,
        }
    }

    /// The wire name: `current`, `1-30`, `31-60`, `61-90` or `91+`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Current => "current",
            Self::UpTo30 => "1-30",
            Self::UpTo60 => "31-60",
            Self::UpTo90 => "61-90",
            Self::Over90 => "91+",
        }
    }
}

/// The loan as it stood at the end of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Balance {
    /// The payoff quote of that day, whose figures the balance shares.
    pub payoff: Payoff,
    /// What was due by the end of the day and is unpaid (overdue installments and one due
    /// that day).
    pub amount_due: Decimal,
    /// What was due before the day and is unpaid.
    pub overdue_amount: Decimal,
    /// Days since the due date of the oldest overdue installment; 0 when none is.
    pub days_past_due: u32,
    /// The bucket of `days_past_due`.
    pub delinquency: Delinquency,
    /// The next installment due on or after the day that is not fully paid: its due date
    /// and what is left of it.
    pub next_due: Option<(NaiveDate, Decimal)>,
    /// Installments fully paid.
    pub installments_paid: u32,
    /// Installments not fully paid.
    pub installments_remaining: u32,
    /// The sum of the repayments that counted.
    pub total_paid: Decimal,
}

/// Where an installment of the plan stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstallmentState {
    /// Nothing is left to pay.
    Paid,
    /// Part of it is paid and it is not yet due.
    PartiallyPaid,
    /// Its due date has passed with part of it unpaid.
    Overdue,
    /// It is due that very day.
    Due,
    /// Not yet due, nothing paid.
    Upcoming,
}

impl InstallmentState {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Paid => "paid",
            Self::PartiallyPaid => "partially_paid",
            Self::Overdue => "overdue",
            Self::Due => "due",
            Self::Upcoming => "upcoming",
        }
    }
}

/// One installment of the current plan as the schedule shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanRow {
    /// 1 for the first installment.
    pub number: u32,
    /// Its due date.
    pub due_date: NaiveDate,
    /// `principal + interest`.
    pub payment: Decimal,
    /// The principal it repays.
    pub principal: Decimal,
    /// Its interest.
    pub interest: Decimal,
    /// The principal still owed under the plan after it.
    pub balance: Decimal,
    /// What has been paid of it.
    pub paid: Decimal,
    /// Where it stands.
    pub state: InstallmentState,
}

impl Position {
    /// The payoff quote at the end of `on`. The position must be the replay through `on`
    /// (or through a later day with no repayment after `on`).
    pub fn payoff(&self, on: NaiveDate) -> Payoff {
        if self.closed_on.is_some() {
            return Payoff {
                on,
                payoff_amount: Decimal::ZERO,
                outstanding_principal: Decimal::ZERO,
                accrued_interest: Decimal::ZERO,
                interest_credit: Decimal::ZERO,
            };
        }
        let outstanding = self.outstanding_principal();
        let current = self.current(on);
        let due_end = current.unwrap_or(self.rows.len());
        let unpaid_interest: Decimal = self
            .rows
            .get(self.first_open..due_end)
            .unwrap_or_default()
            .iter()
            .map(|r| r.interest - r.interest_paid)
            .sum();
        let (accrued, paid) = current.map_or((Decimal::ZERO, Decimal::ZERO), |index| {
            (self.accrued(index, on), self.rows[index].interest_paid)
        });
        let accrued_interest = unpaid_interest + (accrued - paid).max(Decimal::ZERO);
        let interest_credit = (paid - accrued).max(Decimal::ZERO);
        Payoff {
            on,
            payoff_amount: outstanding + accrued_interest - interest_credit,
            outstanding_principal: outstanding,
            accrued_interest,
            interest_credit,
        }
    }

    /// The balance at the end of `on`, from the replay through `on`.
    pub fn balance(&self, on: NaiveDate) -> Balance {
        let unpaid_until = |last: NaiveDate| -> Decimal {
            self.rows
                .iter()
                .filter(|r| r.due_date <= last)
                .map(Row::unpaid)
                .sum()
        };
        let amount_due = unpaid_until(on);
        let overdue_amount = on.pred_opt().map_or(Decimal::ZERO, unpaid_until);
        let oldest_overdue = self
            .rows
            .iter()
            .find(|r| r.due_date < on && !r.is_paid())
            .map(|r| r.due_date);
        let days_past_due = oldest_overdue.map_or(0, |due| {
            u32::try_from((on - due).num_days()).unwrap_or(u32::MAX)
        });
        let next_due = self
            .rows
            .iter()
            .find(|r| r.due_date >= on && !r.is_paid())
            .map(|r| (r.due_date, r.unpaid()));
        let paid = self.rows.iter().filter(|r| r.is_paid()).count();
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Balance {
            payoff: self.payoff(on),
            amount_due,
            overdue_amount,
            days_past_due,
            delinquency: Delinquency::of(days_past_due),
            next_due,
            installments_paid: count(paid),
            installments_remaining: count(self.rows.len() - paid),
            total_paid: self.total_paid(),
        }
    }

    /// The current plan, each installment with what was paid of it and its state on
    /// `today`.
    pub fn plan(&self, today: NaiveDate) -> Vec<PlanRow> {
        let mut balance: Decimal = self.rows.iter().map(|r| r.principal).sum();
        self.rows
            .iter()
            .map(|row| {
                balance -= row.principal;
                let state = if row.is_paid() {
                    InstallmentState::Paid
                } else if row.due_date < today {
                    InstallmentState::Overdue
                } else if row.due_date == today {
                    InstallmentState::Due
                } else if row.paid() > Decimal::ZERO {
                    InstallmentState::PartiallyPaid
                } else {
                    InstallmentState::Upcoming
                };
                PlanRow {
                    number: row.number,
                    due_date: row.due_date,
                    payment: row.principal + row.interest,
                    principal: row.principal,
                    interest: row.interest,
                    balance,
                    paid: row.paid(),
                    state,
                }
            })
            .collect()
    }
}

/// The current plan of a disbursed loan as the API shows it: the schedule's shape, each
/// installment with what was paid of it and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The loan's currency.
    pub currency: Currency,
    /// The installment amount, kept by prepayments.
    pub monthly_payment: Decimal,
    /// The amount lent.
    pub amount: Decimal,
    /// The installments of the current plan.
    pub rows: Vec<PlanRow>,
}

impl Position {
    /// The plan on `today`, ready to serialize (see [`Plan`]).
    pub fn plan_on(&self, today: NaiveDate) -> Plan {
        Plan {
            currency: self.currency(),
            monthly_payment: self.monthly_payment(),
            amount: self.rows.iter().map(|r| r.principal).sum::<Decimal>() + self.prepaid(),
            rows: self.plan(today),
        }
    }
}

impl serde::Serialize for Plan {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use crate::domain::schedule::{InstallmentWire, ScheduleWire};
        let money = |amount| self.currency.format(amount);
        let total_interest: Decimal = self.rows.iter().map(|r| r.interest).sum();
        ScheduleWire {
            currency: self.currency,
            monthly_payment: money(self.monthly_payment),
            total_interest: money(total_interest),
            total_payable: money(self.amount + total_interest),
            installments: self
                .rows
                .iter()
                .map(|row| InstallmentWire {
                    number: row.number,
                    due_date: row.due_date,
                    payment: money(row.payment),
                    principal: money(row.principal),
                    interest: money(row.interest),
                    balance: money(row.balance),
                    paid: Some(money(row.paid)),
                    state: Some(row.state.as_str()),
                })
                .collect(),
        }
        .serialize(serializer)
    }
}
