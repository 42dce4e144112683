//! The fields of a loan's ledger and of what is computed from it: transactions, the
//! balance and the payoff quote (`domain::ledger`, `domain::servicing`, `loans::servicing`).

use utoipa::openapi::KnownFormat;
use utoipa::openapi::schema::{ObjectBuilder, Type};

use super::common::{id, money, money_input, optional_id, optional_timestamp, timestamp};
use super::{fields, formatted, integer, or_null, string};
use crate::domain::ledger::{Reason, Reference};
use crate::domain::servicing::MAX_REPAYMENT;

/// The description of a transaction.
pub const TRANSACTION: &str = "A transaction in a loan's ledger: the `disbursement`, a \
    `repayment`, the `reversal` of a repayment, or the `write_off`. Transactions are never \
    edited or deleted; a reversed repayment shows `reversed_at` and `reversed_by` and stops \
    counting.";

/// The description of an allocation.
pub const ALLOCATION: &str = "How a repayment is split between interest and principal, as \
    the current replay of the ledger applies it (a back-dated repayment or a reversal can \
    change the allocation of later ones). `null` for other transactions and for a reversed \
    repayment.";

fn date(description: &str) -> ObjectBuilder {
    formatted(KnownFormat::Date, description)
}

fn optional_text(description: &str, max: usize) -> ObjectBuilder {
    string(description)
        .schema_type(or_null(Type::String))
        .max_length(Some(max))
}

fields! {
    /// `id` of a transaction.
    txn_id => id("The transaction's id");
    /// `amount` of a transaction.
    amount => money("The money moved: paid out, repaid, reversed, or (a write-off) the payoff \
        written off.");
    /// `paid_on` of a transaction.
    paid_on => date("The value date (`YYYY-MM-DD`): when the money moved. A disbursement's is \
        the loan's `disbursed_on`; a reversal's is the reversed repayment's; a write-off's is \
        the day it was written off.");
    /// `reference` of a transaction.
    reference => optional_text("The repayment's reference (the payer's or the bank's), or \
        `null`.", Reference::MAX_CHARS);
    /// `reason` of a transaction.
    reason => optional_text("Why a reversal or a write-off was made, or `null`.", Reason::MAX_CHARS);
    /// `reverses` of a transaction.
    reverses => optional_id("The repayment a reversal cancels, or `null`");
    /// `reversed_at` of a transaction.
    reversed_at => optional_timestamp("When this repayment was reversed, or `null`.");
    /// `reversed_by` of a transaction.
    reversed_by => string("Who reversed this repayment, or `null`.")
        .schema_type(or_null(Type::String));
    /// `created_at` of a transaction.
    created_at => timestamp("When the transaction was posted.");
    /// `created_by` of a transaction.
    created_by => string("The username that posted it.");
    /// `interest` of an allocation.
    interest_part => money("To interest.");
    /// `principal` of an allocation.
    principal_part => money("To principal (beyond the installments due: a prepayment).");
    /// `amount` of a repayment as sent.
    repayment_amount => money_input(&format!(
        "The money paid, in the loan's currency: above 0 and at most the payoff amount on \
         `paid_on` (more is `422`, naming it); exactly the payoff closes the loan. At most {MAX_REPAYMENT}."
    ));
    /// `paid_on` of a repayment as sent.
    repayment_paid_on => date("The value date (`YYYY-MM-DD`): when the money was paid; today \
        when left out. Not in the future, not before `disbursed_on`. A back-dated repayment \
        replays the ledger from that day.");
    /// `reference` of a repayment as sent.
    repayment_reference => optional_text(&format!(
        "The payer's or the bank's reference, up to {} characters; optional.",
        Reference::MAX_CHARS
    ), Reference::MAX_CHARS);
    /// `reason` as sent (reversal, write-off).
    reason_sent => string(&format!(
        "Why: required, 1 to {} characters of visible text.",
        Reason::MAX_CHARS
    ))
    .min_length(Some(1))
    .max_length(Some(Reason::MAX_CHARS));
    /// `on` of a balance or payoff.
    on => date("The day the figures are for (`YYYY-MM-DD`): the loan as it stood at its end.");
    /// `payoff_amount`.
    payoff_amount => money("What pays the loan off on `on`: `outstanding_principal` + \
        `accrued_interest` − `interest_credit`; `\"0.00\"` once paid.");
    /// `outstanding_principal`.
    outstanding_principal => money("Principal not yet repaid.");
    /// `accrued_interest`.
    accrued_interest => money("Interest owed on `on`: the unpaid interest of installments \
        due on or before it, plus the current period's interest pro rata by days.");
    /// `interest_credit`.
    interest_credit => money("Interest already paid on the current period's installment \
        (paid ahead of being earned), credited against the payoff.");
    /// `amount_due`.
    amount_due => money("What is unpaid of the installments due on or before `on`.");
    /// `overdue_amount`.
    overdue_amount => money("What is unpaid of the installments whose due date is before `on`.");
    /// `days_past_due`.
    days_past_due => integer(0, None, "Days since the oldest overdue installment's due date; \
        0 if none is overdue.");
    /// `next_due_date`.
    next_due_date => date("The due date of the next installment due on or after `on` that is \
        not fully paid (overdue ones are in `overdue_amount`), or `null`.")
        .schema_type(or_null(Type::String));
    /// `next_due_amount`.
    next_due_amount => money("What is unpaid of that installment, or `null`.")
        .schema_type(or_null(Type::String));
    /// `installments_paid`.
    installments_paid => integer(0, None, "Installments fully paid.");
    /// `installments_remaining`.
    installments_remaining => integer(0, None, "Installments of the current plan not fully paid.");
    /// `total_paid`.
    total_paid => money("Every repayment that counts (not reversed), up to `on`.");
    /// `delinquency`.
    delinquency => string("The arrears bucket of `days_past_due`.")
        .enum_values(Some(["current", "1-30", "31-60", "61-90", "91+"]));
}
