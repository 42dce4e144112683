//! Cold-start benchmark (issue 8, item 3): how long each release bootstrap takes from a
//! fresh process to ready (what Lambda bills as Init Duration), how long its first
//! invocation takes, how both compare with a bare `lambda_runtime` hello world, and how
//! big each bootstrap and its deployment zip are.
//!
//! Why: a cold start is paid by the user whose request lands on a new instance, and the
//! init phase is billed. Everything a function does before its first `GET next` — logging
//! set-up, reading the configuration, building the DynamoDB client — shows up as init
//! beyond the floor; anything deferred to the first request (the TLS connection to
//! DynamoDB, lazily built state) shows up in the first invocation.
//!
//! For each of `target/release/{hello,clients,loans,auth}`, `COLD_START_RUNS` times
//! (default 30, after `COLD_START_WARMUP` = 1 discarded run that warms the page cache),
//! round-robin across the four so machine noise spreads evenly:
//! 1. start a Runtime API stub on loopback (`bench::stub`);
//! 2. spawn the bootstrap with the Lambda environment and the function configuration
//!    (`bench::launch`), output discarded;
//! 3. init = spawn → the first `GET /2018-06-01/runtime/invocation/next`;
//! 4. first invocation = the event handed out → its response posted. The event is
//!    `GET /auth/me` without a token as API Gateway (payload 2.0) sends it: every function
//!    authenticates first and answers `401`, so no database is needed; the response is
//!    checked to be that 401 Problem Details, so the run is known to be real;
//! 5. kill the process.
//!
//! Build first (`make bench-cold-start` does): this binary builds nothing. Set
//! `AWS_ENDPOINT_URL_DYNAMODB` to hand the functions a DynamoDB Local endpoint (they make
//! no call to it on this path); `BENCH_BIN_DIR` to measure binaries elsewhere.

use std::process::ExitCode;
use std::time::Duration;

use bench::event::{HttpRequest, expect_unauthorized};
use bench::launch::{Instance, Subject, function_config, release_dir, subjects};
use bench::{BoxError, Machine, Summary, env_number, mib, ms, summarise, thousands, zipped_size};

/// The goal for a function's median init, as a multiple of hello's.
const INIT_RATIO_GOAL: f64 = 1.5;
/// The goal for a deployment zip, in bytes (6 MB).
const ZIP_GOAL_BYTES: u64 = 6_000_000;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cold_start: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The timings of one binary over all its runs.
#[derive(Default)]
struct Samples {
    init: Vec<Duration>,
    first: Vec<Duration>,
}

async fn run() -> Result<(), BoxError> {
    let runs = env_number("COLD_START_RUNS", 30)?;
    let warmup = env_number("COLD_START_WARMUP", 1)?;
    if runs == 0 {
        return Err("COLD_START_RUNS must be at least 1".into());
    }
    if runs < 20 {
        eprintln!(
            "cold_start: note: {runs} runs is a quick look; the documented figures use at least 20"
        );
    }
    let subjects = subjects(&release_dir())?;
    let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB").ok();
    let config = function_config("lending-bench", endpoint.as_deref(), "warn");
    let api_event = HttpRequest::new("GET", "/auth/me").event();
    let hello_event = br#"{"bench": "cold start"}"#.to_vec();

    let mut samples: Vec<Samples> = subjects.iter().map(|_| Samples::default()).collect();
    let rounds = warmup + runs;
    for round in 0..rounds {
        eprint!(
            "\rcold_start: round {}/{rounds}{}",
            round + 1,
            if round < warmup { " (warm-up)" } else { "" }
        );
        for k in 0..subjects.len() {
            // Rotate the order each round, so no binary always follows the same one.
            let index = (round + k) % subjects.len();
            let subject = &subjects[index];
            let event = if subject.is_api {
                api_event.clone()
            } else {
                hello_event.clone()
            };
            let (init, first) = cold_start(subject, &config, event)
                .await
                .map_err(|err| format!("{}: {err}", subject.name))?;
            if round >= warmup {
                samples[index].init.push(init);
                samples[index].first.push(first);
            }
        }
    }
    eprintln!();
    print_report(&subjects, &samples, runs, warmup)
}

/// One cold start: init and first-invocation time.
async fn cold_start(
    subject: &Subject,
    config: &[(String, String)],
    event: Vec<u8>,
) -> Result<(Duration, Duration), BoxError> {
    let mut instance = Instance::start(subject, config).await?;
    let init = instance.init();
    let invocation = instance.invoke(event).await?;
    if subject.is_api {
        expect_unauthorized(&invocation.body)?;
    } else if serde_json::from_slice::<serde_json::Value>(&invocation.body)?
        != serde_json::json!({"ok": true})
    {
        return Err(format!(
            "unexpected response {}",
            String::from_utf8_lossy(&invocation.body)
        )
        .into());
    }
    Ok((init, invocation.duration()))
    // Dropping the instance kills the process.
}

fn print_report(
    subjects: &[Subject],
    samples: &[Samples],
    runs: usize,
    warmup: usize,
) -> Result<(), BoxError> {
    let summaries = samples
        .iter()
        .map(|s| Ok((summary(&s.init)?, summary(&s.first)?)))
        .collect::<Result<Vec<(Summary, Summary)>, BoxError>>()?;
    let floor = summaries
        .first()
        .map(|(init, _)| init.median)
        .ok_or("no samples")?;

    println!("## Cold start\n");
    println!("{}\n", Machine::detect().describe(&release_dir()));
    println!(
        "{runs} cold starts per binary ({warmup} warm-up run discarded), round-robin; each a \
         new process against a loopback Runtime API stub. Init = process spawn → first \
         `GET /runtime/invocation/next`; first invocation = event handed out → response \
         posted (`GET /auth/me` without a token → 401 for the functions).\n"
    );
    println!(
        "| binary | init median ms | init p90 ms | init min ms | init median ÷ hello (goal ≤ {INIT_RATIO_GOAL}×) | first invocation median ms | p90 ms | min ms |"
    );
    println!("|---|---:|---:|---:|---|---:|---:|---:|");
    for (subject, (init, first)) in subjects.iter().zip(&summaries) {
        let ratio = init.median.as_secs_f64() / floor.as_secs_f64().max(f64::EPSILON);
        let verdict = if subject.name == "hello" {
            "(floor)"
        } else if ratio <= INIT_RATIO_GOAL {
            "met"
        } else {
            "missed"
        };
        println!(
            "| `{}` | {} | {} | {} | {ratio:.2}× {verdict} | {} | {} | {} |",
            subject.name,
            ms(init.median),
            ms(init.p90),
            ms(init.min),
            ms(first.median),
            ms(first.p90),
            ms(first.min),
        );
    }

    println!("\n| bootstrap | bytes | zipped (deflate) bytes | zipped MiB | zip < 6 MB |");
    println!("|---|---:|---:|---:|---|");
    for subject in subjects {
        let bytes = std::fs::metadata(&subject.binary)?.len();
        let zipped = zipped_size(&subject.binary)?;
        println!(
            "| `{}` | {} | {} | {} | {} |",
            subject.name,
            thousands(bytes),
            thousands(zipped),
            mib(zipped),
            if zipped < ZIP_GOAL_BYTES { "yes" } else { "no" },
        );
    }
    Ok(())
}

fn summary(samples: &[Duration]) -> Result<Summary, BoxError> {
    summarise(samples).ok_or_else(|| "no samples".into())
}
