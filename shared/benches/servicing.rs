//! The servicing engine's cost: replaying a 30-year loan's ledger of 200 repayments (the
//! work every posting and every balance, payoff or schedule read does), against building
//! the same loan's bare schedule, measured in the same run.
//!
//! Run: `cargo bench -p shared --bench servicing` (or `make bench-servicing`).
//! `SERVICING_BENCH_ITERATIONS` (default 2000).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use shared::domain::money::Currency;
use shared::domain::schedule::{self, LoanTerms};
use shared::domain::servicing::{Position, Repayment};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn p90(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() * 9 / 10]
}

fn main() {
    let iterations: usize = std::env::var("SERVICING_BENCH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let terms = LoanTerms::parse(
        Decimal::new(250_000_000, 2),
        Currency::mxn(),
        Decimal::new(115, 1),
        360,
    )
    .expect("valid terms");
    let disbursed = NaiveDate::from_ymd_opt(2010, 1, 15).expect("a date");
    let payment = schedule::build(&terms, disbursed)
        .expect("a schedule")
        .monthly_payment;
    // 200 repayments: mostly the installment, some early, some late, some prepaying.
    let ledger: Vec<Repayment> = (0..200u64)
        .map(|seq| {
            let day = 30 * seq + [0, 27, 33, 31][usize::try_from(seq % 4).unwrap_or(0)];
            let amount = match seq % 10 {
                3 => payment / Decimal::TWO,
                7 => payment * Decimal::TWO,
                _ => payment,
            };
            Repayment {
                seq: seq + 2,
                paid_on: disbursed + Days::new(day),
                amount: amount.round_dp(2),
            }
        })
        .collect();
    let position = Position::replay(&terms, disbursed, &ledger, None).expect("replays");
    println!(
        "servicing bench: 360 installments, {} repayments, {} rows left in the plan, {iterations} iterations",
        ledger.len(),
        position.rows().len()
    );
    let (mut baseline, mut replay) = (Vec::new(), Vec::new());
    for _ in 0..iterations {
        let started = Instant::now();
        black_box(schedule::build(black_box(&terms), disbursed).expect("a schedule"));
        baseline.push(started.elapsed());
        let started = Instant::now();
        black_box(
            Position::replay(black_box(&terms), disbursed, black_box(&ledger), None)
                .expect("replays"),
        );
        replay.push(started.elapsed());
    }
    let (base_p50, base_p90) = (median(baseline.clone()), p90(baseline));
    let (replay_p50, replay_p90) = (median(replay.clone()), p90(replay));
    println!("| | p50 | p90 |\n|---|---:|---:|");
    println!("| schedule::build (baseline) | {base_p50:?} | {base_p90:?} |");
    println!("| Position::replay, 200 repayments | {replay_p50:?} | {replay_p90:?} |");
    println!(
        "replay / baseline: p50 {:.1}x, p90 {:.1}x; goal: replay p50 under 1 ms ({})",
        replay_p50.as_secs_f64() / base_p50.as_secs_f64(),
        replay_p90.as_secs_f64() / base_p90.as_secs_f64(),
        if replay_p50 < Duration::from_millis(1) {
            "met"
        } else {
            "missed"
        }
    );
}
