//! The data the benchmarks that reach DynamoDB Local share: a table of their own, an admin
//! user and its tokens, and clients and loans created through the functions themselves
//! (`POST /clients`, `POST /clients/{id}/loans`), so the items are exactly the ones the
//! functions write.

use serde_json::{Value, json};
use shared::auth::{Caller, Role, TokenKeys, password};
use shared::domain::time::Timestamp;
use shared::domain::user::{User, Username};
use shared::error::cause_chain;
use shared::store::idempotency::WriteOnce;
use shared::store::{StoreError, dynamodb_client};
use shared::{Config, Store};

use crate::BoxError;
use crate::event::{HttpRequest, http_response};
use crate::launch::{CURSOR_SECRET, Instance, Subject, TOKEN_SECRET};

/// The admin the benchmarks act as.
pub const ADMIN: &str = "bench-admin";
/// Its password (bench-only).
pub const ADMIN_PASSWORD: &str = "bench-only-admin-password-0123";

/// The DynamoDB Local endpoint from `AWS_ENDPOINT_URL_DYNAMODB`, if set and not empty.
pub fn endpoint_from_env() -> Option<String> {
    std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .ok()
        .filter(|e| !e.is_empty())
}

/// A table of the benchmark's own at a DynamoDB Local, deleted by [`Fixture::delete`].
pub struct Fixture {
    /// The store on that table, through the functions' own client.
    pub store: Store,
    /// The endpoint.
    pub endpoint: String,
}

impl Fixture {
    /// Creates a table named `<prefix>-<timestamp>` at `endpoint`.
    pub async fn create(endpoint: &str, prefix: &str) -> Result<Self, BoxError> {
        let table = format!("{prefix}-{}", chrono::Utc::now().format("%Y%m%d%H%M%S%3f"));
        let config = Config {
            table_name: table.clone(),
            dynamodb_endpoint: Some(endpoint.to_owned()),
            region: shared::config::LOCAL_REGION.to_owned(),
            trust_roots: shared::config::TrustRoots::Amazon,
            cursor_secret: CURSOR_SECRET.as_bytes().to_vec(),
            token_secret: TOKEN_SECRET.as_bytes().to_vec(),
        };
        let client = dynamodb_client(&config);
        shared::store::table::create_table(&client, &table)
            .await
            .map_err(|err| {
                format!(
                    "creating table {table} at {endpoint}: {} (is DynamoDB Local up, and are \
                     AWS_REGION / AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY set?)",
                    cause_chain(&err)
                )
            })?;
        Ok(Self {
            store: Store::new(client, &table),
            endpoint: endpoint.to_owned(),
        })
    }

    /// The table's name.
    pub fn table(&self) -> &str {
        self.store.table()
    }

    /// Deletes the table.
    pub async fn delete(self) -> Result<(), BoxError> {
        self.store
            .client()
            .delete_table()
            .table_name(self.store.table())
            .send()
            .await
            .map_err(|err| cause_chain(&StoreError::sdk("delete table", err)))?;
        Ok(())
    }

    /// Stores the admin user [`ADMIN`] with an Argon2id hash of [`ADMIN_PASSWORD`].
    pub async fn create_admin(&self) -> Result<(), BoxError> {
        let user = User::new(Username::parse(ADMIN)?, Role::Admin, None, Timestamp::now())?;
        let hash = password::hash(ADMIN_PASSWORD.to_owned()).await?;
        self.store
            .create_user(&user, &hash, &WriteOnce::fresh())
            .await?;
        Ok(())
    }
}

/// A fresh admin token signed with the `TOKEN_SECRET` the functions get (it lives 5
/// minutes).
pub fn admin_token() -> Result<String, BoxError> {
    let keys = TokenKeys::new(TOKEN_SECRET.as_bytes());
    let admin = Caller {
        username: ADMIN.to_owned(),
        role: Role::Admin,
        client_id: None,
    };
    Ok(keys.issue(&admin, TokenKeys::now())?.access_token)
}

/// What a response must be.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// hello's `{"ok": true}`.
    Hello,
    /// The `getitem` floor's `{"found": true}`.
    Found,
    /// An API response with this status.
    Status(u16),
}

/// Checks a posted response against `expect`; returns its (body) JSON.
pub fn check(expect: Expect, posted: &[u8]) -> Result<Value, BoxError> {
    let plain = |wanted: Value| -> Result<Value, BoxError> {
        let body: Value = serde_json::from_slice(posted)?;
        if body == wanted {
            Ok(body)
        } else {
            Err(format!("unexpected response {body}").into())
        }
    };
    match expect {
        Expect::Hello => plain(json!({"ok": true})),
        Expect::Found => plain(json!({"found": true})),
        Expect::Status(status) => {
            let response = http_response(posted)?;
            if response.status == status {
                Ok(response.body)
            } else {
                Err(format!("expected {status}, got {response:?}").into())
            }
        }
    }
}

/// Creates `count` clients through the clients function; returns their ids.
pub async fn seed_clients(
    subject: &Subject,
    config: &[(String, String)],
    bearer: &str,
    count: usize,
) -> Result<Vec<String>, BoxError> {
    let mut instance = Instance::start(subject, config).await?;
    let mut ids = Vec::with_capacity(count);
    for i in 0..count {
        let body = json!({
            "first_name": "Bench",
            "last_name": format!("Client {i}"),
            "email": format!("bench.client.{i}@example.com"),
            "document_number": format!("BENCH{i:06}"),
            "phone": format!("+5255{:08}", 10_000_000 + i),
            "birth_date": "1990-01-01",
            "monthly_income": "25000.00"
        });
        let event = HttpRequest::new("POST", "/clients")
            .bearer(bearer)
            .json(&body)
            .event();
        let created = check(Expect::Status(201), &instance.invoke(event).await?.body)
            .map_err(|err| format!("seeding client {i}: {err}"))?;
        ids.push(id_of(&created)?);
    }
    Ok(ids)
}

/// Applies for `per_client` loans (at most three) per client through the loans function;
/// returns their ids.
pub async fn seed_loans(
    subject: &Subject,
    config: &[(String, String)],
    bearer: &str,
    client_ids: &[String],
    per_client: usize,
) -> Result<Vec<String>, BoxError> {
    let mut instance = Instance::start(subject, config).await?;
    let mut ids = Vec::new();
    for client_id in client_ids {
        for term in [6, 12, 24].into_iter().take(per_client) {
            let body = json!({
                "amount": "10000.00",
                "annual_interest_rate": "12",
                "term_months": term,
                "purpose": "car"
            });
            let event = HttpRequest::new("POST", format!("/clients/{client_id}/loans"))
                .bearer(bearer)
                .json(&body)
                .event();
            let created = check(Expect::Status(201), &instance.invoke(event).await?.body)
                .map_err(|err| format!("seeding a loan of {client_id}: {err}"))?;
            ids.push(id_of(&created)?);
        }
    }
    Ok(ids)
}

fn id_of(created: &Value) -> Result<String, BoxError> {
    created["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no id in {created}").into())
}
