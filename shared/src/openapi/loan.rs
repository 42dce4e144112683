//! The fields of a loan: of [`Loan`](crate::domain::loan::Loan) as the API returns it, and
//! of the bodies that apply for, change or quote one (`loans::wire`). Limits come from
//! `domain::schedule::LoanTerms` and `domain::loan`.

use utoipa::openapi::schema::{ObjectBuilder, Type};

use super::common::{
    POSITIVE_DECIMAL_PATTERN, currency, decimal_input, id, money, money_input, optional_timestamp,
    timestamp,
};
use super::{fields, integer, or_null, string};
use crate::domain::loan::Purpose;
use crate::domain::loan_status::LoanStatus;
use crate::domain::schedule::LoanTerms;

/// The description of `LoanStatus`.
pub const STATUS: &str = "Where a loan is in its life. `pending` → `approved` | `rejected` | \
    `cancelled`; `approved` → `active` (disbursed) | `cancelled`; `active` → `written_off`. A \
    loan becomes `paid` only through repayments (and back to `active` when a reversal reopens \
    it). Any other change is `409`.";

/// The description of `Loan`.
pub const LOAN: &str = "A loan: its terms, the figures of its French amortization (from the \
    same computation as its schedule), and where it stands in its lifecycle, with one \
    timestamp per status reached.";

/// The number of monthly installments.
pub fn term_months() -> ObjectBuilder {
    integer(
        1,
        Some(LoanTerms::MAX_TERM_MONTHS as usize),
        "Number of monthly installments.",
    )
}

fn purpose(max: &str) -> ObjectBuilder {
    string(&format!(
        "What the money is for: {max}{} characters once trimmed, no control or bidirectional \
         control characters; blank is the same as none.",
        Purpose::MAX_CHARS
    ))
    .schema_type(or_null(Type::String))
    .max_length(Some(Purpose::MAX_CHARS))
    .pattern(Some(r"^[^\x00-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]*$"))
}

fn stamp(status: LoanStatus) -> ObjectBuilder {
    optional_timestamp(&format!("When the loan became `{status}`, or `null`."))
}

fields! {
    /// `id`.
    loan_id => id("The loan's id");
    /// `client_id`.
    client_id => id("The borrowing client's id; it never changes");
    /// `product_id` as the API returns it.
    product_id => id("The product the loan was applied for through (its currency and rate come \
        from it), or `null` for a bespoke loan an admin booked with explicit terms")
        .schema_type(or_null(Type::String));
    /// `amount` as the API returns it.
    amount => money("The principal lent.");
    /// `currency` as the API returns it.
    currency_held => currency("The loan's currency.");
    /// `annual_interest_rate` as the API returns it: normalized, no trailing zeros.
    rate => string(
        "Nominal annual interest rate in percent, as a decimal string without trailing \
         zeros (`\"12.5\"`).",
    )
    .pattern(Some(format!(
        r"^(0|[1-9][0-9]*)(\.[0-9]{{0,{}}}[1-9])?$",
        LoanTerms::RATE_DECIMALS - 1
    )));
    /// `purpose` as the API returns it.
    purpose_held => purpose("at most ");
    /// `monthly_payment`.
    monthly_payment => money("The equal monthly installment (the last may differ).");
    /// `total_interest`.
    total_interest => money("Interest over the whole term.");
    /// `total_payable`.
    total_payable => money("Amount plus total interest.");
    /// `created_at`.
    created_at => timestamp("When the loan was applied for.");
    /// `updated_at`.
    updated_at => timestamp("When the loan last changed.");
    /// `approved_at`.
    approved_at => stamp(LoanStatus::Approved);
    /// `rejected_at`.
    rejected_at => stamp(LoanStatus::Rejected);
    /// `disbursed_at`.
    disbursed_at => stamp(LoanStatus::Active);
    /// `paid_at`.
    paid_at => stamp(LoanStatus::Paid);
    /// `cancelled_at`.
    cancelled_at => stamp(LoanStatus::Cancelled);
    /// `written_off_at`.
    written_off_at => stamp(LoanStatus::WrittenOff);
    /// `disbursed_on`.
    disbursed_on => string("The value date of the disbursement (`YYYY-MM-DD`), from which the \
        due dates run monthly; `null` until the loan is disbursed.")
        .schema_type(or_null(Type::String))
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Date,
        )));
    /// `product_id` as sent.
    product_id_sent => id("The product to apply through (see `GET /products`); its currency \
        and rate become the loan's, and `amount` and `term_months` must be inside its bounds");
    /// `amount` as sent: above zero, at most the maximum, read exactly.
    amount_sent => money_input(&format!(
        "The principal: above 0 and at most {} in the loan's currency.",
        LoanTerms::MAX_AMOUNT
    ))
    .pattern(Some(POSITIVE_DECIMAL_PATTERN));
    /// `currency` as sent. No `default` keyword, although `MXN` is the default: a generated
    /// client fills a declared default in, and an application through a product that sends
    /// `currency` is refused.
    currency_sent => currency("The loan's currency; `MXN` when left out (never send it \
        with `product_id`: the product's currency is the loan's).");
    /// `annual_interest_rate` as sent.
    rate_sent => decimal_input(&format!(
        "Nominal annual interest rate in percent (`\"12.5\"` is 12.5 % a year): a decimal \
         string (a JSON number is `422`), read exactly, from 0 to {} with at most {} decimals.",
        LoanTerms::MAX_ANNUAL_RATE,
        LoanTerms::RATE_DECIMALS
    ))
    .pattern(Some(format!(
        r"^(0|[1-9][0-9]*)(\.[0-9]{{1,{}}})?$",
        LoanTerms::RATE_DECIMALS
    )));
    /// `purpose` as sent.
    purpose_sent => purpose("up to ");
}
