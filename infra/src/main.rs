//! `lending-admin`: operator commands for a lending API table.
//!
//! - `create-table`: creates the table with its indexes and TTL (no-op when it exists).
//! - `seed [CLIENTS] [LOANS_PER_CLIENT]`: fills the table with demo clients and loans in
//!   every status (default 100 clients with 10 loans each); rerunning rewrites the same
//!   items.
//! - `create-admin [--reset]`: creates the first admin. The username comes from
//!   `ADMIN_USERNAME` (default `admin`), the password from `ADMIN_PASSWORD` or, when that
//!   is unset, is generated and printed once. With `--reset`, an existing admin of that
//!   name is replaced (for local development, where the printed password is the only
//!   copy).
//!
//! - `event-fixtures`: loads the clients, loans, products and logins the events in
//!   `events/` refer to, under fixed ids (no-op when they are there).
//! - `dev-token [--customer CLIENT_ID | --events-customer]`: prints a fresh access token
//!   signed with `TOKEN_SECRET`, for the events' `Authorization` header (tokens expire in
//!   minutes): the admin `ADMIN_USERNAME` (default `admin`), a customer of `CLIENT_ID`, or
//!   the event fixtures' customer login (`ana.lopez`), which the events that act as a
//!   customer use. For local development only; it touches no table.
//!
//! It reads the same environment as the functions (`TABLE_NAME`, `CURSOR_SECRET`,
//! `TOKEN_SECRET`, `AWS_ENDPOINT_URL_DYNAMODB` for DynamoDB Local).

use std::process::ExitCode;

use shared::auth::{Caller, Role, TokenKeys, password};
use shared::domain::ids::ClientId;
use shared::domain::time::Timestamp;
use shared::domain::user::{User, Username};
use shared::store::idempotency::WriteOnce;
use shared::store::{dynamodb_client_from_default_chain, table};
use shared::{ApiError, Config, Store};

const USAGE: &str = "usage: lending-admin create-table | create-admin [--reset] | seed [CLIENTS] [LOANS_PER_CLIENT] \
                     | event-fixtures | dev-token [--customer CLIENT_ID | --events-customer]";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("lending-admin: {err}");
            return ExitCode::FAILURE;
        }
    };
    let client = dynamodb_client_from_default_chain(&config).await;
    let outcome = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["create-table"] => table::ensure_table(&client, &config.table_name)
            .await
            .map(|created| {
                let verb = if created { "created" } else { "already exists" };
                println!("table {}: {verb}", config.table_name);
            })
            .map_err(ApiError::from),
        ["seed", counts @ ..] if counts.len() <= 2 => {
            let number =
                |i: usize, default: u64| counts.get(i).map_or(Ok(default), |c| c.parse::<u64>());
            match (number(0, 100), number(1, 10)) {
                (Ok(clients), Ok(loans)) => {
                    infra::seed::seed(&Store::new(client, &config.table_name), clients, loans).await
                }
                _ => {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                }
            }
        }
        ["event-fixtures"] => infra::fixtures::load(
            &Store::new(client, &config.table_name),
            &TokenKeys::new(&config.token_secret),
        )
        .await
        .map(|loaded| {
            let verb = if loaded { "loaded" } else { "already there" };
            println!("event fixtures in {}: {verb}", config.table_name);
        }),
        ["dev-token"] => dev_token(&config, admin()),
        ["dev-token", "--customer", client] => ClientId::parse(client)
            .ok_or_else(|| ApiError::BadRequest(format!("{client:?} is not a client id")))
            .and_then(|client_id| {
                let username = format!("customer-{}", client_id.as_str().to_lowercase());
                dev_token(&config, customer(username, client_id))
            }),
        ["dev-token", "--events-customer"] => ClientId::parse(infra::fixtures::CLIENT_ID)
            .ok_or_else(|| ApiError::internal("the fixtures' client id is not an id"))
            .and_then(|client_id| {
                let username = infra::fixtures::CUSTOMER_USERNAME.to_owned();
                dev_token(&config, customer(username, client_id))
            }),
        ["create-admin", rest @ ..] if rest.iter().all(|a| *a == "--reset") => {
            create_admin(&Store::new(client, &config.table_name), !rest.is_empty()).await
        }
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

/// Prints a token for the admin `ADMIN_USERNAME`, or for a customer of `client`.
/// The admin `ADMIN_USERNAME` (default `admin`).
fn admin() -> Caller {
    Caller {
        username: std::env::var("ADMIN_USERNAME").unwrap_or_else(|_| "admin".into()),
        role: Role::Admin,
        client_id: None,
    }
}

fn customer(username: String, client_id: ClientId) -> Caller {
    Caller {
        username,
        role: Role::User,
        client_id: Some(client_id),
    }
}

fn dev_token(config: &Config, caller: Caller) -> Result<(), ApiError> {
    let issued = TokenKeys::new(&config.token_secret).issue(&caller, TokenKeys::now())?;
    println!("{}", issued.access_token);
    Ok(())
}

async fn create_admin(store: &Store, reset: bool) -> Result<(), ApiError> {
    let name = std::env::var("ADMIN_USERNAME").unwrap_or_else(|_| "admin".into());
    let username =
        Username::parse(&name).map_err(|e| ApiError::BadRequest(format!("ADMIN_USERNAME {e}")))?;
    let secret = match std::env::var("ADMIN_PASSWORD") {
        Ok(given) => {
            password::check_strength(&given, username.as_str())
                .map_err(|e| ApiError::BadRequest(format!("ADMIN_PASSWORD {e}")))?;
            given
        }
        Err(_) => password::generate()?,
    };
    if let Some(existing) = store.get_account(username.as_str()).await? {
        if !reset {
            println!(
                "admin {}: already exists (use --reset to replace it)",
                username.as_str()
            );
            return Ok(());
        }
        // Reset in place (an enabled admin with the new password, its sessions revoked):
        // deleting it first could leave the table without an enabled admin.
        let next = existing.user.changed(Role::Admin, None, false)?;
        let hash = password::hash(secret.clone()).await?;
        store.update_user(&existing, &next, Some(&hash)).await?;
        println!("admin reset; log in with POST /auth/login");
        println!("username: {}", next.username().as_str());
        println!("password: {secret}");
        return Ok(());
    }
    let user = User::new(username, Role::Admin, None, Timestamp::now())?;
    store
        .create_user(
            &user,
            &password::hash(secret.clone()).await?,
            &WriteOnce::fresh(),
        )
        .await?;
    println!("admin created; log in with POST /auth/login");
    println!("username: {}", user.username().as_str());
    println!("password: {secret}");
    Ok(())
}
