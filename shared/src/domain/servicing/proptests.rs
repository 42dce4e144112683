//! Property tests of the servicing engine: random schedules, random sequences of on-time,
//! late, partial, prepaid and payoff repayments, and reversals.

use super::*;
use chrono::Days;
use proptest::prelude::*;
use rust_decimal::RoundingStrategy;

/// What a step of a random ledger does.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// Pays the oldest open installment on its due date (or today, if that is past).
    OnTime,
    /// Pays part of what the loan owes.
    Partial,
    /// Pays its installment and prepays part of the rest.
    Prepay,
    /// Pays the loan off exactly.
    Payoff,
    /// Lets the loan fall behind, then pays part of what is due.
    Late,
    /// Reverses an earlier repayment.
    Reverse,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => Just(Step::OnTime),
        2 => Just(Step::Partial),
        1 => Just(Step::Prepay),
        1 => Just(Step::Payoff),
        2 => Just(Step::Late),
        1 => Just(Step::Reverse),
    ]
}

/// Schedulable terms: 100.00 to 50,000.00 MXN, or the same in whole JPY, at 0 to 36 %
/// over 1 to 48 months.
fn terms() -> impl Strategy<Value = LoanTerms> {
    (
        10_000i64..=5_000_000,
        0u32..=3_600,
        1u32..=48,
        any::<bool>(),
    )
        .prop_filter_map(
            "terms without a schedule",
            |(cents, basis_points, months, yen)| {
                let (amount, currency) = if yen {
                    (Decimal::new(cents, 0), Currency::parse("JPY").ok()?)
                } else {
                    (Decimal::new(cents, 2), Currency::mxn())
                };
                let rate = Decimal::new(i64::from(basis_points), 2);
                let terms = LoanTerms::parse(amount, currency, rate, months).ok()?;
                schedule::build(&terms, NaiveDate::default()).ok()?;
                Some(terms)
            },
        )
}

/// A disbursement date within the first months of 2024, month ends included.
fn disbursed() -> impl Strategy<Value = NaiveDate> {
    (0u64..=120).prop_map(|offset| {
        NaiveDate::from_ymd_opt(2024, 1, 1)
            .and_then(|d| d.checked_add_days(Days::new(offset)))
            .unwrap_or_default()
    })
}

fn down_to_units(amount: Decimal, currency: Currency) -> Decimal {
    amount.round_dp_with_strategy(currency.minor_units(), RoundingStrategy::ToZero)
}

/// A ledger built step by step, each repayment chosen from the loan as it stands, so none
/// exceeds its payoff; value dates never go back. Checks on the way that a repayment
/// lowers the payoff of its day by exactly its amount.
fn ledger(terms: &LoanTerms, disbursed: NaiveDate, steps: &[(Step, u64, u32)]) -> Vec<Repayment> {
    let currency = terms.currency();
    let mut ledger: Vec<Repayment> = Vec::new();
    let mut day = disbursed;
    let mut seq = 0;
    for &(step, gap, percent) in steps {
        let position = Position::replay(terms, disbursed, &ledger, None).unwrap();
        if position.closed_on().is_some() {
            break;
        }
        day = day.checked_add_days(Days::new(gap)).unwrap();
        let share = |amount: Decimal| {
            down_to_units(
                amount * Decimal::from(percent) / Decimal::ONE_HUNDRED,
                currency,
            )
        };
        let amount = match step {
            Step::OnTime => {
                let oldest =
                    &position.rows()[position.rows().iter().position(|r| !r.is_paid()).unwrap()];
                day = day.max(oldest.due_date);
                oldest.unpaid()
            }
            Step::Partial => share(position.payoff(day).payoff_amount),
            Step::Prepay => {
                let payoff = position.payoff(day).payoff_amount;
                let due = position.balance(day).amount_due + position.monthly_payment();
                due + share(payoff.saturating_sub(due))
            }
            Step::Payoff => position.payoff(day).payoff_amount,
            Step::Late => {
                day = day.checked_add_days(Days::new(40)).unwrap();
                share(position.balance(day).amount_due)
            }
            Step::Reverse => {
                if !ledger.is_empty() {
                    let index = usize::try_from(u64::from(percent)).unwrap() % ledger.len();
                    ledger.remove(index);
                }
                continue;
            }
        };
        let position = Position::replay(terms, disbursed, &ledger, None).unwrap();
        let before = position.payoff(day).payoff_amount;
        let amount = amount.min(before);
        if amount <= Decimal::ZERO {
            continue;
        }
        seq += 1;
        ledger.push(Repayment {
            seq,
            paid_on: day,
            amount,
        });
        let after = Position::replay(terms, disbursed, &ledger, None).unwrap();
        assert_eq!(
            after.payoff(day).payoff_amount,
            before - amount,
            "a repayment lowers its day's payoff by its amount"
        );
    }
    ledger
}

/// Every distinct value date, and the days around them, up to a month past the last.
fn days_of(ledger: &[Repayment], disbursed: NaiveDate) -> Vec<NaiveDate> {
    let mut days = vec![disbursed];
    for r in ledger {
        days.extend([
            r.paid_on.pred_opt().unwrap(),
            r.paid_on,
            r.paid_on.succ_opt().unwrap(),
        ]);
    }
    let last = days.iter().max().copied().unwrap_or(disbursed);
    days.extend(
        (1..=31)
            .step_by(5)
            .map(|d| last.checked_add_days(Days::new(d)).unwrap()),
    );
    days.retain(|d| *d >= disbursed);
    days.sort();
    days.dedup();
    days
}

fn day_totals(position: &Position) -> Vec<(NaiveDate, Decimal, Decimal)> {
    let mut totals: Vec<(NaiveDate, Decimal, Decimal)> = Vec::new();
    for a in position.applied() {
        match totals.last_mut() {
            Some(last) if last.0 == a.repayment.paid_on => {
                last.1 += a.allocation.interest;
                last.2 += a.allocation.principal;
            }
            _ => totals.push((
                a.repayment.paid_on,
                a.allocation.interest,
                a.allocation.principal,
            )),
        }
    }
    totals
}

fn check_position(terms: &LoanTerms, position: &Position) {
    let zero = Decimal::ZERO;
    let mut principal_allocated = zero;
    for a in position.applied() {
        let Allocation {
            interest,
            principal,
        } = a.allocation;
        assert!(interest >= zero && principal >= zero, "allocation {a:?}");
        assert_eq!(
            interest + principal,
            a.repayment.amount,
            "allocation adds up: {a:?}"
        );
        principal_allocated += principal;
    }
    assert!(
        principal_allocated <= terms.amount(),
        "never more principal than lent"
    );
    let principal_paid: Decimal = position.rows().iter().map(|r| r.principal_paid).sum();
    assert_eq!(principal_allocated, principal_paid + position.prepaid());
    let unpaid: Decimal = position
        .rows()
        .iter()
        .map(|r| r.principal - r.principal_paid)
        .sum();
    assert_eq!(
        position.outstanding_principal(),
        unpaid,
        "the running total is the plan's unpaid principal"
    );
    let planned: Decimal = position.rows().iter().map(|r| r.principal).sum();
    assert_eq!(
        planned + position.prepaid(),
        terms.amount(),
        "the plan holds the amount lent"
    );
    let interest_paid: Decimal = position.rows().iter().map(|r| r.interest_paid).sum();
    let interest_allocated: Decimal = position
        .applied()
        .iter()
        .map(|a| a.allocation.interest)
        .sum();
    assert_eq!(interest_paid, interest_allocated);
    for row in position.rows() {
        assert!(row.interest >= zero && row.principal > zero, "{row:?}");
        assert!(
            row.interest_paid >= zero && row.interest_paid <= row.interest,
            "{row:?}"
        );
        assert!(
            row.principal_paid >= zero && row.principal_paid <= row.principal,
            "{row:?}"
        );
    }
    assert!(position.waived_interest() >= zero);
    if position.closed_on().is_some() {
        assert_eq!(
            principal_allocated,
            terms.amount(),
            "paid off means all principal repaid"
        );
        assert!(position.rows().iter().all(Row::is_paid));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn random_ledgers_keep_every_invariant(
        terms in terms(),
        disbursed in disbursed(),
        steps in prop::collection::vec((step(), 0u64..=45, 1u32..=100), 0..=24),
        rotation in 0usize..24,
    ) {
        let ledger = ledger(&terms, disbursed, &steps);
        let position = Position::replay(&terms, disbursed, &ledger, None).unwrap();
        check_position(&terms, &position);

        // Any posting order with the same value dates gives the same state.
        let mut seqs: Vec<u64> = ledger.iter().map(|r| r.seq).collect();
        seqs.reverse();
        if !seqs.is_empty() {
            let by = rotation % seqs.len();
            seqs.rotate_left(by);
        }
        let reordered: Vec<Repayment> = ledger
            .iter()
            .zip(seqs)
            .map(|(r, seq)| Repayment { seq, ..*r })
            .collect();
        let other = Position::replay(&terms, disbursed, &reordered, None).unwrap();
        prop_assert_eq!(super::tests::figures(&other), super::tests::figures(&position));
        prop_assert_eq!(other.closed_on(), position.closed_on());
        prop_assert_eq!(other.prepaid(), position.prepaid());
        prop_assert_eq!(other.waived_interest(), position.waived_interest());
        prop_assert_eq!(day_totals(&other), day_totals(&position));
        check_position(&terms, &other);

        // The payoff and balance of any day, from the replay through that day.
        let mut previous: Option<(NaiveDate, Decimal, usize)> = None;
        for day in days_of(&ledger, disbursed) {
            let then = Position::replay(&terms, disbursed, &ledger, Some(day)).unwrap();
            check_position(&terms, &then);
            let payoff = then.payoff(day);
            let balance = then.balance(day);
            let zero = Decimal::ZERO;
            prop_assert!(payoff.payoff_amount >= zero);
            prop_assert!(payoff.accrued_interest >= zero && payoff.interest_credit >= zero);
            prop_assert!(payoff.outstanding_principal >= zero);
            prop_assert_eq!(
                payoff.payoff_amount,
                payoff.outstanding_principal + payoff.accrued_interest - payoff.interest_credit
            );
            // Never above the principal plus all the interest still scheduled; never below
            // the principal but for interest paid ahead of being earned, credited.
            let unpaid_interest: Decimal =
                then.rows().iter().map(|r| r.interest - r.interest_paid).sum();
            prop_assert!(payoff.payoff_amount <= payoff.outstanding_principal + unpaid_interest);
            prop_assert!(
                payoff.payoff_amount + payoff.interest_credit >= payoff.outstanding_principal
            );
            let paid_ahead: Decimal = then
                .rows()
                .iter()
                .filter(|r| r.due_date > day)
                .map(|r| r.interest_paid)
                .sum();
            prop_assert!(payoff.interest_credit <= paid_ahead);
            prop_assert!(balance.overdue_amount <= balance.amount_due);
            prop_assert!(balance.amount_due <= payoff.outstanding_principal + unpaid_interest);
            prop_assert_eq!(balance.days_past_due == 0, balance.overdue_amount.is_zero());
            prop_assert_eq!(
                balance.installments_paid + balance.installments_remaining,
                u32::try_from(then.rows().len()).unwrap()
            );
            prop_assert_eq!(balance.total_paid, then.total_paid());
            // With no repayment in between, the payoff only grows with time.
            if let Some((_, earlier, applied)) = previous
                && applied == then.applied().len()
            {
                prop_assert!(payoff.payoff_amount >= earlier);
            }
            previous = Some((day, payoff.payoff_amount, then.applied().len()));
        }
    }

    #[test]
    fn paying_every_installment_on_its_due_date_ends_paid(
        terms in terms(),
        disbursed in disbursed(),
    ) {
        let plan = Position::replay(&terms, disbursed, &[], None).unwrap();
        let ledger: Vec<Repayment> = plan
            .rows()
            .iter()
            .zip(1..)
            .map(|(row, seq)| Repayment {
                seq,
                paid_on: row.due_date,
                amount: row.unpaid(),
            })
            .collect();
        let position = Position::replay(&terms, disbursed, &ledger, None).unwrap();
        let last = plan.rows().last().unwrap().due_date;
        prop_assert_eq!(position.closed_on(), Some(last));
        prop_assert_eq!(position.waived_interest(), Decimal::ZERO);
        prop_assert_eq!(position.payoff(last).payoff_amount, Decimal::ZERO);
        let schedule = schedule::build(&terms, disbursed).unwrap();
        prop_assert_eq!(position.total_paid(), schedule.total_payable);
        for (applied, installment) in position.applied().iter().zip(&schedule.installments) {
            prop_assert_eq!(applied.allocation.interest, installment.interest);
            prop_assert_eq!(applied.allocation.principal, installment.principal);
        }
        check_position(&terms, &position);
    }
}
