//! Loan schemas: the lifecycle `LoanStatus`, the `Loan` the API returns, the bodies that
//! apply for, replace, patch and quote a loan, and the amortization `Schedule`. Limits come
//! from `shared::domain::schedule::LoanTerms` and `shared::domain::loan`.

use rust_decimal::prelude::ToPrimitive;
use serde_json::json;
use shared::domain::loan::Purpose;
use shared::domain::loan_status::LoanStatus;
use shared::domain::schedule::LoanTerms;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, Schema, Type};

use super::common::{
    POSITIVE_DECIMAL_PATTERN, currency, decimal_input, id, money, money_input, timestamp, version,
};
use super::{closed, formatted, integer, object, or_null, page, record, reference, string};
use crate::examples;

/// This module's component schemas, by name.
pub(super) fn schemas() -> Vec<(&'static str, Schema)> {
    vec![
        ("LoanStatus", status()),
        ("Loan", loan()),
        ("LoanInput", input()),
        ("LoanPatch", patch()),
        (
            "LoanPage",
            page("Loan", examples::page_json(examples::loan_json())),
        ),
        ("QuoteInput", quote()),
        ("Installment", installment()),
        ("Schedule", schedule()),
    ]
}

fn status() -> Schema {
    string(
        "Where a loan is in its life. `pending` → `approved` | `rejected` | `cancelled`; \
         `approved` → `active` (disbursed) | `cancelled`; `active` → `paid`. Any other change \
         is `409`.",
    )
    .enum_values(Some(LoanStatus::ALL.map(LoanStatus::as_str)))
    .build()
    .into()
}

fn term_months() -> ObjectBuilder {
    integer(
        1,
        Some(LoanTerms::MAX_TERM_MONTHS as usize),
        "Number of monthly installments.",
    )
}

fn purpose(max: &str) -> ObjectBuilder {
    string(&format!(
        "What the money is for: {max}{} characters once trimmed, no control characters; \
         blank is the same as none.",
        Purpose::MAX_CHARS
    ))
    .schema_type(or_null(Type::String))
    .max_length(Some(Purpose::MAX_CHARS))
    .pattern(Some(r"^[^\x00-\x1F\x7F-\x9F]*$"))
}

fn loan() -> Schema {
    let rate = string(
        "Nominal annual interest rate in percent, as a decimal string without trailing \
         zeros (`\"12.5\"`).",
    )
    .pattern(Some(format!(
        r"^(0|[1-9][0-9]*)(\.[0-9]{{0,{}}}[1-9])?$",
        LoanTerms::RATE_DECIMALS - 1
    )));
    let mut properties: Vec<(&str, RefOr<Schema>)> = vec![
        ("id", id("The loan's id").into()),
        (
            "client_id",
            id("The borrowing client's id; it never changes").into(),
        ),
        ("status", reference("LoanStatus")),
        ("amount", money("The principal lent.").into()),
        ("currency", currency("The loan's currency.").into()),
        ("annual_interest_rate", rate.into()),
        ("term_months", term_months().into()),
        ("purpose", purpose("at most ").into()),
        (
            "monthly_payment",
            money("The equal monthly installment (the last may differ).").into(),
        ),
        (
            "total_interest",
            money("Interest over the whole term.").into(),
        ),
        ("total_payable", money("Amount plus total interest.").into()),
        (
            "created_at",
            timestamp("When the loan was applied for.").into(),
        ),
        (
            "updated_at",
            timestamp("When the loan last changed.").into(),
        ),
        ("version", version().into()),
    ];
    for status in LoanStatus::ALL {
        if let Some(field) = status.timestamp_field() {
            let stamp = timestamp(&format!("When the loan became `{status}`, or `null`."))
                .schema_type(or_null(Type::String));
            properties.push((field, stamp.into()));
        }
    }
    record(
        "A loan: its terms, the figures of its French amortization (from the same \
         computation as its schedule), and where it stands in its lifecycle, with one \
         timestamp per status reached.",
        properties,
        examples::loan_json(),
    )
}

fn terms() -> Vec<(&'static str, RefOr<Schema>)> {
    let amount = money_input(&format!(
        "The principal: above 0 and at most {} in the loan's currency.",
        LoanTerms::MAX_AMOUNT
    ))
    .pattern(Some(POSITIVE_DECIMAL_PATTERN))
    .exclusive_minimum(Some(0_usize))
    .maximum(LoanTerms::MAX_AMOUNT.to_usize());
    let rate = decimal_input(&format!(
        "Nominal annual interest rate in percent (`\"12.5\"` is 12.5 % a year): a decimal \
         string or a JSON number, read exactly, from 0 to {} with at most {} decimals.",
        LoanTerms::MAX_ANNUAL_RATE,
        LoanTerms::RATE_DECIMALS
    ))
    .pattern(Some(format!(
        r"^(0|[1-9][0-9]*)(\.[0-9]{{1,{}}})?$",
        LoanTerms::RATE_DECIMALS
    )))
    .minimum(Some(0_usize))
    .maximum(LoanTerms::MAX_ANNUAL_RATE.to_usize());
    let currency =
        currency("The loan's currency; `MXN` when left out.").default(Some(json!("MXN")));
    vec![
        ("amount", amount.into()),
        ("currency", currency.into()),
        ("annual_interest_rate", rate.into()),
        ("term_months", term_months().into()),
    ]
}

const TERMS: [&str; 3] = ["amount", "annual_interest_rate", "term_months"];

fn input() -> Schema {
    let mut properties = terms();
    properties.push(("purpose", purpose("up to ").into()));
    closed(object(
        "The terms of a loan, for `POST /clients/{client_id}/loans` (a new loan is always \
         `pending`) and `PUT /loans/{loan_id}` (only while `pending`; a left-out `currency` \
         is `MXN` and a left-out `purpose` is cleared). `status` is not accepted here.",
        properties,
        &TERMS,
        Some(json!({
            "amount": "10000.00",
            "annual_interest_rate": "12",
            "term_months": 12,
            "purpose": "car",
        })),
    ))
}

fn patch() -> Schema {
    let mut properties = terms();
    properties.push(("purpose", purpose("up to ").into()));
    properties.push(("status", reference("LoanStatus")));
    closed(object(
        "Any subset of a loan's terms (only while `pending`) and/or a `status` change. A \
         customer may send only `{\"status\": \"cancelled\"}` for its own `pending` loan: \
         another status is `403`, any other field `422`.",
        properties,
        &[],
        Some(json!({"status": "approved"})),
    ))
}

fn quote() -> Schema {
    closed(object(
        "Terms to preview a schedule for; nothing is stored.",
        terms(),
        &TERMS,
        Some(json!({"amount": "10000.00", "annual_interest_rate": "12", "term_months": 12})),
    ))
}

fn installment() -> Schema {
    let number = integer(
        1,
        Some(LoanTerms::MAX_TERM_MONTHS as usize),
        "1 for the first installment.",
    );
    let due = formatted(
        KnownFormat::Date,
        "Due date: monthly from the disbursement date (from today while the loan is not \
         disbursed, and for quotes); the last day of a shorter month when the day is missing.",
    );
    record(
        "One monthly installment of a French amortization schedule.",
        vec![
            ("number", number.into()),
            ("due_date", due.into()),
            ("payment", money("Principal plus interest.").into()),
            ("principal", money("Principal repaid.").into()),
            (
                "interest",
                money("Balance × annual rate / 12 / 100, rounded half-to-even.").into(),
            ),
            ("balance", money("Still owed after this payment.").into()),
        ],
        None,
    )
}

fn schedule() -> Schema {
    let installments = ArrayBuilder::new()
        .items(reference("Installment"))
        .min_items(Some(1))
        .max_items(Some(LoanTerms::MAX_TERM_MONTHS as usize));
    record(
        "A French amortization schedule: equal monthly installments on the declining \
         balance; the last installment settles whatever is left, so the principals add up to \
         the amount exactly.",
        vec![
            (
                "loan_id",
                id("The loan's id; `null` for a quote")
                    .schema_type(or_null(Type::String))
                    .into(),
            ),
            ("currency", currency("Currency of every figure.").into()),
            (
                "monthly_payment",
                money("The equal monthly installment.").into(),
            ),
            (
                "total_interest",
                money("Sum of the interest column.").into(),
            ),
            ("total_payable", money("Amount plus total interest.").into()),
            ("installments", installments.into()),
        ],
        examples::schedule_json(Some(examples::LOAN_ID)),
    )
}
