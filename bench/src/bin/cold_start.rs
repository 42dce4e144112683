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
//! Then, when `AWS_ENDPOINT_URL_DYNAMODB` names a DynamoDB Local (`make bench-cold-start`
//! starts one), the cold request (issue 18, item 1): what a user whose request lands on
//! a new instance waits for, init plus a first invocation that reads the table. It creates
//! a table of its own, an admin user, and one client with one loan (through the clients
//! and loans functions, as `memory` does), then cold-starts, round-robin,
//! `COLD_START_RUNS` times each:
//! - the floor, `target/release/getitem`: a bare `lambda_runtime` function with a plain
//!   SDK client (`aws_config::load_defaults`, `Client::new`) whose first event makes one
//!   `GetItem` of the client's item; and the same binary with the functions' own client
//!   (`GETITEM_CLIENT=shared`), to tell the client's share from the rest of the code;
//! - `clients` with `GET /clients/{id}` (one `GetItem`), `loans` with `GET /loans/{id}`
//!   (one `Query` on GSI3) and `auth` with `GET /users` (one `Query` on GSI1), each with
//!   a valid admin token, checked to answer `200`.
//!
//! For each it reports init, first invocation and their sum per run (median and p90), as
//! ratios to the plain floor's. Goal: the sum's median within 1.3× of the floor's. The
//! functions log at `info` here, as deployed.
//!
//! Build first (`make bench-cold-start` does): this binary builds nothing.
//! `BENCH_BIN_DIR` measures binaries elsewhere.

use std::process::ExitCode;
use std::time::Duration;

use bench::event::{HttpRequest, expect_unauthorized};
use bench::launch::{Instance, Subject, function_config, release_dir, subject, subjects};
use bench::seed::{
    Expect, Fixture, admin_token, check, endpoint_from_env, seed_clients, seed_loans,
};
use bench::{BoxError, Machine, Summary, env_number, mib, ms, summarise, thousands, zipped_size};
use serde_json::json;
use shared::store::keys::{CLIENT_SK, client_pk};

/// The goal for a function's median init, as a multiple of hello's.
const INIT_RATIO_GOAL: f64 = 1.5;
/// The goal for a deployment zip, in bytes (6 MB).
const ZIP_GOAL_BYTES: u64 = 6_000_000;
/// The goal for a function's median init + first database request, as a multiple of the
/// `getitem` floor's.
const COLD_REQUEST_GOAL: f64 = 1.3;

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
    let floor = subject(&release_dir(), "getitem", false)?;
    let endpoint = endpoint_from_env();
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
    print_report(&subjects, &samples, runs, warmup)?;
    match endpoint {
        Some(endpoint) => cold_request(&endpoint, &subjects, floor, runs, warmup).await,
        None => {
            eprintln!(
                "cold_start: AWS_ENDPOINT_URL_DYNAMODB is not set, so the cold request is not \
                 measured (`make bench-cold-start` starts a DynamoDB Local for it)"
            );
            Ok(())
        }
    }
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

/// One subject of the cold-request benchmark: a binary, its environment and the event of
/// its first invocation.
struct Case {
    label: String,
    request: &'static str,
    subject: Subject,
    config: Vec<(String, String)>,
    event: Vec<u8>,
    expect: Expect,
}

/// The cold request: seeds a table of its own, measures every case and deletes the table.
async fn cold_request(
    endpoint: &str,
    subjects: &[Subject],
    floor: Subject,
    runs: usize,
    warmup: usize,
) -> Result<(), BoxError> {
    let fixture = Fixture::create(endpoint, "bench-cold").await?;
    let outcome = measure_cold_requests(&fixture, subjects, floor, runs, warmup).await;
    let deleted = fixture.delete().await;
    let report = outcome?;
    deleted?;
    print!("{report}");
    Ok(())
}

async fn measure_cold_requests(
    fixture: &Fixture,
    subjects: &[Subject],
    floor: Subject,
    runs: usize,
    warmup: usize,
) -> Result<String, BoxError> {
    fixture.create_admin().await?;
    let config = function_config(fixture.table(), Some(&fixture.endpoint), "info");
    let function = |name: &str| {
        subjects
            .iter()
            .find(|s| s.name == name)
            .cloned()
            .ok_or_else(|| format!("no {name} binary"))
    };
    let bearer = admin_token()?;
    let client_ids = seed_clients(&function("clients")?, &config, &bearer, 1).await?;
    let loan_ids = seed_loans(&function("loans")?, &config, &bearer, &client_ids, 1).await?;
    let (client_id, loan_id) = match (client_ids.first(), loan_ids.first()) {
        (Some(client), Some(loan)) => (client.clone(), loan.clone()),
        _ => return Err("seeding made no client or no loan".into()),
    };

    let key = json!({"pk": client_pk(&client_id), "sk": CLIENT_SK})
        .to_string()
        .into_bytes();
    let with = |extra: (&str, &str)| {
        let mut config = config.clone();
        config.push((extra.0.to_owned(), extra.1.to_owned()));
        config
    };
    let api = |name: &'static str, request: &'static str, http: HttpRequest| {
        Ok::<Case, BoxError>(Case {
            label: format!("`{name}`"),
            request,
            subject: function(name)?,
            config: config.clone(),
            event: http.bearer(&bearer).event(),
            expect: Expect::Status(200),
        })
    };
    let cases = vec![
        Case {
            label: "`getitem`, plain SDK client (floor)".to_owned(),
            request: "one `GetItem` (the client's item)",
            subject: floor.clone(),
            config: with(("GETITEM_CLIENT", "plain")),
            event: key.clone(),
            expect: Expect::Found,
        },
        Case {
            label: "`getitem`, the functions' client".to_owned(),
            request: "one `GetItem` (the client's item)",
            subject: floor,
            config: with(("GETITEM_CLIENT", "shared")),
            event: key,
            expect: Expect::Found,
        },
        api(
            "clients",
            "`GET /clients/{id}`: one `GetItem`",
            HttpRequest::new("GET", format!("/clients/{client_id}")),
        )?,
        api(
            "loans",
            "`GET /loans/{id}`: one `Query` (GSI3)",
            HttpRequest::new("GET", format!("/loans/{loan_id}")),
        )?,
        api(
            "auth",
            "`GET /users`: one `Query` (GSI1)",
            HttpRequest::new("GET", "/users"),
        )?,
    ];

    let mut samples: Vec<Samples> = cases.iter().map(|_| Samples::default()).collect();
    let rounds = warmup + runs;
    for round in 0..rounds {
        eprint!(
            "\rcold_start: cold request round {}/{rounds}{}",
            round + 1,
            if round < warmup { " (warm-up)" } else { "" }
        );
        for k in 0..cases.len() {
            let index = (round + k) % cases.len();
            let case = &cases[index];
            let (init, first) = cold_read(case)
                .await
                .map_err(|err| format!("{}: {err}", case.label))?;
            if round >= warmup {
                samples[index].init.push(init);
                samples[index].first.push(first);
            }
        }
    }
    eprintln!();
    cold_request_report(&cases, &samples, runs, warmup)
}

/// One cold start whose first invocation reads the table: init and first-invocation time.
async fn cold_read(case: &Case) -> Result<(Duration, Duration), BoxError> {
    let mut instance = Instance::start(&case.subject, &case.config).await?;
    let init = instance.init();
    let invocation = instance.invoke(case.event.clone()).await?;
    check(case.expect, &invocation.body)?;
    Ok((init, invocation.duration()))
}

/// Median and p90 of init, first invocation and their per-run sum.
struct ColdRequest {
    init: Summary,
    first: Summary,
    sum: Summary,
}

fn cold_request_report(
    cases: &[Case],
    samples: &[Samples],
    runs: usize,
    warmup: usize,
) -> Result<String, BoxError> {
    use std::fmt::Write as _;
    let stats = samples
        .iter()
        .map(|s| {
            let sums: Vec<Duration> = s.init.iter().zip(&s.first).map(|(i, f)| *i + *f).collect();
            Ok(ColdRequest {
                init: summary(&s.init)?,
                first: summary(&s.first)?,
                sum: summary(&sums)?,
            })
        })
        .collect::<Result<Vec<_>, BoxError>>()?;
    let floor = stats.first().ok_or("no samples")?;
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64().max(f64::EPSILON);
    let both = |a: &Summary, b: &Summary| {
        format!(
            "{:.2}× / {:.2}×",
            ratio(a.median, b.median),
            ratio(a.p90, b.p90)
        )
    };

    let mut out = String::new();
    writeln!(out, "\n## Cold request\n")?;
    writeln!(
        out,
        "{runs} cold starts per row ({warmup} warm-up run discarded), round-robin, against \
         DynamoDB Local on loopback (plain HTTP). Init = process spawn → first `GET \
         /runtime/invocation/next`; first invocation = event handed out → response posted; \
         sum = the two added per run. Each ratio is median ÷ the floor's median / p90 ÷ the \
         floor's p90.\n"
    )?;
    writeln!(
        out,
        "| binary | first request | init median / p90 ms | first invocation median / p90 ms | sum median / p90 ms | init ÷ floor | first ÷ floor | sum ÷ floor (goal ≤ {COLD_REQUEST_GOAL}×) |"
    )?;
    writeln!(out, "|---|---|---:|---:|---:|---:|---:|---|")?;
    for (index, (case, s)) in cases.iter().zip(&stats).enumerate() {
        let verdict = if index == 0 {
            "(floor)"
        } else if !case.subject.is_api {
            "(reference)"
        } else if ratio(s.sum.median, floor.sum.median) <= COLD_REQUEST_GOAL {
            "met"
        } else {
            "missed"
        };
        writeln!(
            out,
            "| {} | {} | {} / {} | {} / {} | {} / {} | {} | {} | {} {verdict} |",
            case.label,
            case.request,
            ms(s.init.median),
            ms(s.init.p90),
            ms(s.first.median),
            ms(s.first.p90),
            ms(s.sum.median),
            ms(s.sum.p90),
            both(&s.init, &floor.init),
            both(&s.first, &floor.first),
            both(&s.sum, &floor.sum),
        )?;
    }
    Ok(out)
}
