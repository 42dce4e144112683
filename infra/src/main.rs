//! `lending-admin`: operator commands for a lending API table.
//!
//! - `create-table`: creates the table with its indexes and TTL (no-op when it exists).
//!
//! It reads the same environment as the functions (`TABLE_NAME`, `CURSOR_SECRET`,
//! `AWS_ENDPOINT_URL_DYNAMODB` for DynamoDB Local).

use std::process::ExitCode;

use shared::{Config, store::dynamodb_client, table};

const USAGE: &str = "usage: lending-admin create-table";

#[tokio::main]
async fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_default();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("lending-admin: {err}");
            return ExitCode::FAILURE;
        }
    };
    let client = dynamodb_client(&config).await;
    let outcome = match command.as_str() {
        "create-table" => table::ensure_table(&client, &config.table_name)
            .await
            .map(|created| {
                let verb = if created { "created" } else { "already exists" };
                println!("table {}: {verb}", config.table_name);
            }),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("lending-admin: {}", shared::error::cause_chain(&err));
            ExitCode::FAILURE
        }
    }
}
