//! Memory benchmark (issue 8, item 6): how much resident memory each release bootstrap
//! needs after init and at its peak under a sustained load of realistic requests.
//!
//! Why: Lambda bills memory size × time and the smallest setting that holds the peak is
//! the cheapest (CPU share aside); a function that outgrows its `MemorySize` is killed.
//! Goal: a peak under 32 MB for every function, and under 20 MB for auth (decimal
//! megabytes, compared as such). The auth function matters most: each login verifies an
//! Argon2id hash that allocates 7 MiB.
//!
//! Needs a DynamoDB Local (`AWS_ENDPOINT_URL_DYNAMODB`, and fake `AWS_ACCESS_KEY_ID` /
//! `AWS_SECRET_ACCESS_KEY` / `AWS_REGION` for this driver's own client); `make
//! bench-memory` starts one and builds first. In one run it:
//! 1. creates a table of its own (`shared::store::table::create_table`, as `lending-admin
//!    create-table`), an admin user (`Store::create_user` with an Argon2id hash), and signs
//!    admin tokens with the same `TOKEN_SECRET` it gives the functions (`TokenKeys`);
//! 2. seeds `MEMORY_BENCH_CLIENTS` clients (default 20) with three loans each through the
//!    clients and loans functions themselves (`POST /clients`, `POST
//!    /clients/{id}/loans`), in processes that are not measured;
//! 3. for each of `hello`, `clients`, `loans` and `auth`: starts one process against the
//!    Runtime API stub, reads `VmRSS` / `VmHWM` from `/proc/<pid>/status` after init,
//!    serves `MEMORY_BENCH_REQUESTS` invocations (default 2,000) one after another, each
//!    response checked, and reads them again:
//!    - clients: `GET /clients?limit=20` and `GET /clients/{id}`, alternating;
//!    - loans: `GET /loans?limit=20` and `GET /loans/{id}`, alternating;
//!    - auth: `POST /auth/login` (Argon2id), `POST /auth/refresh` with the refresh token
//!      the login returned (a keyed-hash lookup, no Argon2), and `GET /auth/me`, in turn;
//!    - hello: any JSON;
//! 4. before measuring auth, checks the login brake end to end on the release bootstrap:
//!    events from one source address brake that (username, address) pair after five
//!    failures, while the right password from another address still logs in;
//! 5. deletes its table and prints a Markdown table.
//!
//! The functions log at `info`, as deployed (`LogLevel` in `template.yaml`), into a null
//! stdout.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use bench::event::HttpRequest;
use bench::launch::{Instance, Rss, Subject, function_config, release_dir, rss, subjects};
use bench::seed::{
    ADMIN, ADMIN_PASSWORD, Expect, Fixture, admin_token, check, endpoint_from_env, seed_clients,
    seed_loans,
};
use bench::{BoxError, Machine, env_number, mib, ms, summarise};
use serde_json::{Value, json};

/// The goal for every function's peak resident memory, in bytes (32 MB).
const GOAL_BYTES: u64 = 32_000_000;
/// The goal for the auth function's peak resident memory, in bytes (20 MB).
const AUTH_GOAL_BYTES: u64 = 20_000_000;
/// Loans seeded per client.
const LOANS_PER_CLIENT: usize = 3;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("memory: {err}");
            ExitCode::FAILURE
        }
    }
}

/// What one function used.
struct Measurement {
    name: &'static str,
    requests: usize,
    after_init: Rss,
    after_load: Rss,
    /// Median invocation time per kind of request, in the order first served.
    medians: Vec<(&'static str, Duration)>,
    elapsed: Duration,
}

async fn run() -> Result<(), BoxError> {
    let endpoint = endpoint_from_env().ok_or(
        "AWS_ENDPOINT_URL_DYNAMODB is required: this benchmark serves real requests \
         against a DynamoDB Local (`make bench-memory` starts one)",
    )?;
    let requests = env_number("MEMORY_BENCH_REQUESTS", 2000)?;
    let clients = env_number("MEMORY_BENCH_CLIENTS", 20)?.max(1);
    if requests < 2 {
        return Err("MEMORY_BENCH_REQUESTS must be at least 2".into());
    }
    let subjects = subjects(&release_dir())?;
    let fixture = Fixture::create(&endpoint, "bench-memory").await?;
    let outcome = measure_all(&fixture, &subjects, requests, clients).await;
    let deleted = fixture.delete().await;
    let measurements = outcome?;
    deleted?;
    print_report(&measurements, clients);
    Ok(())
}

async fn measure_all(
    fixture: &Fixture,
    subjects: &[Subject],
    requests: usize,
    clients: usize,
) -> Result<Vec<Measurement>, BoxError> {
    fixture.create_admin().await?;
    let config = function_config(fixture.table(), Some(&fixture.endpoint), "info");
    let subject = |name: &str| {
        subjects
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| format!("no {name} binary"))
    };

    eprintln!("memory: seeding {clients} clients with {LOANS_PER_CLIENT} loans each");
    let client_ids = seed_clients(subject("clients")?, &config, &admin_token()?, clients).await?;
    let loan_ids = seed_loans(
        subject("loans")?,
        &config,
        &admin_token()?,
        &client_ids,
        LOANS_PER_CLIENT,
    )
    .await?;

    check_brake(subject("auth")?, &config).await?;

    let mut measurements = Vec::new();
    for subject in subjects {
        eprintln!("memory: {} × {requests}", subject.name);
        // A fresh token per function: a token lives 5 minutes.
        let bearer = admin_token()?;
        let mut refresh_token = String::new();
        let mut plan = |i: usize, previous: &Value| -> Planned {
            if let Some(token) = previous["refresh_token"].as_str() {
                refresh_token = token.to_owned();
            }
            let pick = |ids: &[String]| ids[(i / 2) % ids.len()].clone();
            let even = i % 2 == 0;
            let (label, request) = match (subject.name, even) {
                ("hello", _) => {
                    return Planned {
                        label: "any JSON",
                        event: json!({"n": i}).to_string().into_bytes(),
                        expect: Expect::Hello,
                    };
                }
                ("clients", true) => (
                    "GET /clients?limit=20",
                    HttpRequest::new("GET", "/clients").query("limit=20"),
                ),
                ("clients", false) => (
                    "GET /clients/{id}",
                    HttpRequest::new("GET", format!("/clients/{}", pick(&client_ids))),
                ),
                ("loans", true) => (
                    "GET /loans?limit=20",
                    HttpRequest::new("GET", "/loans").query("limit=20"),
                ),
                ("loans", false) => (
                    "GET /loans/{id}",
                    HttpRequest::new("GET", format!("/loans/{}", pick(&loan_ids))),
                ),
                _ if i % 3 == 0 => (
                    "POST /auth/login",
                    HttpRequest::new("POST", "/auth/login")
                        .json(&json!({"username": ADMIN, "password": ADMIN_PASSWORD})),
                ),
                _ if i % 3 == 1 => (
                    "POST /auth/refresh",
                    HttpRequest::new("POST", "/auth/refresh")
                        .json(&json!({"refresh_token": refresh_token})),
                ),
                _ => ("GET /auth/me", HttpRequest::new("GET", "/auth/me")),
            };
            let request = if label.starts_with("POST /auth/") {
                request
            } else {
                request.bearer(&bearer)
            };
            Planned {
                label,
                event: request.event(),
                expect: Expect::Status(200),
            }
        };
        measurements.push(measure(subject, &config, requests, &mut plan).await?);
    }
    Ok(measurements)
}

/// The login brake on the release bootstrap, with events from several source addresses:
/// five failures from one address brake that pair; the right password from another
/// address still logs in, and so does another username from the braked address.
async fn check_brake(subject: &Subject, config: &[(String, String)]) -> Result<(), BoxError> {
    let mut instance = Instance::start(subject, config).await?;
    let mut attempt = async |password: &str, ip: &str, expect: u16| -> Result<(), BoxError> {
        let event = HttpRequest::new("POST", "/auth/login")
            .from_ip(ip)
            .json(&json!({"username": ADMIN, "password": password}))
            .event();
        check(Expect::Status(expect), &instance.invoke(event).await?.body)
            .map_err(|err| format!("brake check from {ip}: {err}"))?;
        Ok(())
    };
    for _ in 0..shared::store::logins::MAX_FAILURES {
        attempt("not the bench password", "203.0.113.9", 401).await?;
    }
    attempt(ADMIN_PASSWORD, "203.0.113.9", 429).await?;
    attempt(ADMIN_PASSWORD, "198.51.100.20", 200).await?;
    eprintln!("memory: brake per source address checked on the release bootstrap");
    Ok(())
}

/// One invocation of the load: the event, what its response must be, and the kind of
/// request it is.
struct Planned {
    label: &'static str,
    event: Vec<u8>,
    expect: Expect,
}

/// Serves `requests` invocations from `plan` in one process and reads its memory.
async fn measure(
    subject: &Subject,
    config: &[(String, String)],
    requests: usize,
    plan: &mut impl FnMut(usize, &Value) -> Planned,
) -> Result<Measurement, BoxError> {
    let mut instance = Instance::start(subject, config).await?;
    let after_init = rss(instance.pid())?;
    let started = Instant::now();
    let mut durations: Vec<(&'static str, Vec<Duration>)> = Vec::new();
    let mut previous = Value::Null;
    for i in 0..requests {
        let planned = plan(i, &previous);
        let invocation = instance.invoke(planned.event).await?;
        previous = check(planned.expect, &invocation.body)
            .map_err(|err| format!("{} request {i}: {err}", subject.name))?;
        match durations
            .iter_mut()
            .find(|(label, _)| *label == planned.label)
        {
            Some((_, samples)) => samples.push(invocation.duration()),
            None => durations.push((planned.label, vec![invocation.duration()])),
        }
    }
    let elapsed = started.elapsed();
    let after_load = rss(instance.pid())?;
    Ok(Measurement {
        name: subject.name,
        requests,
        after_init,
        after_load,
        medians: durations
            .iter()
            .map(|(label, samples)| {
                let median = summarise(samples).map_or(Duration::ZERO, |s| s.median);
                (*label, median)
            })
            .collect(),
        elapsed,
    })
}

fn kib_as_mib(kib: u64) -> String {
    mib(kib * 1024)
}

fn print_report(measurements: &[Measurement], clients: usize) {
    println!("## Memory\n");
    println!("{}\n", Machine::detect().describe(&release_dir()));
    println!(
        "One process per binary against the Runtime API stub and DynamoDB Local; {clients} \
         clients and {} loans seeded. RSS from `/proc/<pid>/status`: `VmRSS` (resident now) \
         and `VmHWM` (peak resident), in MiB; the goals in decimal MB.\n",
        clients * LOANS_PER_CLIENT
    );
    println!(
        "| binary | requests | RSS after init | peak during init | RSS after load | peak (VmHWM) | peak MB | goal | load s | median ms per request |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---|---:|---|");
    for m in measurements {
        let peak_bytes = m.after_load.peak_kib * 1024;
        let goal = if m.name == "auth" {
            AUTH_GOAL_BYTES
        } else {
            GOAL_BYTES
        };
        println!(
            "| `{}` | {} | {} | {} | {} | {} | {:.1} | < {} MB {} | {:.1} | {} |",
            m.name,
            m.requests,
            kib_as_mib(m.after_init.current_kib),
            kib_as_mib(m.after_init.peak_kib),
            kib_as_mib(m.after_load.current_kib),
            kib_as_mib(m.after_load.peak_kib),
            peak_bytes as f64 / 1e6,
            goal / 1_000_000,
            if peak_bytes < goal { "met" } else { "missed" },
            m.elapsed.as_secs_f64(),
            m.medians
                .iter()
                .map(|(label, median)| format!("`{label}` {}", ms(*median)))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
}
