//! Products: their bounds, and the promise that every loan inside them has a schedule.
use super::*;
use crate::domain::schedule;
use chrono::NaiveDate;
use rust_decimal::dec;

fn mxn() -> Currency {
    Currency::mxn()
}

fn terms(
    rate: Decimal,
    amounts: (Decimal, Decimal),
    months: (u32, u32),
) -> Result<ProductTerms, Vec<(&'static str, String)>> {
    ProductTerms::parse(mxn(), rate, amounts, months)
}

fn fields(errors: &[(&'static str, String)]) -> Vec<&'static str> {
    errors.iter().map(|(field, _)| *field).collect()
}

#[test]
fn a_product_keeps_its_bounds_at_the_currency_minor_units() {
    let product = terms(dec!(18.50), (dec!(1000), dec!(50000.5)), (6, 36)).unwrap();
    let json = serde_json::to_value(&product).unwrap();
    assert_eq!(json["min_amount"], "1000.00");
    assert_eq!(json["max_amount"], "50000.50");
    assert_eq!(json["annual_interest_rate"], "18.5");
    assert_eq!(
        (
            json["min_term_months"].clone(),
            json["max_term_months"].clone()
        ),
        (6.into(), 36.into())
    );
}

#[test]
fn each_broken_bound_is_named() {
    let cases = [
        (
            (dec!(0), dec!(100)),
            (1, 12),
            dec!(10),
            vec!["min_amount"],
            "a zero minimum",
        ),
        (
            (dec!(100), dec!(10000000.01)),
            (1, 12),
            dec!(10),
            vec!["max_amount"],
            "over ten million",
        ),
        (
            (dec!(100.001), dec!(200)),
            (1, 12),
            dec!(10),
            vec!["min_amount"],
            "a tenth of a cent",
        ),
        (
            (dec!(500), dec!(100)),
            (1, 12),
            dec!(10),
            vec!["min_amount"],
            "min above max",
        ),
        (
            (dec!(100), dec!(500)),
            (0, 12),
            dec!(10),
            vec!["min_term_months"],
            "zero months",
        ),
        (
            (dec!(100), dec!(500)),
            (1, 361),
            dec!(10),
            vec!["max_term_months"],
            "over 360",
        ),
        (
            (dec!(100), dec!(500)),
            (24, 12),
            dec!(10),
            vec!["min_term_months"],
            "min term above max",
        ),
        (
            (dec!(100), dec!(500)),
            (1, 12),
            dec!(100.5),
            vec!["annual_interest_rate"],
            "over 100 %",
        ),
    ];
    for (amounts, months, rate, expected, why) in cases {
        assert_eq!(
            fields(&terms(rate, amounts, months).unwrap_err()),
            expected,
            "{why}"
        );
    }
}

#[test]
fn bounds_that_would_leave_some_loan_without_a_schedule_are_refused_with_how_far_to_move() {
    // At 48 % over 360 months the installment is almost all interest: even the largest
    // amount lent has no safe schedule, so only the term can move.
    let errors = terms(dec!(48), (dec!(1000), dec!(100000)), (12, 360)).unwrap_err();
    assert_eq!(fields(&errors), ["max_term_months"]);
    // At 12 % over 360 months, amounts from 6,793.56 up are safe. That figure is the
    // larger of the two bounds of `schedule::proof`, solved for the amount with r = 0.01:
    // 2 × (1 + r) × ((1 + r)^359 − 1) / r × 0.01 ÷ (r × 1.01^360 / (1.01^360 − 1)), and
    // 0.01 ÷ (that factor − r); rounded up to the cent, plus one cent.
    let errors = terms(dec!(12), (dec!(1000), dec!(100000)), (12, 360)).unwrap_err();
    assert_eq!(fields(&errors), ["min_amount", "max_term_months"]);
    assert!(errors[0].1.contains("6793.56"), "{}", errors[0].1);
    assert!(terms(dec!(12), (dec!(6793.56), dec!(100000)), (12, 360)).is_ok());
    // At 0 % over 360 months the bound is 2 × 359 × 360 cents = 2,584.80, plus a cent.
    let errors = terms(dec!(0), (dec!(1000), dec!(5000)), (1, 360)).unwrap_err();
    assert!(errors[0].1.contains("2584.81"), "{}", errors[0].1);
}

#[test]
fn every_amount_and_term_inside_accepted_bounds_has_a_schedule() {
    let start = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
    let product = terms(dec!(36), (dec!(726.92), dec!(5000)), (1, 120)).unwrap();
    // Every cent from the minimum up to 2,000.00, at the longest term, and every term at
    // the minimum: the corner where the installment rule bites hardest.
    let mut amount = dec!(726.92);
    while amount <= dec!(2000) {
        let loan = product.loan_terms(amount, 120).unwrap();
        assert!(
            schedule::build(&loan, start).is_ok(),
            "{amount} over 120 months"
        );
        amount += dec!(0.37);
    }
    for months in 1..=120 {
        let loan = product.loan_terms(dec!(726.92), months).unwrap();
        assert!(schedule::build(&loan, start).is_ok(), "{months} months");
    }
}

#[test]
fn loans_outside_the_bounds_are_refused_per_field() {
    let product = terms(dec!(12), (dec!(1000), dec!(5000)), (6, 24)).unwrap();
    assert!(product.loan_terms(dec!(1000), 6).is_ok());
    assert!(product.loan_terms(dec!(5000), 24).is_ok());
    let cases = [
        (dec!(999.99), 12, vec!["amount"], "below the minimum"),
        (dec!(5000.01), 12, vec!["amount"], "above the maximum"),
        (dec!(2000), 5, vec!["term_months"], "too short"),
        (dec!(2000), 25, vec!["term_months"], "too long"),
        (
            dec!(1),
            400,
            vec!["amount", "term_months"],
            "both, reported once each",
        ),
        (
            dec!(2000.005),
            12,
            vec!["amount"],
            "more decimals than MXN has",
        ),
    ];
    for (amount, months, expected, why) in cases {
        assert_eq!(
            fields(&product.loan_terms(amount, months).unwrap_err()),
            expected,
            "{why}"
        );
    }
}

#[test]
fn product_names_are_trimmed_and_visible() {
    assert_eq!(
        ProductName::parse("  Personal 12 ").unwrap().as_str(),
        "Personal 12"
    );
    for bad in ["", "  ", "\u{200B}", "Loan\u{202E}", &"x".repeat(101)] {
        assert!(ProductName::parse(bad).is_err(), "{bad:?}");
    }
}
