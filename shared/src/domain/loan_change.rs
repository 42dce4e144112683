//! Changing a loan: every rule of who may change what, in one place.
//!
//! A [`LoanChange`] says what a caller asks for: new terms (all of them, for a
//! replacement, or any of them, for a patch), a purpose, a status. [`Loan::change`]
//! decides: a customer may only cancel its own pending application; terms change only
//! while `pending`; a status moves only along the lifecycle; the figures are recomputed
//! from the new terms; the version grows by one and `updated_at` is the time of the
//! change. It does no I/O.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::ledger::Reason;
use super::loan::{Loan, Purpose};
use super::loan_status::{Actor, LoanStatus, TransitionError, allowed_for};
use super::money::Currency;
use super::product::ProductTerms;
use super::schedule::{LoanTerms, ScheduleError};
use super::time::Timestamp;

/// What a caller asks to change. A field left `None` is not asked for: on a patch it
/// keeps its value, on a replacement the required terms must all be given, the currency
/// falls back to MXN and the purpose is cleared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoanChange {
    /// `PUT`: the terms are replaced as a whole, and no status may be given.
    pub replace: bool,
    /// The principal.
    pub amount: Option<Decimal>,
    /// The currency.
    pub currency: Option<Currency>,
    /// The nominal annual rate, in percent.
    pub annual_interest_rate: Option<Decimal>,
    /// The number of monthly installments.
    pub term_months: Option<u32>,
    /// A new purpose, or `Some(None)` to clear it.
    pub purpose: Option<Option<Purpose>>,
    /// The status to move to.
    pub status: Option<LoanStatus>,
    /// With `status: active`: the value date of the disbursement (default today).
    pub disbursed_on: Option<NaiveDate>,
    /// With `status: written_off` (where it is required): why.
    pub reason: Option<Reason>,
}

/// How far back a disbursement's value date may go, in years (to load existing books).
pub const MAX_DISBURSEMENT_AGE_YEARS: u32 = 10;

/// Why `on` cannot be a disbursement's value date on `today`, if it cannot.
pub fn check_disbursed_on(on: NaiveDate, today: NaiveDate) -> Result<(), String> {
    let earliest = today
        .checked_sub_months(chrono::Months::new(12 * MAX_DISBURSEMENT_AGE_YEARS))
        .unwrap_or(NaiveDate::MIN);
    if on > today {
        Err(format!("must not be in the future (today is {today})"))
    } else if on < earliest {
        Err(format!(
            "must be at most {MAX_DISBURSEMENT_AGE_YEARS} years ago (on or after {earliest})"
        ))
    } else {
        Ok(())
    }
}

impl LoanChange {
    /// Whether any term (or the purpose) is asked for.
    pub fn touches_terms(&self) -> bool {
        self.amount.is_some()
            || self.currency.is_some()
            || self.annual_interest_rate.is_some()
            || self.term_months.is_some()
            || self.purpose.is_some()
    }

    /// The names of the term fields asked for, as the API body spells them.
    fn terms_given(&self) -> Vec<&'static str> {
        [
            ("amount", self.amount.is_some()),
            ("currency", self.currency.is_some()),
            ("annual_interest_rate", self.annual_interest_rate.is_some()),
            ("term_months", self.term_months.is_some()),
            ("purpose", self.purpose.is_some()),
        ]
        .into_iter()
        .filter_map(|(field, given)| given.then_some(field))
        .collect()
    }
}

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    /// The actor may not make this kind of change at all (a customer replacing terms or
    /// asking for a status other than `cancelled`).
    #[error("the actor may not make this change")]
    Forbidden,
    /// A customer asked to change these fields; it may only change the status.
    #[error("a customer may only change the status")]
    CustomerFields(Vec<&'static str>),
    /// The loan's terms are fixed in this status.
    #[error("the terms of a loan that is {0} cannot change; only a pending loan's can")]
    TermsFixed(LoanStatus),
    /// The new terms break their rules, as `(field, message)`.
    #[error("the terms are invalid")]
    Invalid(Vec<(&'static str, String)>),
    /// A term of a product's loan that comes from the product.
    #[error("comes from the loan's product and cannot change")]
    FromProduct(&'static str),
    /// The new terms cannot be scheduled.
    #[error(transparent)]
    Unschedulable(#[from] ScheduleError),
    /// The lifecycle does not allow the status change.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// `paid` was asked for: only repayments that pay the loan off make it `paid`.
    #[error(
        "a loan becomes paid only when its repayments pay it off: post them to \
         /loans/{{loan_id}}/repayments"
    )]
    PaidByRepayments,
    /// The status change is legal, but not for this actor.
    #[error("a customer cannot move a loan that is {from} to {to}")]
    NotForActor {
        /// The loan's status.
        from: LoanStatus,
        /// The status asked for.
        to: LoanStatus,
    },
}

/// Takes `given`, or for a patch `current`; a missing required term is reported.
fn term<T>(
    errors: &mut Vec<(&'static str, String)>,
    field: &'static str,
    given: Option<T>,
    current: Option<T>,
) -> Option<T> {
    let value = given.or(current);
    if value.is_none() {
        errors.push((field, "is required".into()));
    }
    value
}

impl Loan {
    /// The loan `change` makes of this one when `actor` asks for it at `now`, or `None`
    /// when it asks for nothing. A loan made through a product keeps the product's
    /// currency and rate, and its new amount and term stay inside `product`'s bounds (the
    /// product as it is now; `None` for a bespoke loan).
    pub fn change(
        &self,
        actor: Actor,
        change: &LoanChange,
        product: Option<&ProductTerms>,
        now: Timestamp,
    ) -> Result<Option<Loan>, ChangeError> {
        if actor == Actor::Customer {
            if change.replace
                || change
                    .status
                    .is_some_and(|to| matches!(to, LoanStatus::Active | LoanStatus::WrittenOff))
            {
                return Err(ChangeError::Forbidden);
            }
            let mut fields = change.terms_given();
            if change.disbursed_on.is_some() {
                fields.push("disbursed_on");
            }
            if change.reason.is_some() {
                fields.push("reason");
            }
            if !fields.is_empty() {
                return Err(ChangeError::CustomerFields(fields));
            }
            if change.status.is_some_and(|to| to != LoanStatus::Cancelled) {
                return Err(ChangeError::Forbidden);
            }
        }
        self.check_status_fields(change, now)?;
        let mut next = None;
        if change.replace || change.touches_terms() {
            if !self.status().terms_editable() {
                return Err(ChangeError::TermsFixed(self.status()));
            }
            if self.product_id().is_some() {
                if change.currency.is_some() {
                    return Err(ChangeError::FromProduct("currency"));
                }
                if change.annual_interest_rate.is_some() {
                    return Err(ChangeError::FromProduct("annual_interest_rate"));
                }
            }
            let (terms, purpose) = self.merged_terms(change)?;
            if let (Some(_), Some(product)) = (self.product_id(), product) {
                product
                    .loan_terms(terms.amount(), terms.term_months())
                    .map_err(ChangeError::Invalid)?;
            }
            next = Some(self.with_terms(&terms, purpose, now)?);
        }
        if let Some(to) = change.status {
            if !allowed_for(actor, self.status(), to) {
                return Err(match self.status().transition(to) {
                    Err(illegal) => ChangeError::Transition(illegal),
                    Ok(_) => ChangeError::NotForActor {
                        from: self.status(),
                        to,
                    },
                });
            }
            let base = next.as_ref().unwrap_or(self);
            let mut moved = base.with_status(to, now)?;
            if let Some(on) = change.disbursed_on {
                moved.set_disbursed_on(on);
            }
            moved.set_version(self.version() + 1);
            next = Some(moved);
        }
        Ok(next)
    }

    /// The fields that go with one status change: `disbursed_on` only with `active` (and
    /// a valid value date), `reason` only with, and always with, `written_off`; `paid`
    /// is never asked for.
    fn check_status_fields(&self, change: &LoanChange, now: Timestamp) -> Result<(), ChangeError> {
        if change.status == Some(LoanStatus::Paid) && self.status() == LoanStatus::Active {
            return Err(ChangeError::PaidByRepayments);
        }
        let mut errors = Vec::new();
        if let Some(on) = change.disbursed_on {
            if change.status != Some(LoanStatus::Active) {
                errors.push((
                    "disbursed_on",
                    "goes only with {\"status\": \"active\"}".into(),
                ));
            } else if let Err(why) = check_disbursed_on(on, now.as_datetime().date_naive()) {
                errors.push(("disbursed_on", why));
            }
        }
        match (
            change.status == Some(LoanStatus::WrittenOff),
            &change.reason,
        ) {
            (true, None) => errors.push(("reason", "is required to write a loan off".into())),
            (false, Some(_)) => errors.push((
                "reason",
                "goes only with {\"status\": \"written_off\"}".into(),
            )),
            _ => {}
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ChangeError::Invalid(errors))
        }
    }

    /// The terms and purpose the loan would have after `change`.
    fn merged_terms(
        &self,
        change: &LoanChange,
    ) -> Result<(LoanTerms, Option<Purpose>), ChangeError> {
        change.resolve((!change.replace).then_some(self))
    }
}

impl LoanChange {
    /// The terms and purpose of a new loan: every required term must be given, the
    /// currency falls back to MXN.
    pub fn new_terms(&self) -> Result<(LoanTerms, Option<Purpose>), ChangeError> {
        self.resolve(None)
    }

    /// The terms and purpose after this change of `current` (or of nothing: a new loan,
    /// or a replacement).
    fn resolve(&self, current: Option<&Loan>) -> Result<(LoanTerms, Option<Purpose>), ChangeError> {
        let change = self;
        let mut errors = Vec::new();
        let currency = change
            .currency
            .unwrap_or_else(|| current.map_or_else(Currency::mxn, Loan::currency));
        let amount = term(
            &mut errors,
            "amount",
            change.amount,
            current.map(Loan::amount),
        );
        let rate = term(
            &mut errors,
            "annual_interest_rate",
            change.annual_interest_rate,
            current.map(Loan::annual_interest_rate),
        );
        let months = term(
            &mut errors,
            "term_months",
            change.term_months,
            current.map(Loan::term_months),
        );
        let purpose = match &change.purpose {
            Some(purpose) => purpose.clone(),
            None => current.and_then(|loan| loan.purpose().cloned()),
        };
        let (Some(amount), Some(rate), Some(months)) = (amount, rate, months) else {
            return Err(ChangeError::Invalid(errors));
        };
        let terms =
            LoanTerms::parse(amount, currency, rate, months).map_err(ChangeError::Invalid)?;
        Ok((terms, purpose))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{ClientId, LoanId};
    use rust_decimal::dec;

    fn pending() -> Loan {
        let now = Timestamp::now();
        let terms = LoanTerms::parse(dec!(10000), Currency::mxn(), dec!(12), 12).unwrap();
        Loan::apply(
            LoanId::new_at(now),
            &ClientId::new_at(now),
            &terms,
            None,
            now,
        )
        .unwrap()
    }

    fn status(to: LoanStatus) -> LoanChange {
        LoanChange {
            status: Some(to),
            ..LoanChange::default()
        }
    }

    #[test]
    fn a_change_makes_the_next_version_stamped_with_its_time() {
        let loan = pending();
        let later = Timestamp::from(loan.created_at().as_datetime() + chrono::Duration::seconds(5));
        let change = LoanChange {
            term_months: Some(24),
            status: Some(LoanStatus::Approved),
            ..LoanChange::default()
        };
        let next = loan
            .change(Actor::Admin, &change, None, later)
            .unwrap()
            .unwrap();
        assert_eq!(
            next.version(),
            2,
            "one change, one version, however many fields"
        );
        assert_eq!(next.updated_at(), later);
        assert_eq!(next.term_months(), 24);
        assert_eq!(next.status(), LoanStatus::Approved);
        assert_ne!(
            next.monthly_payment(),
            loan.monthly_payment(),
            "figures recomputed"
        );
        assert_eq!(
            loan.change(Actor::Admin, &LoanChange::default(), None, later),
            Ok(None)
        );
    }

    #[test]
    fn a_customer_may_only_cancel() {
        let loan = pending();
        let now = Timestamp::now();
        let cancelled = loan.change(Actor::Customer, &status(LoanStatus::Cancelled), None, now);
        assert_eq!(cancelled.unwrap().unwrap().status(), LoanStatus::Cancelled);
        let cases = [
            (status(LoanStatus::Approved), ChangeError::Forbidden),
            (
                LoanChange {
                    replace: true,
                    ..LoanChange::default()
                },
                ChangeError::Forbidden,
            ),
            (
                LoanChange {
                    amount: Some(dec!(5)),
                    purpose: Some(None),
                    ..LoanChange::default()
                },
                ChangeError::CustomerFields(vec!["amount", "purpose"]),
            ),
        ];
        for (change, expected) in cases {
            assert_eq!(
                loan.change(Actor::Customer, &change, None, now),
                Err(expected)
            );
        }
    }

    #[test]
    fn terms_are_fixed_once_decided_and_statuses_follow_the_lifecycle() {
        let now = Timestamp::now();
        let approved = pending().with_status(LoanStatus::Approved, now).unwrap();
        let longer = LoanChange {
            term_months: Some(24),
            ..LoanChange::default()
        };
        assert_eq!(
            approved.change(Actor::Admin, &longer, None, now),
            Err(ChangeError::TermsFixed(LoanStatus::Approved))
        );
        assert!(matches!(
            approved.change(Actor::Admin, &status(LoanStatus::Pending), None, now),
            Err(ChangeError::Transition(_))
        ));
        assert_eq!(
            approved.change(Actor::Customer, &status(LoanStatus::Cancelled), None, now),
            Err(ChangeError::NotForActor {
                from: LoanStatus::Approved,
                to: LoanStatus::Cancelled
            })
        );
    }

    #[test]
    fn a_replacement_needs_every_term_and_clears_the_rest() {
        let loan = pending();
        let now = Timestamp::now();
        let partial = LoanChange {
            replace: true,
            amount: Some(dec!(5000)),
            ..LoanChange::default()
        };
        assert_eq!(
            loan.change(Actor::Admin, &partial, None, now),
            Err(ChangeError::Invalid(vec![
                ("annual_interest_rate", "is required".into()),
                ("term_months", "is required".into())
            ]))
        );
        let out_of_range = LoanChange {
            amount: Some(dec!(-1)),
            ..LoanChange::default()
        };
        assert!(matches!(
            loan.change(Actor::Admin, &out_of_range, None, now),
            Err(ChangeError::Invalid(errors)) if errors[0].0 == "amount"
        ));
    }
}
