//! Per-request overhead: what a handler costs on top of the DynamoDB calls it makes.
//!
//! For each case the loop alternates the handler, called in-process as an admin through
//! `lambda_http::Request`s (token verification, routing, validation, JSON both ways,
//! Problem Details machinery), with the same DynamoDB calls made raw through the same SDK
//! client, against DynamoDB Local (`AWS_ENDPOINT_URL_DYNAMODB`). It prints p50/p90 of each
//! and the ratio handler / raw (goal: p50 within 1.2×).
//!
//! Run: `cargo bench -p api-tests --bench request_overhead` (or `make bench-overhead`).
//! `OVERHEAD_BENCH_ITERATIONS` (default 300) and `OVERHEAD_BENCH_WARMUP` (default 30).

use std::time::{Duration, Instant};

use api_tests::bench::{Error, env_usize, machine, ms, percentile, started_as_benchmark};
use api_tests::factories::client_body;
use api_tests::{TestApp, clients_handler, create_client, create_loan, loans_handler, request};
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use http::Method;
use shared::domain::client::Client;
use shared::domain::ids::ClientId;
use shared::domain::time::Timestamp;
use shared::factories;
use shared::store::clients::{client_item, guard_items};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    GetClient,
    GetLoan,
    ListPage,
    CreateClient,
}

impl Case {
    const ALL: [Case; 4] = [
        Case::GetClient,
        Case::GetLoan,
        Case::ListPage,
        Case::CreateClient,
    ];

    fn name(self) -> &'static str {
        match self {
            Case::GetClient => "GET /clients/{id}",
            Case::GetLoan => "GET /loans/{id}",
            Case::ListPage => "GET /loans (first page of 20)",
            Case::CreateClient => "POST /clients",
        }
    }

    fn raw(self) -> &'static str {
        match self {
            Case::GetClient => "GetItem",
            Case::GetLoan => "Query GSI3",
            Case::ListPage => "Query GSI1, Limit 21",
            Case::CreateClient => "TransactWriteItems (3 puts)",
        }
    }
}

struct Fixture {
    app: TestApp,
    client_id: String,
    loan_id: String,
    seq: u64,
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

/// The handler's way: a full request through the function.
async fn through_handler(fixture: &Fixture, case: Case) -> Result<Duration, Error> {
    let (handler, req, status): (api_tests::Handler, _, u16) = match case {
        Case::GetClient => (
            clients_handler,
            request(Method::GET, &format!("/clients/{}", fixture.client_id)),
            200,
        ),
        Case::GetLoan => (
            loans_handler,
            request(Method::GET, &format!("/loans/{}", fixture.loan_id)),
            200,
        ),
        Case::ListPage => (loans_handler, request(Method::GET, "/loans"), 200),
        Case::CreateClient => (
            clients_handler,
            request(Method::POST, "/clients").json(&client_body()),
            201,
        ),
    };
    let started = Instant::now();
    let response = fixture.app.as_admin(handler, req).await;
    let elapsed = started.elapsed();
    if response.status.as_u16() != status {
        return Err(format!("{}: {} {}", case.name(), response.status, response.body).into());
    }
    Ok(elapsed)
}

/// The same DynamoDB calls, made directly.
async fn raw(fixture: &mut Fixture, case: Case) -> Result<Duration, Error> {
    let store = fixture.app.store();
    let db = store.client();
    let table = store.table();
    // Whatever the raw path writes is built before the clock starts, as the handler's
    // validation is part of what the handler is timed for.
    let writes = if case == Case::CreateClient {
        fixture.seq += 1;
        let unique = format!("RAW{:010}", fixture.seq);
        let details = factories::client_details(
            &mut factories::rng(fixture.seq),
            &unique,
            chrono::Utc::now().date_naive(),
        )?;
        let now = Timestamp::now();
        let client = Client::new(ClientId::new_at(now), details, now);
        let mut items = vec![client_item(&client)?];
        items.extend(guard_items(&client));
        items
            .into_iter()
            .map(|item| {
                Put::builder()
                    .table_name(table)
                    .set_item(Some(item))
                    .condition_expression("attribute_not_exists(PK)")
                    .build()
                    .map(|put| TransactWriteItem::builder().put(put).build())
            })
            .collect::<Result<Vec<_>, _>>()?
    } else {
        Vec::new()
    };
    let started = Instant::now();
    match case {
        Case::GetClient => {
            db.get_item()
                .table_name(table)
                .key("PK", s(&format!("CLIENT#{}", fixture.client_id)))
                .key("SK", s("CLIENT"))
                .consistent_read(true)
                .send()
                .await?;
        }
        Case::GetLoan => {
            db.query()
                .table_name(table)
                .index_name("GSI3")
                .key_condition_expression("GSI3PK = :id")
                .expression_attribute_values(":id", s(&format!("LOAN#{}", fixture.loan_id)))
                .limit(1)
                .send()
                .await?;
        }
        Case::ListPage => {
            db.query()
                .table_name(table)
                .index_name("GSI1")
                .key_condition_expression("GSI1PK = :kind")
                .expression_attribute_values(":kind", s("LOAN"))
                .scan_index_forward(false)
                .limit(21)
                .send()
                .await?;
        }
        Case::CreateClient => {
            db.transact_write_items()
                .set_transact_items(Some(writes))
                .send()
                .await?;
        }
    }
    Ok(started.elapsed())
}

async fn run() -> Result<(), Error> {
    let iterations = env_usize("OVERHEAD_BENCH_ITERATIONS", 300)?;
    let warmup = env_usize("OVERHEAD_BENCH_WARMUP", 30)?;
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let client_id = client["id"].as_str().ok_or("client id")?.to_owned();
    let mut loan_id = String::new();
    for _ in 0..40 {
        loan_id = create_loan(&app, &client_id).await["id"]
            .as_str()
            .ok_or("loan id")?
            .to_owned();
    }
    let mut fixture = Fixture {
        app,
        client_id,
        loan_id,
        seq: 0,
    };

    let (cpu, cores) = machine();
    println!("# Per-request overhead\n");
    println!(
        "{cpu}, {cores} cores; {} UTC; {iterations} requests per case after {warmup} warm-up rounds; DynamoDB Local.\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M")
    );
    println!(
        "| case | handler p50 ms | handler p90 ms | raw calls | raw p50 ms | raw p90 ms | p50 ratio |"
    );
    println!("|---|---:|---:|---|---:|---:|---:|");
    let mut worst: f64 = 0.0;
    for case in Case::ALL {
        let (mut handled, mut direct) = (
            Vec::with_capacity(iterations),
            Vec::with_capacity(iterations),
        );
        for round in 0..warmup + iterations {
            // Alternate which goes first, so neither always meets a warmer connection.
            let (h, r) = if round % 2 == 0 {
                (
                    through_handler(&fixture, case).await?,
                    raw(&mut fixture, case).await?,
                )
            } else {
                let r = raw(&mut fixture, case).await?;
                (through_handler(&fixture, case).await?, r)
            };
            if round >= warmup {
                handled.push(h);
                direct.push(r);
            }
        }
        let (h50, h90) = (percentile(&mut handled, 50), percentile(&mut handled, 90));
        let (r50, r90) = (percentile(&mut direct, 50), percentile(&mut direct, 90));
        let ratio = h50.as_secs_f64() / r50.as_secs_f64().max(f64::EPSILON);
        worst = worst.max(ratio);
        println!(
            "| {} | {} | {} | {} | {} | {} | {ratio:.2}× |",
            case.name(),
            ms(h50),
            ms(h90),
            case.raw(),
            ms(r50),
            ms(r90)
        );
    }
    println!(
        "\n{}",
        if worst <= 1.2 {
            "Result: every handler is within 1.2× of its raw calls at p50."
        } else {
            "Result: a ratio is above 1.2× (see the table)."
        }
    );
    Ok(())
}

fn main() {
    if !started_as_benchmark("request_overhead") {
        return;
    }
    let outcome = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::from)
        .and_then(|runtime| runtime.block_on(run()));
    if let Err(err) = outcome {
        eprintln!("request_overhead: {err}");
        std::process::exit(1);
    }
}
