//! List scaling: does the first page of a list cost the same whatever the table holds?
//!
//! Creates two tables in DynamoDB Local (`AWS_ENDPOINT_URL_DYNAMODB`, default
//! `http://127.0.0.1:8000`), bulk-loads one with `LIST_BENCH_SMALL` loans (default 1,000)
//! and the other with `LIST_BENCH_LARGE` (default 50,000), a fifth of them `active` and
//! twenty per client, then times the loans handler in-process, as an admin, on
//!
//! - `GET /loans?status=active` (first page, default limit 20), and
//! - `GET /clients/{id}/loans` for one client with twenty loans,
//!
//! interleaving the two tables, `LIST_BENCH_ITERATIONS` times each (default 200) after
//! `LIST_BENCH_WARMUP` rounds (default 20). It prints the machine, the date, p50/p90 per
//! case, the large/small ratios, and the DynamoDB calls, items returned and items read
//! (`ScannedCount`) per page, as Markdown. The tables are deleted at the end.
//!
//! Run: `cargo bench -p api-tests --bench list_scaling` (or `make bench-lists`, which
//! also starts DynamoDB Local).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use api_tests::calls::CallLog;
use api_tests::seed::{self, BookSpec, FIFTH_ACTIVE};
use api_tests::{DeletesTable, TestApp, call, dynamodb, loans_handler, request, test_config};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::operation::query::QueryOutput;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef;
use http::Method;
use shared::auth::{Caller, Role, TokenKeys};
use shared::domain::loan_status::LoanStatus;
use shared::{App, Store};

use api_tests::bench::{Error, env_usize, machine, ms};

/// Loans per client in both tables: the client listed has this many.
const LOANS_PER_CLIENT: usize = 20;

/// Records `Count` and `ScannedCount` of every Query the client makes.
#[derive(Debug, Clone, Default)]
struct QueryProbe(Arc<Mutex<Vec<(i32, i32)>>>);

impl QueryProbe {
    fn attach(&self, client: aws_sdk_dynamodb::Client) -> aws_sdk_dynamodb::Client {
        let conf = client
            .config()
            .to_builder()
            .interceptor(self.clone())
            .build();
        aws_sdk_dynamodb::Client::from_conf(conf)
    }

    fn take(&self) -> Vec<(i32, i32)> {
        self.0
            .lock()
            .map(|mut seen| std::mem::take(&mut *seen))
            .unwrap_or_default()
    }
}

impl Intercept for QueryProbe {
    fn name(&self) -> &'static str {
        "QueryProbe"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Ok(output) = context.output_or_error()
            && let Some(query) = output.downcast_ref::<QueryOutput>()
            && let Ok(mut seen) = self.0.lock()
        {
            seen.push((query.count, query.scanned_count));
        }
        Ok(())
    }
}

/// One seeded table and what the benchmark asks of it.
struct Bench {
    loans: usize,
    app: TestApp,
    probe: QueryProbe,
    target_client: String,
    target_loans: usize,
    active: usize,
    seed_time: Duration,
}

async fn seeded_table(loans: usize) -> Result<Bench, Error> {
    let table = format!("bench-lists-{loans}-{}", ulid::Ulid::generate());
    let config = test_config(&table);
    let calls = CallLog::default();
    let probe = QueryProbe::default();
    let client = probe.attach(calls.attach(dynamodb(&config).await));
    shared::store::table::create_table(&client, &table)
        .await
        .map_err(|e| format!("create table {table}: {e:?}"))?;
    let app = App::new(Store::new(client, &table), &config).map_err(|e| format!("app: {e:?}"))?;
    let app = std::sync::Arc::new(app);
    let app = TestApp {
        app,
        cleanup: DeletesTable::new(&table),
        table,
        calls,
    };

    let started = Instant::now();
    let clients =
        seed::try_create_clients(app.store(), 0, loans.div_ceil(LOANS_PER_CLIENT)).await?;
    let ids: Vec<String> = clients.iter().map(|c| c.id().to_string()).collect();
    let spec = BookSpec {
        statuses: FIFTH_ACTIVE,
        ..BookSpec::new(loans)
    };
    let book = seed::book_loans(&spec, &ids);
    let report = seed::bulk_load(app.store(), &book).await?;
    let seed_time = started.elapsed();
    app.calls.take();
    probe.take();

    let target_client = ids[0].clone();
    let target_loans = book
        .iter()
        .filter(|l| l.client_id().as_str() == target_client)
        .count();
    let active = book
        .iter()
        .filter(|l| l.status() == LoanStatus::Active)
        .count();
    eprintln!(
        "seeded {}: {loans} loans ({active} active) for {} clients in {:.1} s \
         ({} BatchWriteItem calls, {} retries of unprocessed items)",
        app.table,
        ids.len(),
        seed_time.as_secs_f64(),
        report.calls,
        report.retries,
    );
    Ok(Bench {
        loans,
        app,
        probe,
        target_client,
        target_loans,
        active,
        seed_time,
    })
}

/// The two requests measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Case {
    ActiveLoans,
    ClientLoans,
}

impl Case {
    const ALL: [Self; 2] = [Self::ActiveLoans, Self::ClientLoans];

    fn label(self) -> &'static str {
        match self {
            Self::ActiveLoans => "`GET /loans?status=active`",
            Self::ClientLoans => "`GET /clients/{id}/loans`",
        }
    }

    fn uri(self, bench: &Bench) -> String {
        match self {
            Self::ActiveLoans => "/loans?status=active".to_owned(),
            Self::ClientLoans => format!("/clients/{}/loans", bench.target_client),
        }
    }

    fn expected_items(self, bench: &Bench) -> usize {
        match self {
            Self::ActiveLoans => bench.active.min(20),
            Self::ClientLoans => bench.target_loans.min(20),
        }
    }
}

/// What one case measured on one table.
#[derive(Debug, Default)]
struct Sample {
    latencies: Vec<Duration>,
    calls: Vec<usize>,
    returned: Vec<usize>,
    scanned: Vec<usize>,
}

impl Sample {
    fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1]
    }

    fn mean(values: &[usize]) -> f64 {
        if values.is_empty() {
            0.0
        } else {
            values.iter().sum::<usize>() as f64 / values.len() as f64
        }
    }

    /// `"2"` when every page cost the same, else the range.
    fn spread(values: &[usize]) -> String {
        let (min, max) = (
            values.iter().min().copied().unwrap_or(0),
            values.iter().max().copied().unwrap_or(0),
        );
        if min == max {
            min.to_string()
        } else {
            format!("{min}–{max} (mean {:.1})", Self::mean(values))
        }
    }
}

async fn measure(bench: &Bench, case: Case, token: &str) -> Result<(Duration, usize), Error> {
    bench.app.calls.take();
    bench.probe.take();
    let uri = case.uri(bench);
    let started = Instant::now();
    let response = call(
        &bench.app.app,
        loans_handler,
        request(Method::GET, &uri).bearer(token),
    )
    .await;
    let elapsed = started.elapsed();
    if response.status != 200 {
        return Err(format!("{uri}: {} {}", response.status, response.body).into());
    }
    let items = response.body["items"].as_array().map_or(0, Vec::len);
    if items != case.expected_items(bench) {
        return Err(format!(
            "{uri}: {items} items, expected {}",
            case.expected_items(bench)
        )
        .into());
    }
    Ok((elapsed, items))
}

async fn run() -> Result<(), Error> {
    let small = env_usize("LIST_BENCH_SMALL", 1_000)?;
    let large = env_usize("LIST_BENCH_LARGE", 50_000)?;
    let iterations = env_usize("LIST_BENCH_ITERATIONS", 200)?.max(1);
    let warmup = env_usize("LIST_BENCH_WARMUP", 20)?;
    let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .unwrap_or_else(|_| "http://127.0.0.1:8000".into());

    let benches = [seeded_table(small).await?, seeded_table(large).await?];
    let token = benches[0].app.app.tokens.issue(
        &Caller {
            username: "bench-admin".into(),
            role: Role::Admin,
            client_id: None,
        },
        TokenKeys::now(),
    )?;
    let token = token.access_token;

    for _ in 0..warmup {
        for case in Case::ALL {
            for bench in &benches {
                measure(bench, case, &token).await?;
            }
        }
    }
    let mut samples: BTreeMap<(Case, usize), Sample> = BTreeMap::new();
    for round in 0..iterations {
        for case in Case::ALL {
            // Alternate which table goes first, so neither always follows the other.
            let order: [usize; 2] = if round % 2 == 0 { [0, 1] } else { [1, 0] };
            for index in order {
                let bench = &benches[index];
                let (elapsed, items) = measure(bench, case, &token).await?;
                let calls = bench.app.calls.take();
                let queries = bench.probe.take();
                let sample = samples.entry((case, index)).or_default();
                sample.latencies.push(elapsed);
                sample.calls.push(calls.len());
                sample.returned.push(items);
                sample.scanned.push(
                    queries
                        .iter()
                        .map(|(_, scanned)| usize::try_from(*scanned).unwrap_or(0))
                        .sum(),
                );
            }
        }
    }

    for bench in &benches {
        let _ = bench
            .app
            .store()
            .client()
            .delete_table()
            .table_name(&bench.app.table)
            .send()
            .await;
    }

    let (model, cores) = machine();
    println!(
        "## List scaling — {}",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
    );
    println!();
    println!("- machine: {model}, {cores} cores");
    println!("- DynamoDB Local at {endpoint}");
    println!(
        "- tables: {} and {} loans (a fifth active, {LOANS_PER_CLIENT} per client); \
         seeded in {:.1} s and {:.1} s",
        benches[0].loans,
        benches[1].loans,
        benches[0].seed_time.as_secs_f64(),
        benches[1].seed_time.as_secs_f64()
    );
    println!(
        "- {iterations} timed requests per case and table after {warmup} warm-up rounds, \
         tables interleaved; latency is the loans handler in-process (token check, \
         parsing, DynamoDB round trips, JSON), first page, default limit 20"
    );
    println!();
    println!(
        "| request | loans in table | p50 ms | p90 ms | DynamoDB calls / page | items returned / page | items read (ScannedCount) / page |"
    );
    println!("|---|---:|---:|---:|---|---|---|");
    for case in Case::ALL {
        for (index, bench) in benches.iter().enumerate() {
            let sample = &samples[&(case, index)];
            println!(
                "| {} | {} | {} | {} | {} | {} | {} |",
                case.label(),
                bench.loans,
                ms(sample.percentile(50.0)),
                ms(sample.percentile(90.0)),
                Sample::spread(&sample.calls),
                Sample::spread(&sample.returned),
                Sample::spread(&sample.scanned),
            );
        }
    }
    println!();
    println!(
        "| request | p50 ratio {}/{} | p90 ratio {}/{} | goal |",
        benches[1].loans, benches[0].loans, benches[1].loans, benches[0].loans
    );
    println!("|---|---:|---:|---|");
    let mut within = true;
    for case in Case::ALL {
        let (a, b) = (&samples[&(case, 0)], &samples[&(case, 1)]);
        let ratio = |p: f64| b.percentile(p).as_secs_f64() / a.percentile(p).as_secs_f64();
        let (p50, p90) = (ratio(50.0), ratio(90.0));
        within &= p50 <= 1.3;
        println!(
            "| {} | {p50:.2}× | {p90:.2}× | ≤ 1.30× at p50: {} |",
            case.label(),
            if p50 <= 1.3 { "met" } else { "NOT met" }
        );
    }
    println!();
    println!(
        "{}",
        if within {
            "Result: first-page latency is flat in the table size."
        } else {
            "Result: a ratio is above 1.3× (see the table)."
        }
    );
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        // A test runner asking for tests: this binary has none.
        return;
    }
    if !args.iter().any(|a| a == "--bench") {
        println!(
            "list_scaling is a benchmark: run it with `cargo bench -p api-tests --bench list_scaling`"
        );
        return;
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("list_scaling: cannot start a runtime: {err}");
            std::process::exit(1);
        }
    };
    if let Err(err) = runtime.block_on(run()) {
        eprintln!("list_scaling failed: {err}");
        std::process::exit(1);
    }
}
