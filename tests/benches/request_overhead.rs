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

use std::collections::HashMap;
use std::time::{Duration, Instant};

use api_tests::bench::{Error, env_usize, machine, ms, percentile, started_as_benchmark};
use api_tests::factories::client_body;
use api_tests::loan::{loan_in, repay};
use api_tests::{TestApp, clients_handler, create_client, create_loan, loans_handler, request};
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use http::Method;
use serde_json::json;
use shared::domain::client::Client;
use shared::domain::ids::ClientId;
use shared::domain::time::Timestamp;
use shared::factories;
use shared::store::clients::{client_item, guard_items};
use shared::store::keys::{loan_sk, txn_prefix};

/// Active loans the repayment case spreads its postings over, so that no ledger grows
/// past a realistic length (about a dozen repayments each) during the run.
const ACTIVE_LOANS: usize = 30;
/// Repayments already on the loan whose balance is read.
const BALANCE_REPAYMENTS: usize = 12;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    GetClient,
    GetLoan,
    ListPage,
    CreateClient,
    Balance,
    Repayment,
}

impl Case {
    const ALL: [Case; 6] = [
        Case::GetClient,
        Case::GetLoan,
        Case::ListPage,
        Case::CreateClient,
        Case::Balance,
        Case::Repayment,
    ];

    fn name(self) -> &'static str {
        match self {
            Case::GetClient => "GET /clients/{id}",
            Case::GetLoan => "GET /loans/{id}",
            Case::ListPage => "GET /loans (first page of 20)",
            Case::CreateClient => "POST /clients",
            Case::Balance => "GET /loans/{id}/balance (12 repayments)",
            Case::Repayment => "POST /loans/{id}/repayments",
        }
    }

    fn raw(self) -> &'static str {
        match self {
            Case::GetClient => "GetItem",
            Case::GetLoan => "Query GSI3",
            Case::ListPage => "Query GSI1, Limit 21",
            Case::CreateClient => "TransactWriteItems (3 puts)",
            Case::Balance => "Query GSI3, then GetItem + Query at once",
            Case::Repayment => {
                "Query GSI3, then GetItem + Query at once, then TransactWriteItems (2 puts)"
            }
        }
    }
}

struct Fixture {
    app: TestApp,
    client_id: String,
    loan_id: String,
    /// The active loan whose balance is read.
    serviced_id: String,
    /// The active loans repayments are posted to, in turn.
    active_ids: Vec<String>,
    /// How many repayments each path has posted, to pick the next loan.
    handler_postings: std::cell::Cell<usize>,
    raw_postings: usize,
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
        Case::Balance => (
            loans_handler,
            request(
                Method::GET,
                &format!("/loans/{}/balance", fixture.serviced_id),
            ),
            200,
        ),
        Case::Repayment => {
            let postings = fixture.handler_postings.get();
            fixture.handler_postings.set(postings + 1);
            let loan_id = &fixture.active_ids[postings % fixture.active_ids.len()];
            (
                loans_handler,
                request(Method::POST, &format!("/loans/{loan_id}/repayments"))
                    .json(&json!({"amount": "1.00"})),
                201,
            )
        }
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
    let (serviced, writes) = if case == Case::Repayment {
        fixture.raw_postings += 1;
        let loan_id = &fixture.active_ids[fixture.raw_postings % fixture.active_ids.len()];
        (loan_id.clone(), writes)
    } else {
        (fixture.serviced_id.clone(), writes)
    };
    let started = Instant::now();
    match case {
        Case::Balance => {
            read_ledger(fixture, &serviced).await?;
        }
        Case::Repayment => {
            // The handler's transaction: the loan's next version, conditional on the
            // version read, and a new entry in the loan's partition, conditional on its
            // key being free. Here the loan is put back as read and the entry is a copy of
            // its latest transaction under a key outside the ledger, so the raw path
            // writes the same items without changing what the handler reads.
            let (loan, entry) = read_ledger(fixture, &serviced).await?;
            fixture.seq += 1;
            let mut entry = entry.ok_or("the loan has no transaction")?;
            entry.insert("SK".into(), s(&format!("BENCH#{:010}", fixture.seq)));
            let version = loan.get("version").cloned().ok_or("no version")?;
            let put_loan = Put::builder()
                .table_name(table)
                .set_item(Some(loan))
                .condition_expression("#version = :expected")
                .expression_attribute_names("#version", "version")
                .expression_attribute_values(":expected", version)
                .build()?;
            let put_entry = Put::builder()
                .table_name(table)
                .set_item(Some(entry))
                .condition_expression("attribute_not_exists(PK)")
                .build()?;
            db.transact_write_items()
                .transact_items(TransactWriteItem::builder().put(put_loan).build())
                .transact_items(TransactWriteItem::builder().put(put_entry).build())
                .send()
                .await?;
        }
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

/// The raw reads of a serviced loan: GSI3 locates it, then its item and its ledger are
/// read at once, strongly consistent. Returns the loan's item and its latest transaction.
async fn read_ledger(
    fixture: &Fixture,
    loan_id: &str,
) -> Result<
    (
        HashMap<String, AttributeValue>,
        Option<HashMap<String, AttributeValue>>,
    ),
    Error,
> {
    let store = fixture.app.store();
    let (db, table) = (store.client(), store.table());
    let located = db
        .query()
        .table_name(table)
        .index_name("GSI3")
        .key_condition_expression("GSI3PK = :id")
        .expression_attribute_values(":id", s(&loan_sk(loan_id)))
        .limit(1)
        .send()
        .await?;
    let pk = located
        .items()
        .first()
        .and_then(|item| item.get("PK"))
        .cloned()
        .ok_or("the loan is not in GSI3")?;
    let loan = db
        .get_item()
        .table_name(table)
        .key("PK", pk.clone())
        .key("SK", s(&loan_sk(loan_id)))
        .consistent_read(true)
        .send();
    let ledger = db
        .query()
        .table_name(table)
        .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
        .expression_attribute_values(":pk", pk)
        .expression_attribute_values(":prefix", s(&txn_prefix(loan_id)))
        .consistent_read(true)
        .send();
    let (loan, ledger) = tokio::join!(loan, ledger);
    let (loan, ledger) = (loan?, ledger?);
    let loan = loan.item.ok_or("no loan item")?;
    Ok((loan, ledger.items.unwrap_or_default().pop()))
}

async fn run() -> Result<(), Error> {
    let iterations = env_usize("OVERHEAD_BENCH_ITERATIONS", 300)?;
    let warmup = env_usize("OVERHEAD_BENCH_WARMUP", 30)?;
    let app = TestApp::spawn().await;
    let client = create_client(&app).await;
    let client_id = client["id"].as_str().ok_or("client id")?.to_owned();
    // 40 pending loans, three per client (the limit of pending applications).
    let mut loan_id = String::new();
    let mut owner = client_id.clone();
    for i in 0..40 {
        if i > 0 && i % 3 == 0 {
            owner = create_client(&app).await["id"]
                .as_str()
                .ok_or("client id")?
                .to_owned();
        }
        loan_id = create_loan(&app, &owner).await["id"]
            .as_str()
            .ok_or("loan id")?
            .to_owned();
    }
    // The serviced loans belong to a client of their own, with no pending application.
    let client_id = create_client(&app).await["id"]
        .as_str()
        .ok_or("client id")?
        .to_owned();
    let serviced = loan_in(&app, &client_id, "active").await;
    for _ in 0..BALANCE_REPAYMENTS {
        let response = repay(&app, &serviced, &json!("100.00"), None).await;
        if response.status != 201 {
            return Err(
                format!("seeding a repayment: {} {}", response.status, response.body).into(),
            );
        }
    }
    let mut active_ids = Vec::with_capacity(ACTIVE_LOANS);
    for _ in 0..ACTIVE_LOANS {
        let loan = loan_in(&app, &client_id, "active").await;
        active_ids.push(api_tests::loan::id(&loan));
    }
    let mut fixture = Fixture {
        app,
        client_id,
        loan_id,
        serviced_id: api_tests::loan::id(&serviced),
        active_ids,
        handler_postings: std::cell::Cell::new(0),
        raw_postings: 0,
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
