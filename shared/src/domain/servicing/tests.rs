//! Golden cases of the servicing engine, each derived by hand in its comments, and the
//! rules around them.
//!
//! Two loans serve every case, both in MXN at 12 % a year (1 % a month exactly), disbursed
//! on 2025-01-15, so installments fall due on the 15th and the periods have 31, 28, 31,
//! 30, 31 and 30 days (January, February, March, April, May and June to their next 15th).
//!
//! - 1,200.00 over 3 months: the installment is 408.03, the smallest whose last one is
//!   no larger (the annuity is 1200 × 0.01 / (1 − 1.01⁻³) = 408.026...).
//!   Row 1: interest 1200 × 1 % = 12.00, principal 396.03, balance 803.97.
//!   Row 2: interest 8.0397 → 8.04, principal 399.99, balance 403.98.
//!   Row 3: interest 4.0398 → 4.04, principal 403.98, payment 408.02.
//! - 3,000.00 over 6 months: the installment is 517.65 (annuity 517.6455...).
//!   Row 1: interest 30.00, principal 487.65, balance 2512.35.
//!   Row 2: interest 25.1235 → 25.12, principal 492.53, balance 2019.82; rows 3-6 follow
//!   (20.20, 15.22, 10.20 and 5.12 of interest, the last payment 517.61).

use super::*;
use rust_decimal::dec;

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn terms(amount: Decimal, months: u32) -> LoanTerms {
    LoanTerms::parse(amount, Currency::mxn(), dec!(12), months).unwrap()
}

fn small() -> LoanTerms {
    terms(dec!(1200.00), 3)
}

fn larger() -> LoanTerms {
    terms(dec!(3000.00), 6)
}

fn disbursed() -> NaiveDate {
    date("2025-01-15")
}

/// Repayments posted in the order given: `(paid_on, amount)`.
fn ledger(payments: &[(&str, Decimal)]) -> Vec<Repayment> {
    payments
        .iter()
        .zip(1..)
        .map(|((paid_on, amount), seq)| Repayment {
            seq,
            paid_on: date(paid_on),
            amount: *amount,
        })
        .collect()
}

fn replay(terms: &LoanTerms, payments: &[(&str, Decimal)]) -> Position {
    Position::replay(terms, disbursed(), &ledger(payments), None).unwrap()
}

fn allocations(position: &Position) -> Vec<(Decimal, Decimal)> {
    position
        .applied()
        .iter()
        .map(|a| (a.allocation.interest, a.allocation.principal))
        .collect()
}

#[test]
fn an_on_time_loan_pays_each_installment_and_closes_with_the_last() {
    // Each installment on its due date pays exactly its interest and principal. On
    // 2025-04-15 nothing is current any more, so the payoff is the last installment,
    // 403.98 + 4.04 = 408.02, and paying it closes the loan with nothing waived.
    let position = replay(
        &small(),
        &[
            ("2025-02-15", dec!(408.03)),
            ("2025-03-15", dec!(408.03)),
            ("2025-04-15", dec!(408.02)),
        ],
    );
    assert_eq!(
        allocations(&position),
        [
            (dec!(12.00), dec!(396.03)),
            (dec!(8.04), dec!(399.99)),
            (dec!(4.04), dec!(403.98))
        ]
    );
    assert_eq!(position.closed_on(), Some(date("2025-04-15")));
    assert_eq!(position.waived_interest(), dec!(0));
    let balance = position.balance(date("2025-04-15"));
    assert_eq!(balance.payoff.payoff_amount, dec!(0));
    assert_eq!(balance.payoff.outstanding_principal, dec!(0));
    assert_eq!(
        (balance.installments_paid, balance.installments_remaining),
        (3, 0)
    );
    assert_eq!(balance.total_paid, dec!(1224.08));
    assert_eq!(balance.next_due, None);
}

#[test]
fn paying_a_few_days_early_pays_the_installment_and_credits_unearned_interest() {
    // On 2025-02-12 installment 1 (due 02-15) is the current one: 408.03 pays its 12.00 of
    // interest and 396.03 of principal, leaving 803.97. Of the 31-day period 28 days have
    // passed (January 15 to February 12), so 12.00 × 28 / 31 = 10.8387 → 10.84 has been
    // earned and 1.16 was paid ahead: the payoff is 803.97 − 1.16 = 802.81.
    let position = replay(&small(), &[("2025-02-12", dec!(408.03))]);
    assert_eq!(allocations(&position), [(dec!(12.00), dec!(396.03))]);
    let payoff = position.payoff(date("2025-02-12"));
    assert_eq!(payoff.outstanding_principal, dec!(803.97));
    assert_eq!(payoff.accrued_interest, dec!(0));
    assert_eq!(payoff.interest_credit, dec!(1.16));
    assert_eq!(payoff.payoff_amount, dec!(802.81));
    // On the due date the installment is paid and the next one has just begun: nothing
    // overdue, 408.03 due on 03-15, and the payoff is the principal.
    let balance = position.balance(date("2025-02-15"));
    assert_eq!(balance.days_past_due, 0);
    assert_eq!(balance.delinquency, Delinquency::Current);
    assert_eq!(balance.next_due, Some((date("2025-03-15"), dec!(408.03))));
    assert_eq!(balance.payoff.payoff_amount, dec!(803.97));
    assert_eq!(balance.installments_paid, 1);
}

#[test]
fn a_late_loan_counts_days_past_due_from_its_oldest_overdue_installment() {
    // Nothing paid by 2025-04-01: installments 1 (due 02-15) and 2 (due 03-15) are
    // overdue, 408.03 each. Days past due run from February 15: 13 days to February 28,
    // then 31 in March and 1 in April, 45 in all: the 31-60 bucket.
    let late = replay(&small(), &[]);
    let on = date("2025-04-01");
    let balance = late.balance(on);
    assert_eq!(balance.overdue_amount, dec!(816.06));
    assert_eq!(balance.amount_due, dec!(816.06));
    assert_eq!(balance.days_past_due, 45);
    assert_eq!(balance.delinquency, Delinquency::UpTo60);
    // Payoff: 1200.00 of principal, 12.00 + 8.04 of overdue interest, and of installment
    // 3's period (03-15 to 04-15, 31 days) 17 days: 4.04 × 17 / 31 = 2.2154 → 2.22.
    assert_eq!(late.payoff(on).accrued_interest, dec!(22.26));
    assert_eq!(late.payoff(on).payoff_amount, dec!(1222.26));
    // A repayment of one installment that day pays the oldest one; installment 2 is now
    // the oldest overdue, 17 days (March 15 to April 1).
    let caught_up = replay(&small(), &[("2025-04-01", dec!(408.03))]);
    assert_eq!(allocations(&caught_up), [(dec!(12.00), dec!(396.03))]);
    let balance = caught_up.balance(on);
    assert_eq!(balance.days_past_due, 17);
    assert_eq!(balance.delinquency, Delinquency::UpTo30);
    assert_eq!(balance.overdue_amount, dec!(408.03));
    // On a due date, that day's installment is due but not overdue.
    let balance = late.balance(date("2025-02-15"));
    assert_eq!(
        (balance.amount_due, balance.overdue_amount),
        (dec!(408.03), dec!(0))
    );
    assert_eq!(balance.days_past_due, 0);
}

#[test]
fn a_payoff_mid_period_charges_the_interest_accrued_and_waives_the_rest() {
    // After installment 1 on time, on 2025-03-01 installment 2's period (02-15 to 03-15,
    // 28 days) is 14 days old: 8.04 × 14 / 28 = 4.02 has accrued. The payoff is
    // 803.97 + 4.02 = 807.99; paying it closes the loan, and the interest never earned is
    // waived: 8.04 − 4.02 of installment 2 and all 4.04 of installment 3, 8.06.
    let on = date("2025-03-01");
    let first = replay(&small(), &[("2025-02-15", dec!(408.03))]);
    assert_eq!(first.payoff(on).payoff_amount, dec!(807.99));
    let position = replay(
        &small(),
        &[("2025-02-15", dec!(408.03)), ("2025-03-01", dec!(807.99))],
    );
    assert_eq!(position.closed_on(), Some(on));
    assert_eq!(allocations(&position)[1], (dec!(4.02), dec!(803.97)));
    assert_eq!(position.waived_interest(), dec!(8.06));
    let plan = position.plan(on);
    assert_eq!(
        plan.len(),
        2,
        "the installments after the closing one are gone"
    );
    assert_eq!(
        (plan[1].principal, plan[1].interest, plan[1].state),
        (dec!(803.97), dec!(4.02), InstallmentState::Paid)
    );
    // Anything more, on that day or later, is beyond the payoff of zero.
    let beyond = Position::replay(
        &small(),
        disbursed(),
        &ledger(&[
            ("2025-02-15", dec!(408.03)),
            ("2025-03-01", dec!(807.99)),
            ("2025-03-02", dec!(0.01)),
        ]),
        None,
    );
    assert_eq!(
        beyond,
        Err(ServicingError::ExceedsPayoff {
            seq: 3,
            paid_on: date("2025-03-02"),
            payoff: dec!(0)
        })
    );
}

#[test]
fn a_payoff_after_paying_early_turns_the_unearned_interest_into_principal() {
    // 408.03 on 2025-02-12 paid installment 1's 12.00 of interest. A day later 29 of its
    // 31 days have passed: 12.00 × 29 / 31 = 11.2258 → 11.23 earned, 0.77 paid ahead, so
    // the payoff is 803.97 − 0.77 = 803.20. Paying it closes the loan: the first
    // repayment's interest becomes 11.23 and its principal 396.80, the second one is all
    // principal, and the principal adds up to the 1,200.00 lent.
    let position = replay(
        &small(),
        &[("2025-02-12", dec!(408.03)), ("2025-02-13", dec!(803.20))],
    );
    assert_eq!(position.closed_on(), Some(date("2025-02-13")));
    assert_eq!(
        allocations(&position),
        [(dec!(11.23), dec!(396.80)), (dec!(0), dec!(803.20))]
    );
    // Waived: 0.77 of installment 1, and all of installments 2 and 3 (8.04 + 4.04).
    assert_eq!(position.waived_interest(), dec!(12.85));
}

#[test]
fn a_prepayment_on_a_due_date_recomputes_the_plan_which_ends_sooner() {
    // On 2025-02-15, 2017.65 pays installment 1 (due that day: 30.00 + 487.65), then the
    // current installment 2 (25.12 + 492.53), and prepays the remaining 982.35. The
    // balance after installment 2 falls from 2019.82 to 1037.47 and the plan after it is
    // recomputed at 517.65 a month:
    //   row 3: interest 10.3747 → 10.37, principal 507.28, balance 530.19;
    //   row 4: interest 5.3019 → 5.30, and 530.19 + 5.30 > 517.65, so principal 512.35,
    //          balance 17.84;
    //   row 5: interest 0.1784 → 0.18; 17.84 + 0.18 = 18.02 fits: the last installment,
    //          due 2025-06-15 instead of 2025-07-15.
    let position = replay(&larger(), &[("2025-02-15", dec!(2017.65))]);
    assert_eq!(allocations(&position), [(dec!(55.12), dec!(1962.53))]);
    assert_eq!(position.prepaid(), dec!(982.35));
    let plan = position.plan(date("2025-02-15"));
    let rows: Vec<_> = plan
        .iter()
        .map(|r| (r.number, r.payment, r.principal, r.interest, r.balance))
        .collect();
    assert_eq!(
        rows,
        [
            (1, dec!(517.65), dec!(487.65), dec!(30.00), dec!(1530.00)),
            (2, dec!(517.65), dec!(492.53), dec!(25.12), dec!(1037.47)),
            (3, dec!(517.65), dec!(507.28), dec!(10.37), dec!(530.19)),
            (4, dec!(517.65), dec!(512.35), dec!(5.30), dec!(17.84)),
            (5, dec!(18.02), dec!(17.84), dec!(0.18), dec!(0.00)),
        ]
    );
    assert_eq!(plan[4].due_date, date("2025-06-15"));
    assert_eq!(
        plan.iter().map(|r| r.state).collect::<Vec<_>>(),
        [
            InstallmentState::Paid,
            InstallmentState::Paid,
            InstallmentState::Upcoming,
            InstallmentState::Upcoming,
            InstallmentState::Upcoming
        ]
    );
    // The balance after each row is the principal the plan still holds after it, net of
    // the prepayment (after row 1: 2512.35 − 982.35 = 1530.00); what is still owed is
    // 3000.00 less the 1962.53 repaid.
    assert_eq!(
        position.payoff(date("2025-02-15")).outstanding_principal,
        dec!(1037.47)
    );
}

/// The money of each row of the plan, without the bookkeeping of which repayment paid
/// which interest (that depends on posting order by design).
pub(super) fn figures(
    position: &Position,
) -> Vec<(u32, NaiveDate, Decimal, Decimal, Decimal, Decimal)> {
    position
        .rows()
        .iter()
        .map(|r| {
            (
                r.number,
                r.due_date,
                r.interest,
                r.principal,
                r.interest_paid,
                r.principal_paid,
            )
        })
        .collect()
}

#[test]
fn a_day_is_applied_as_one_payment_whatever_its_posting_order() {
    // Two repayments on one day, posted in either order, leave the same plan; each takes
    // its share of the day's allocation in posting order.
    let forward = replay(
        &larger(),
        &[("2025-02-15", dec!(600.00)), ("2025-02-15", dec!(500.00))],
    );
    let mut reversed = ledger(&[("2025-02-15", dec!(500.00)), ("2025-02-15", dec!(600.00))]);
    reversed.reverse();
    let backward = Position::replay(&larger(), disbursed(), &reversed, None).unwrap();
    assert_eq!(figures(&forward), figures(&backward));
    // Forward: 600.00 takes installment 1 (30.00 + 487.65) and 25.12 + 57.23 of
    // installment 2; 500.00 the rest of installment 2's principal, 435.30.
    assert_eq!(
        allocations(&forward),
        [(dec!(55.12), dec!(544.88)), (dec!(0), dec!(500.00))]
    );
}

#[test]
fn a_back_dated_repayment_replays_the_ledger() {
    // Installment 1 is paid late, on 03-01; a repayment dated 02-15 posted afterwards
    // takes installment 1 instead, and the later one moves on to installment 2.
    let payments = ledger(&[("2025-03-01", dec!(408.03)), ("2025-02-15", dec!(408.03))]);
    let position = Position::replay(&small(), disbursed(), &payments, None).unwrap();
    assert_eq!(
        position.allocation(2),
        Some(Allocation {
            interest: dec!(12.00),
            principal: dec!(396.03)
        })
    );
    assert_eq!(
        position.allocation(1),
        Some(Allocation {
            interest: dec!(8.04),
            principal: dec!(399.99)
        })
    );
    // As the loan stood on 02-20, only the back-dated repayment counted.
    let then =
        Position::replay(&small(), disbursed(), &payments, Some(date("2025-02-20"))).unwrap();
    assert_eq!(then.applied().len(), 1);
    assert_eq!(then.balance(date("2025-02-20")).total_paid, dec!(408.03));
}

#[test]
fn repayments_must_be_positive_whole_minor_units_after_disbursement() {
    let cases = [
        (
            ("2025-02-15", dec!(0)),
            ServicingError::InvalidAmount { seq: 1 },
        ),
        (
            ("2025-02-15", dec!(-1)),
            ServicingError::InvalidAmount { seq: 1 },
        ),
        (
            ("2025-02-15", dec!(1.001)),
            ServicingError::InvalidAmount { seq: 1 },
        ),
        (
            ("2025-01-14", dec!(1)),
            ServicingError::BeforeDisbursement { seq: 1 },
        ),
        (
            ("2025-02-15", dec!(1212.01)),
            ServicingError::ExceedsPayoff {
                seq: 1,
                paid_on: date("2025-02-15"),
                payoff: dec!(1212.00),
            },
        ),
    ];
    for (payment, expected) in cases {
        assert_eq!(
            Position::replay(&small(), disbursed(), &ledger(&[payment]), None),
            Err(expected)
        );
    }
}

#[test]
fn a_later_repayment_of_the_same_day_is_the_one_beyond_the_payoff() {
    // The payoff on 2025-02-15 is 1212.00 (1200.00 + installment 1's 12.00): 1000.00 fits,
    // and of the second repayment only 212.00 would.
    let result = Position::replay(
        &small(),
        disbursed(),
        &ledger(&[("2025-02-15", dec!(1000.00)), ("2025-02-15", dec!(300.00))]),
        None,
    );
    assert_eq!(
        result,
        Err(ServicingError::ExceedsPayoff {
            seq: 2,
            paid_on: date("2025-02-15"),
            payoff: dec!(212.00)
        })
    );
}

#[test]
fn the_delinquency_buckets_have_their_bounds() {
    let buckets: Vec<&str> = [0, 1, 30, 31, 60, 61, 90, 91, 400]
        .into_iter()
        .map(|days| Delinquency::of(days).as_str())
        .collect();
    assert_eq!(
        buckets,
        [
            "current", "1-30", "1-30", "31-60", "31-60", "61-90", "61-90", "91+", "91+"
        ]
    );
}

#[test]
fn a_zero_rate_loan_closes_when_its_principal_is_paid() {
    // No interest ever accrues, so the payoff is the principal on any day.
    let free = LoanTerms::parse(dec!(900.00), Currency::mxn(), dec!(0), 3).unwrap();
    let position = Position::replay(
        &free,
        disbursed(),
        &ledger(&[("2025-01-20", dec!(300.00)), ("2025-03-01", dec!(600.00))]),
        None,
    )
    .unwrap();
    assert_eq!(position.closed_on(), Some(date("2025-03-01")));
    assert_eq!(position.total_paid(), dec!(900.00));
}
