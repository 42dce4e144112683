//! The fields of a loan product: of [`Product`](crate::domain::product::Product) as the
//! API returns it, and of the body that creates or changes one (`loans::products`). Limits
//! come from `domain::product` and `domain::schedule::LoanTerms`.

use utoipa::openapi::schema::{ObjectBuilder, Type};

use super::client::NAME_PATTERN;
use super::common::{
    POSITIVE_DECIMAL_PATTERN, currency, decimal_input, id, money, money_input, timestamp,
};
use super::{fields, integer, string};
use crate::domain::product::ProductName;
use crate::domain::schedule::LoanTerms;

/// The description of `Product`.
pub const PRODUCT: &str = "A loan product: the price (currency and rate) and the bounds \
    (amounts and terms) the lender offers. Every amount and term inside the bounds has a \
    schedule. Customers apply through products and see only the active ones.";

fn bound(what: &str) -> ObjectBuilder {
    integer(
        1,
        Some(LoanTerms::MAX_TERM_MONTHS as usize),
        &format!("The {what} term, in months, of a loan of the product."),
    )
}

fn rate(held: bool) -> ObjectBuilder {
    let text = format!(
        "Nominal annual interest rate in percent of every loan of the product, from 0 to \
         {} with at most {} decimals{}.",
        LoanTerms::MAX_ANNUAL_RATE,
        LoanTerms::RATE_DECIMALS,
        if held {
            ""
        } else {
            "; a decimal string (a JSON number is `422`)"
        }
    );
    decimal_input(&text).pattern(Some(format!(
        r"^(0|[1-9][0-9]*)(\.[0-9]{{1,{}}})?$",
        LoanTerms::RATE_DECIMALS
    )))
}

fields! {
    /// `id`.
    product_id => id("The product's id");
    /// `name`.
    name => string(&format!(
        "The product's name: 1 to {} characters once trimmed.",
        ProductName::MAX_CHARS
    ))
    .min_length(Some(1))
    .max_length(Some(ProductName::MAX_CHARS))
    .pattern(Some(NAME_PATTERN));
    /// `currency`.
    currency_of => currency("The currency of every loan of the product.");
    /// `annual_interest_rate` as the API returns it.
    rate_held => rate(true);
    /// `annual_interest_rate` as sent.
    rate_sent => rate(false);
    /// `min_amount` as the API returns it.
    min_amount => money("The smallest amount lent through the product.");
    /// `max_amount` as the API returns it.
    max_amount => money("The largest amount lent through the product.");
    /// `min_amount` as sent.
    min_amount_sent => money_input(&format!(
        "The smallest amount lent: above 0, at most `max_amount` and at most {} in the \
         product's currency.",
        LoanTerms::MAX_AMOUNT
    ))
    .pattern(Some(POSITIVE_DECIMAL_PATTERN));
    /// `max_amount` as sent.
    max_amount_sent => money_input(&format!(
        "The largest amount lent: at least `min_amount`, at most {} in the product's currency.",
        LoanTerms::MAX_AMOUNT
    ))
    .pattern(Some(POSITIVE_DECIMAL_PATTERN));
    /// `min_term_months`.
    min_term_months => bound("shortest");
    /// `max_term_months`.
    max_term_months => bound("longest");
    /// `active`.
    active => ObjectBuilder::new()
        .schema_type(Type::Boolean)
        .description(Some("Whether new applications may use the product (a retired one keeps its loans)."));
    /// `loans_made`.
    loans_made => integer(0, None, "How many loans were made from the product; one with any cannot be deleted.");
    /// `created_at`.
    created_at => timestamp("When the product was created.");
    /// `updated_at`.
    updated_at => timestamp("When the product last changed.");
}
