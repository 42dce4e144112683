//! Argon2id settings compared (issue 18, lighter logins): today's earlier setting (19 MiB,
//! 2 passes) and two of OWASP's equivalent ones (9 MiB with 4 passes, 7 MiB with 5), in
//! one run on one machine.
//!
//! For each setting it reports the median and p90 time of one verification (what a login
//! pays; `ARGON2_BENCH_SAMPLES`, default 30, after one warm-up), and the peak resident
//! memory (`VmHWM`) of a fresh process of this binary that verifies once, the same way the
//! auth function does (`shared::auth::password`, whose work area is kept for the process's
//! life). Times and peaks are also given as ratios to the 19 MiB setting.
//!
//! Run with `cargo run --release -p bench --bin argon2` (`make bench-argon2`).

use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use bench::launch::rss;
use bench::{BoxError, Machine, env_number, ms, summarise};
use shared::auth::password::{hash_with, verify_blocking};

/// `(label, memory KiB, passes)`.
const SETTINGS: [(&str, u32, u32); 3] = [
    ("19 MiB, t=2 (earlier)", 19 * 1024, 2),
    ("9 MiB, t=4", 9 * 1024, 4),
    ("7 MiB, t=5 (chosen)", 7 * 1024, 5),
];
const PASSWORD: &[u8] = b"bench-only-password-0123";

fn main() -> ExitCode {
    let outcome = match std::env::args().nth(1).as_deref() {
        Some("--child") => child(),
        _ => run(),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("argon2: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Verifies once at the setting given as arguments and prints its own `VmHWM` in KiB.
fn child() -> Result<(), BoxError> {
    let arg = |i: usize| -> Result<u32, BoxError> {
        Ok(std::env::args().nth(i).ok_or("missing argument")?.parse()?)
    };
    let (m, t) = (arg(2)?, arg(3)?);
    let phc = hash_with(PASSWORD, m, t)?;
    if !verify_blocking(PASSWORD, &phc)? {
        return Err("the hash did not verify".into());
    }
    println!("{}", rss(std::process::id())?.peak_kib);
    Ok(())
}

fn run() -> Result<(), BoxError> {
    let samples = env_number("ARGON2_BENCH_SAMPLES", 30)?.max(1);
    let me = std::env::current_exe()?;
    let mut rows = Vec::new();
    for (label, m, t) in SETTINGS {
        let phc = hash_with(PASSWORD, m, t)?;
        verify_blocking(PASSWORD, &phc)?;
        let mut times = Vec::with_capacity(samples);
        for _ in 0..samples {
            let started = Instant::now();
            if !verify_blocking(PASSWORD, &phc)? {
                return Err("the hash did not verify".into());
            }
            times.push(started.elapsed());
        }
        let summary = summarise(&times).ok_or("no samples")?;
        let output = Command::new(&me)
            .args(["--child", &m.to_string(), &t.to_string()])
            .output()?;
        if !output.status.success() {
            return Err(format!("child for {label} failed").into());
        }
        let peak_kib: u64 = String::from_utf8(output.stdout)?.trim().parse()?;
        rows.push((label, summary.median, summary.p90, peak_kib));
    }
    let (base_time, base_peak) = (rows[0].1, rows[0].3);
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!("## Argon2id settings\n");
    println!("{}\n", Machine::detect().describe(&me));
    println!(
        "{samples} verifications per setting after a warm-up; peak RSS of a fresh process \
         that verifies once.\n"
    );
    println!("| setting | verify median ms | p90 ms | × 19 MiB | process peak MB | × 19 MiB |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (label, median, p90, peak) in &rows {
        println!(
            "| {label} | {} | {} | {:.2} | {:.1} | {:.2} |",
            ms(*median),
            ms(*p90),
            ratio(*median, base_time),
            (*peak * 1024) as f64 / 1e6,
            *peak as f64 / base_peak as f64,
        );
    }
    Ok(())
}
