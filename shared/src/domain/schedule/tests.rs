//! Golden schedules, validation tables and property tests of the French amortization.
use super::*;
use proptest::prelude::*;
use rust_decimal::dec;

fn currency(code: &str) -> Currency {
    Currency::parse(code).unwrap()
}

fn s_terms(amount: Decimal, code: &str, rate: Decimal, months: u32) -> LoanTerms {
    LoanTerms::parse(amount, currency(code), rate, months).unwrap()
}

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 15).unwrap()
}

fn schedule(amount: Decimal, code: &str, rate: Decimal, months: u32) -> Schedule {
    build(&s_terms(amount, code, rate, months), start()).unwrap()
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
fn zero_rate_takes_the_smallest_even_installment_and_leaves_the_last_smaller() {
    // 1000.00 / 3 = 333.333...: 333.33 a month would leave 333.34 for the last one, more
    // than the others, so the installment is 333.34 and the last takes 1000 − 666.68.
    let s = schedule(dec!(1000.00), "MXN", dec!(0), 3);
    assert_eq!(
        rows(&s),
        [
            "333.34 333.34 0.00 666.66",
            "333.34 333.34 0.00 333.32",
            "333.32 333.32 0.00 0.00"
        ]
    );
    assert_eq!(
        (s.monthly_payment, s.total_interest, s.total_payable),
        (dec!(333.34), dec!(0), dec!(1000))
    );
}

#[test]
fn the_installment_is_raised_where_plain_rounding_would_leave_a_larger_last_one() {
    // 1000.00 at 9.5 % over 12 months: r = 9.5 / 1200; the annuity is
    // 1000 × r / (1 − (1 + r)^−12) = 87.6835..., which rounds to 87.68. Paying 87.68 would
    // leave a last installment of 87.73 (87.04 principal + 0.69 interest), above the
    // others; 87.69 leaves 87.62, so 87.69 is the smallest installment the rule allows.
    // Row 1: interest 1000 × 9.5 / 1200 = 7.9166... → 7.92, principal 79.77; the rest
    // from Python `decimal` (ROUND_HALF_EVEN) under the same rules. Interest 52.21.
    let s = schedule(dec!(1000.00), "MXN", dec!(9.5), 12);
    let expected = [
        "87.69 79.77 7.92 920.23",
        "87.69 80.40 7.29 839.83",
        "87.69 81.04 6.65 758.79",
        "87.69 81.68 6.01 677.11",
        "87.69 82.33 5.36 594.78",
        "87.69 82.98 4.71 511.80",
        "87.69 83.64 4.05 428.16",
        "87.69 84.30 3.39 343.86",
        "87.69 84.97 2.72 258.89",
        "87.69 85.64 2.05 173.25",
        "87.69 86.32 1.37 86.93",
        "87.62 86.93 0.69 0.00",
    ];
    assert_eq!(rows(&s), expected);
    assert_eq!(
        (s.monthly_payment, s.total_interest),
        (dec!(87.69), dec!(52.21))
    );
    let plain = amortize(
        &s_terms(dec!(1000.00), "MXN", dec!(9.5), 12),
        start(),
        dec!(87.68),
    )
    .unwrap();
    assert_eq!(
        plain[11].payment,
        dec!(87.73),
        "plain rounding hides a larger last installment"
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
fn terms_that_would_repay_before_their_last_month_have_no_schedule() {
    let refused = |amount, code, rate, months| {
        let terms = s_terms(amount, code, rate, months);
        build(&terms, start())
    };
    // 100,000.00 at 48 % over 360 months: r = 0.04, so the interest alone is 4,000.00 a
    // month and the annuity 4,000.0000028... The smallest installment whose last one is
    // no larger is 4,000.01, whose 0.01 of principal grows 4 % a month and repays the
    // 100,000 long before month 360 (plain rounding would advertise 4,000.00 and end
    // with a balloon of 104,000.00).
    assert_eq!(
        refused(dec!(100000.00), "MXN", dec!(48), 360),
        Err(ScheduleError::RepaysEarly)
    );
    assert_eq!(
        refused(dec!(100000.00), "MXN", dec!(36), 360),
        Err(ScheduleError::RepaysEarly)
    );
    assert!(
        refused(dec!(100000.00), "MXN", dec!(48), 120).is_ok(),
        "a shorter term works"
    );
    // An amount too small for its term: 0.20 at 12 % over 12 months needs 0.02 a month
    // (0.01 would leave 0.09 for the last), and 11 × 0.02 is more than 0.20.
    assert_eq!(
        refused(dec!(0.20), "MXN", dec!(12), 12),
        Err(ScheduleError::RepaysEarly)
    );
    // At 0 % the installment is the amount / months rounded up: 0.12 over 12 months is
    // 0.01 each, the last 0.01 too; 0.13 needs 0.02, and 11 × 0.02 repays 0.13 early. A
    // larger amount is not always easier.
    let twelve = refused(dec!(0.12), "MXN", dec!(0), 12).unwrap();
    assert_eq!(rows(&twelve)[11], "0.01 0.01 0.00 0.00");
    assert_eq!(
        refused(dec!(0.13), "MXN", dec!(0), 12),
        Err(ScheduleError::RepaysEarly)
    );
    // 997.80 at 0 % over 360 months: 2.78 a month, and 359 × 2.78 = 998.02 > 997.80.
    assert_eq!(
        refused(dec!(997.80), "MXN", dec!(0), 360),
        Err(ScheduleError::RepaysEarly)
    );
    assert!(refused(dec!(1000.00), "MXN", dec!(0), 360).is_ok());
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
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn a_schedule_is_valid_or_refused(terms in any_terms()) {
        let start = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        let unit = Decimal::new(1, terms.currency().minor_units());
        let Ok(s) = build(&terms, start) else {
            // Refused: then even the rule's installment repays before the last month.
            prop_assert_eq!(build(&terms, start), Err(ScheduleError::RepaysEarly));
            let payment = installment(&terms).unwrap();
            let run = amortize(&terms, start, payment).unwrap();
            let n = run.len();
            prop_assert!(run[..n - 1].iter().any(|i| i.balance <= Decimal::ZERO));
            return Ok(());
        };
        let n = s.installments.len();
        prop_assert_eq!(n, terms.term_months() as usize);
        let principal: Decimal = s.installments.iter().map(|i| i.principal).sum();
        prop_assert_eq!(principal, terms.amount(), "principals sum to the amount");
        let interest: Decimal = s.installments.iter().map(|i| i.interest).sum();
        prop_assert_eq!(s.total_interest, interest);
        prop_assert_eq!(s.total_payable, terms.amount() + interest);
        prop_assert_eq!(s.installments.iter().map(|i| i.payment).sum::<Decimal>(), s.total_payable);
        prop_assert_eq!(s.installments[n - 1].balance, Decimal::ZERO, "the balance ends at zero");
        prop_assert_eq!(s.monthly_payment, s.installments[0].payment);
        prop_assert_eq!(summary(&terms).unwrap(), s.summary());
        let last = s.installments[n - 1].payment;
        prop_assert!(last > Decimal::ZERO && last <= s.monthly_payment, "last in (0, installment]");
        let mut owed = terms.amount();
        for i in &s.installments {
            prop_assert!(i.principal > Decimal::ZERO && i.interest >= Decimal::ZERO, "{:?}", i);
            prop_assert!(i.balance >= Decimal::ZERO, "never negative: {:?}", i);
            prop_assert!(i.number as usize == n || i.balance > Decimal::ZERO, "not repaid early");
            prop_assert_eq!(i.payment, i.principal + i.interest);
            prop_assert_eq!(i.interest, terms.currency().round(owed * terms.annual_rate() / dec!(1200)));
            owed -= i.principal;
            prop_assert_eq!(i.balance, owed);
            prop_assert_eq!(i.payment, terms.currency().round(i.payment), "whole minor units");
            if (i.number as usize) < n {
                prop_assert_eq!(i.payment, s.monthly_payment, "installment {}", i.number);
            }
        }
        // The smallest such installment: one unit less leaves a larger last installment.
        if s.monthly_payment > unit {
            let less = amortize(&terms, start, s.monthly_payment - unit).unwrap();
            prop_assert!(less[n - 1].payment > s.monthly_payment - unit, "the installment is the smallest");
        }
        // Within half a unit of the exact annuity, as `proof` shows.
        let exact = proof::annuity(&terms).unwrap();
        prop_assert!(s.monthly_payment >= exact - unit / dec!(2) && s.monthly_payment <= exact + unit * dec!(1.5));
    }

    #[test]
    fn a_range_the_proof_promises_is_schedulable_throughout(terms in any_terms(), extra in 0i64..1_000_000, shorter in 0u32..360) {
        // Whenever the conditions hold for an amount and a term, a larger amount and a
        // shorter term are schedulable too.
        let (currency, rate) = (terms.currency(), terms.annual_rate());
        if proof::always_schedulable(terms.amount(), currency, rate, terms.term_months()).unwrap() {
            prop_assert!(build(&terms, start()).is_ok());
            let amount = terms.amount() + Decimal::new(extra, currency.minor_units());
            let months = terms.term_months().saturating_sub(shorter).max(1);
            if let Ok(other) = LoanTerms::parse(amount, currency, rate, months) {
                prop_assert!(build(&other, start()).is_ok(), "{:?}", other);
            }
        }
    }

    #[test]
    fn the_smallest_safe_amount_is_safe(terms in any_terms()) {
        let (currency, rate, months) = (terms.currency(), terms.annual_rate(), terms.term_months());
        let floor = proof::smallest_safe_amount(currency, rate, months).unwrap();
        prop_assert!(proof::always_schedulable(floor, currency, rate, months).unwrap());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100_000))]

    /// The integer path of `interest` is an optimisation, never a change: for every
    /// balance a schedule or its installment search can meet (negative ones included) and
    /// every rate, it gives the `Decimal` definition's figure (written at the currency's
    /// minor units, as every figure is on the wire).
    #[test]
    fn integer_interest_equals_the_decimal_definition(
        terms in any_terms(),
        balance in prop_oneof![-10_000i64..=10_000, -1_000_000_000_000i64..=10_000_000_000_000],
        extra_scale in 0u32..=3,
    ) {
        let minor = terms.currency().minor_units();
        for balance in [
            Decimal::new(balance, minor),
            // A balance written with more decimals than the currency has.
            Decimal::new(balance, minor + extra_scale),
        ] {
            let fast = integer_interest(balance, terms.annual_rate(), minor);
            let by_definition = decimal_interest(&terms, balance).unwrap();
            prop_assert_eq!(fast, Some(by_definition));
        }
    }
}

#[test]
fn integer_interest_rounds_an_exact_half_to_even() {
    let mxn = currency("MXN");
    // 1.50 × 12 % ÷ 12 = 0.015 → 0.02 (up to even); 0.50 × 12 % ÷ 12 = 0.005 → 0.00.
    assert_eq!(integer_interest(dec!(1.50), dec!(12), 2), Some(dec!(0.02)));
    assert_eq!(integer_interest(dec!(0.50), dec!(12), 2), Some(dec!(0.00)));
    assert_eq!(integer_interest(dec!(-0.50), dec!(12), 2), Some(dec!(0.00)));
    assert_eq!(
        integer_interest(dec!(-1.50), dec!(12), 2),
        Some(dec!(-0.02))
    );
    // 100.00 at 10 % is 0.8333… → 0.83, and a figure that does not fit falls back.
    assert_eq!(
        integer_interest(dec!(100.00), dec!(10), mxn.minor_units()),
        Some(dec!(0.83))
    );
    assert_eq!(integer_interest(Decimal::MAX, dec!(99.9999), 2), None);
}
