//! The fields of an amortization schedule and of its installments, as
//! [`Schedule`](crate::domain::schedule::Schedule) serializes them (and the schedule
//! responses add a `loan_id`). Limits come from `domain::schedule::LoanTerms`.

use utoipa::openapi::schema::{ArrayBuilder, KnownFormat};

use super::common::{money, optional_id};
use super::{fields, formatted, integer, reference, string};
use crate::domain::schedule::LoanTerms;

fields! {
    /// `loan_id` of a schedule response.
    loan_id => optional_id("The loan's id; `null` for a quote");
    /// `currency`.
    currency => super::common::currency("Currency of every figure.");
    /// `monthly_payment`.
    monthly_payment => money("The equal monthly installment.");
    /// `total_interest`.
    total_interest => money("Sum of the interest column.");
    /// `total_payable`.
    total_payable => money("Amount plus total interest.");
    /// `installments`: one per month of the term.
    installments => ArrayBuilder::new()
        .items(reference::<crate::domain::schedule::InstallmentWire>())
        .min_items(Some(1))
        .max_items(Some(LoanTerms::MAX_TERM_MONTHS as usize));
    /// An installment's `number`.
    number => integer(
        1,
        Some(LoanTerms::MAX_TERM_MONTHS as usize),
        "1 for the first installment.",
    );
    /// An installment's `due_date`.
    due_date => formatted(
        KnownFormat::Date,
        "Due date: monthly from the disbursement date (from today while the loan is not \
         disbursed, and for quotes); the last day of a shorter month when the day is missing.",
    );
    /// An installment's `payment`.
    payment => money("Principal plus interest.");
    /// An installment's `principal`.
    principal => money("Principal repaid.");
    /// An installment's `interest`.
    interest => money("Balance × annual rate / 12 / 100, rounded half-to-even.");
    /// An installment's `balance`.
    balance => money("Still owed after this payment.");
    /// A disbursed loan's installment's `paid`.
    paid => money("Only for a disbursed loan: what has been paid of this installment.");
    /// A disbursed loan's installment's `state`.
    state => string("Only for a disbursed loan: `paid`, `partially_paid` (something paid, \
        not yet due), `overdue` (its due date has passed with part unpaid), `due` (due \
        today) or `upcoming`.")
        .enum_values(Some(["paid", "partially_paid", "overdue", "due", "upcoming"]));
}
