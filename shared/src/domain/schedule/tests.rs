//! Golden schedules, validation tables and property tests of the French amortization.
use super::*;
use proptest::prelude::*;
use rust_decimal::dec;

fn currency(code: &str) -> Currency {
    Currency::parse(code).unwrap()
}

fn schedule(amount: Decimal, code: &str, rate: Decimal, months: u32) -> Schedule {
    let terms = LoanTerms::parse(amount, currency(code), rate, months).unwrap();
    let date = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    build(&terms, date).unwrap()
}

/// Each installment as "payment principal interest balance", formatted for the wire.
fn rows(s: &Schedule) -> Vec<String> {
    let f = |amount| s.currency.format(amount);
    let row = |i: &Installment| {
        format!(
            "{} {} {} {}",
            f(i.payment),
            f(i.principal),
            f(i.interest),
            f(i.balance)
        )
    };
    s.installments.iter().map(row).collect()
}

#[test]
fn mxn_10000_at_12_percent_over_12_months() {
    // r = 12 / 1200 = 0.01 exactly. Payment by the annuity formula, by hand:
    // 10000 × 0.01 / (1 − 1.01^−12) = 100 / (1 − 0.887449231...) = 888.4878868 → 888.49.
    // Row 1: interest 10000 × 0.01 = 100.00, principal 888.49 − 100.00 = 788.49,
    //        balance 9211.51.
    // Row 2: interest 9211.51 × 0.01 = 92.1151 → 92.12, principal 796.37, balance 8415.14.
    // Rows 3-11 from Python `decimal` (ROUND_HALF_EVEN, 60 digits) following the same
    // rules; row 12: interest 879.67 × 0.01 = 8.7967 → 8.80, payment 879.67 + 8.80 = 888.47.
    // Total interest = sum of the interest column = 661.86 (also 11 × 888.49 + 888.47 − 10000).
    let s = schedule(dec!(10000.00), "MXN", dec!(12), 12);
    let expected = [
        "888.49 788.49 100.00 9211.51",
        "888.49 796.37 92.12 8415.14",
        "888.49 804.34 84.15 7610.80",
        "888.49 812.38 76.11 6798.42",
        "888.49 820.51 67.98 5977.91",
        "888.49 828.71 59.78 5149.20",
        "888.49 837.00 51.49 4312.20",
        "888.49 845.37 43.12 3466.83",
        "888.49 853.82 34.67 2613.01",
        "888.49 862.36 26.13 1750.65",
        "888.49 870.98 17.51 879.67",
        "888.47 879.67 8.80 0.00",
    ];
    assert_eq!(rows(&s), expected);
    assert_eq!(
        s.summary(),
        Summary {
            monthly_payment: dec!(888.49),
            total_interest: dec!(661.86),
            total_payable: dec!(10661.86),
        }
    );
}

#[test]
fn zero_rate_splits_evenly_with_the_remainder_last() {
    // 1000.00 / 3 = 333.333... rounded down to 333.33; the last takes 1000 − 666.66.
    let s = schedule(dec!(1000.00), "MXN", dec!(0), 3);
    assert_eq!(
        rows(&s),
        [
            "333.33 333.33 0.00 666.67",
            "333.33 333.33 0.00 333.34",
            "333.34 333.34 0.00 0.00"
        ]
    );
    assert_eq!(
        (s.monthly_payment, s.total_interest, s.total_payable),
        (dec!(333.33), dec!(0), dec!(1000))
    );
}

#[test]
fn jpy_has_no_minor_units() {
    // r = 10 / 1200 = 0.008333...; payment 100000 × r / (1 − (1 + r)^−6) = 17156.139 → 17156.
    // Row 1 interest 100000 × r = 833.33 → 833; row 2 83677 × r = 697.31 → 697; the
    // rest from Python `decimal` (ROUND_HALF_EVEN) under the same rules. Total 2936.
    let s = schedule(dec!(100000), "JPY", dec!(10), 6);
    let expected = [
        "17156 16323 833 83677",
        "17156 16459 697 67218",
        "17156 16596 560 50622",
        "17156 16734 422 33888",
        "17156 16874 282 17014",
        "17156 17014 142 0",
    ];
    assert_eq!(rows(&s), expected);
    assert_eq!(
        (s.total_interest, s.total_payable),
        (dec!(2936), dec!(102936))
    );
}

#[test]
fn kwd_keeps_three_minor_units() {
    // r = 7.5 / 1200 = 0.00625 exactly; payment 5000 × r / (1 − 1.00625^−4) = 1269.59209 →
    // 1269.592. Row 1 interest 31.250 exactly; row 2 3761.658 × r = 23.5103625 → 23.510;
    // row 3 2515.576 × r = 15.72235 → 15.722; row 4 1261.706 × r = 7.8856625 → 7.886.
    let s = schedule(dec!(5000.000), "KWD", dec!(7.5), 4);
    let expected = [
        "1269.592 1238.342 31.250 3761.658",
        "1269.592 1246.082 23.510 2515.576",
        "1269.592 1253.870 15.722 1261.706",
        "1269.592 1261.706 7.886 0.000",
    ];
    assert_eq!(rows(&s), expected);
    assert_eq!(
        (s.total_interest, s.total_payable),
        (dec!(78.368), dec!(5078.368))
    );
}

#[test]
fn a_one_month_loan_repays_amount_plus_one_month_of_interest() {
    // r = 18 / 1200 = 0.015; interest 2500 × 0.015 = 37.50; payment 2537.50.
    let s = schedule(dec!(2500.00), "MXN", dec!(18), 1);
    assert_eq!(rows(&s), ["2537.50 2500.00 37.50 0.00"]);
    assert_eq!(s.monthly_payment, dec!(2537.50));
}

#[test]
fn interest_on_an_exact_half_cent_rounds_to_even() {
    // r = 0.01. 1000.50 × 0.01 = 10.005 → 10.00 (half-up would give 10.01);
    // 1001.50 × 0.01 = 10.015 → 10.02. Two months on 1000.50: payment
    // 1000.50 × 0.01 / (1 − 1.01^−2) = 507.7662 → 507.77, principal 507.77 − 10.00 = 497.77,
    // balance 502.73; then interest 5.0273 → 5.03 and the last payment 502.73 + 5.03.
    assert_eq!(
        rows(&schedule(dec!(1000.50), "MXN", dec!(12), 1)),
        ["1010.50 1000.50 10.00 0.00"]
    );
    assert_eq!(
        rows(&schedule(dec!(1001.50), "MXN", dec!(12), 1)),
        ["1011.52 1001.50 10.02 0.00"]
    );
    let two = schedule(dec!(1000.50), "MXN", dec!(12), 2);
    assert_eq!(
        rows(&two),
        ["507.77 497.77 10.00 502.73", "507.76 502.73 5.03 0.00"]
    );
    // r = 10 / 1200 has no finite decimal form, yet 1201.80 × 10 / 1200 = 10.015 exactly
    // → 10.02. (A rate cut to 28 digits, 0.0083333...3, would give 10.01499... → 10.01.)
    assert_eq!(
        rows(&schedule(dec!(1201.80), "MXN", dec!(10), 1)),
        ["1211.82 1201.80 10.02 0.00"]
    );
}

#[test]
fn tiny_loans_lower_a_payment_that_would_repay_them_early() {
    // 0.20 at 12 % over 12 months: the annuity is 0.0178 → 0.02, but interest on at most
    // 0.20 × 0.01 rounds to 0.00, so 11 payments of 0.02 would repay 0.22. The largest
    // payment that fits is 0.01: 11 × 0.01 leaves 0.09 for the last installment.
    let s = schedule(dec!(0.20), "MXN", dec!(12), 12);
    assert_eq!(s.monthly_payment, dec!(0.01));
    assert_eq!(
        rows(&s)[10..],
        ["0.01 0.01 0.00 0.09", "0.09 0.09 0.00 0.00"]
    );
    // 0.49 at 12 % over 68 months: 0.01 a month would repay it in 49 months, so the
    // regular payment drops to 0.00 and the last installment takes all 0.49.
    let s = schedule(dec!(0.49), "MXN", dec!(12), 68);
    assert_eq!(
        (s.monthly_payment, s.installments[67].payment),
        (dec!(0), dec!(0.49))
    );
    // 0.26 at 100 % over 12 months: 0.04 is too much; at 0.03 the interest (0.02, then
    // 0.01 once the balance is below 0.18) leaves 0.13 plus 0.01 interest for the last.
    let s = schedule(dec!(0.26), "MXN", dec!(100), 12);
    assert_eq!(s.monthly_payment, dec!(0.03));
    assert_eq!(rows(&s)[11], "0.14 0.13 0.01 0.00");
}

#[test]
fn due_dates_count_months_from_the_start_and_clamp_to_month_end() {
    let terms = LoanTerms::parse(dec!(300), Currency::mxn(), dec!(10), 3).unwrap();
    let due = |start| {
        build(&terms, start)
            .unwrap()
            .installments
            .iter()
            .map(|i| i.due_date.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        due(NaiveDate::from_ymd_opt(2026, 1, 31).unwrap()),
        ["2026-02-28", "2026-03-31", "2026-04-30"]
    );
    assert_eq!(
        due(NaiveDate::from_ymd_opt(2028, 1, 31).unwrap())[0],
        "2028-02-29",
        "a leap year"
    );
    assert_eq!(
        build(&terms, NaiveDate::MAX),
        Err(ScheduleError::DueDateOutOfRange)
    );
}

#[test]
fn serializes_money_with_the_currency_minor_units() {
    let json = serde_json::to_value(schedule(dec!(2500), "MXN", dec!(18), 1)).unwrap();
    let expected = serde_json::json!({
        "currency": "MXN", "monthly_payment": "2537.50", "total_interest": "37.50", "total_payable": "2537.50",
        "installments": [{"number": 1, "due_date": "2026-02-15", "payment": "2537.50",
            "principal": "2500.00", "interest": "37.50", "balance": "0.00"}],
    });
    assert_eq!(json, expected);
    let jpy = serde_json::to_value(schedule(dec!(100000), "JPY", dec!(10), 6)).unwrap();
    assert_eq!(jpy["monthly_payment"], "17156");
    let kwd = serde_json::to_value(schedule(dec!(5000), "KWD", dec!(7.5), 4)).unwrap();
    assert_eq!(kwd["installments"][3]["balance"], "0.000");
}

/// Parses terms in MXN from text, with any errors as "field: message; ...".
fn mxn_terms(amount: &str, annual: &str, months: u32) -> Result<LoanTerms, String> {
    let (amount, annual) = (amount.parse().unwrap(), annual.parse().unwrap());
    LoanTerms::parse(amount, Currency::mxn(), annual, months).map_err(|errors| {
        let errors: Vec<_> = errors.iter().map(|(f, m)| format!("{f}: {m}")).collect();
        errors.join("; ")
    })
}

#[test]
fn terms_report_every_invalid_field_once() {
    let positive = "amount: must be greater than 0";
    let scale = "amount: MXN amounts allow at most 2 decimal places";
    let rate = "annual_interest_rate: must be between 0 and 100";
    let places = "annual_interest_rate: must have at most 4 decimal places";
    let term = "term_months: must be between 1 and 360";
    let all = format!("{positive}; {rate}; {term}");
    // (amount, annual rate, months, expected errors, why)
    let cases = [
        ("0", "10", 12, positive, "a zero amount"),
        (
            "-5.001",
            "10",
            12,
            positive,
            "negative and too precise: one entry",
        ),
        (
            "10000000.01",
            "10",
            12,
            "amount: must be at most 10000000 MXN",
            "over the max",
        ),
        ("10.005", "10", 12, scale, "too precise"),
        ("10", "-0.01", 12, rate, "a negative rate"),
        ("10", "100.0001", 12, rate, "over 100 percent"),
        ("10", "1.00001", 12, places, "five decimal places"),
        ("10", "10", 0, term, "zero months"),
        ("10", "10", 361, term, "over 30 years"),
        ("0", "101", 0, &all, "every field at once"),
    ];
    for (amount, annual, months, expected, why) in cases {
        assert_eq!(
            mxn_terms(amount, annual, months).unwrap_err(),
            expected,
            "{why}"
        );
    }
    let valid = [
        ("10000000", "100", 360),
        ("0.01", "0", 1),
        ("1.50", "99.9999", 7),
        ("7.000", "5.10000", 2),
    ];
    for (amount, annual, months) in valid {
        let why = format!("{amount} at {annual} % over {months} months is valid");
        assert!(mxn_terms(amount, annual, months).is_ok(), "{why}");
    }
    let canonical = |annual| {
        mxn_terms("100", annual, 1)
            .unwrap()
            .annual_rate()
            .to_string()
    };
    assert_eq!(
        (canonical("12.5000"), canonical("-0")),
        ("12.5".into(), "0".into())
    );
    let negative_zero = LoanTerms::parse(dec!(1), Currency::mxn(), -Decimal::ZERO, 1).unwrap();
    assert!(
        !negative_zero.annual_rate().is_sign_negative(),
        "-0 is stored as 0"
    );
    let yen = LoanTerms::parse(dec!(10.5), currency("JPY"), dec!(1), 1);
    assert!(yen.is_err(), "yen are whole");
}

fn any_terms() -> impl Strategy<Value = LoanTerms> {
    let currency = prop_oneof![Just("MXN"), Just("JPY"), Just("KWD")].prop_map(currency);
    // Small amounts and tiny rates get their own arms: that is where rounding bites.
    let minor = prop_oneof![1i64..=10_000, 1i64..=10_000_000_000];
    let rate = prop_oneof![Just(0i64), 1i64..=100, 0i64..=1_000_000];
    (currency, minor, rate, 1u32..=360).prop_filter_map(
        "over the maximum",
        |(c, minor, rate, n)| {
            let amount = Decimal::new(minor, c.minor_units());
            LoanTerms::parse(amount, c, Decimal::new(rate, 4), n).ok()
        },
    )
}

proptest! {
    #[test]
    fn every_schedule_balances_to_the_cent(terms in any_terms()) {
        let start = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        let s = build(&terms, start).unwrap();
        let n = s.installments.len();
        prop_assert_eq!(n, terms.term_months() as usize);
        let principal: Decimal = s.installments.iter().map(|i| i.principal).sum();
        prop_assert_eq!(principal, terms.amount());
        let interest: Decimal = s.installments.iter().map(|i| i.interest).sum();
        prop_assert_eq!(s.total_interest, interest);
        prop_assert_eq!(s.total_payable, terms.amount() + interest);
        prop_assert_eq!(s.installments.iter().map(|i| i.payment).sum::<Decimal>(), s.total_payable);
        prop_assert_eq!(s.installments[n - 1].balance, Decimal::ZERO);
        prop_assert_eq!(s.monthly_payment, s.installments[0].payment);
        prop_assert_eq!(summary(&terms).unwrap(), s.summary());
        let mut owed = terms.amount();
        for i in &s.installments {
            prop_assert!(i.interest >= Decimal::ZERO && i.principal >= Decimal::ZERO, "{:?}", i);
            prop_assert!(i.balance >= Decimal::ZERO, "{:?}", i);
            prop_assert_eq!(i.payment, i.principal + i.interest);
            prop_assert_eq!(i.interest, terms.currency().round(owed * terms.annual_rate() / dec!(1200)));
            owed -= i.principal;
            prop_assert_eq!(i.balance, owed);
            prop_assert_eq!(i.payment, terms.currency().round(i.payment), "whole minor units");
            if (i.number as usize) < n {
                prop_assert_eq!(i.payment, s.monthly_payment, "installment {}", i.number);
            }
        }
        // The payment is the rounded annuity, or lowered only as far as it must be.
        let unit = Decimal::new(1, terms.currency().minor_units());
        if n > 1 && !terms.annual_rate().is_zero() {
            let rate = terms.annual_rate() / dec!(1200);
            let rounded = terms.currency().round(annuity(terms.amount(), rate, terms.term_months()).unwrap());
            let one_more = amortize(&terms, start, s.monthly_payment + unit).unwrap();
            prop_assert!(s.monthly_payment == rounded || (s.monthly_payment < rounded && one_more.is_none()));
        }
    }
}
