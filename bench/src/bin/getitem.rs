//! The floor of the cold-request benchmark: a bare `lambda_runtime` function that builds
//! a DynamoDB client and answers every event `{"pk": …, "sk": …}` with one `GetItem` of
//! that key, `{"found": true}` or `{"found": false}`.
//!
//! Like `hello`, no tracing, no HTTP routing, no token, no codecs: only the Tokio runtime
//! (the same multi-threaded `#[tokio::main]` as the functions), the Lambda runtime client
//! and the SDK with the workspace's features (`default-https-client`, `rt-tokio`). What a
//! function spends from spawn to the response of its first database read beyond this
//! binary is the cost of its own code.
//!
//! `GETITEM_CLIENT` chooses the client:
//! - `plain` (the default): the SDK's documented way, `aws_config::load_defaults` and
//!   `Client::new`, with the SDK's default HTTPS client (which loads the system's trust
//!   store while the client is built) and default provider chains;
//! - `shared`: the functions' own client, `shared::store::dynamodb_client` (environment
//!   credentials, compiled-in Amazon roots, TLS set up on the first request), so the
//!   difference to a function is its code alone.
//!
//! `TABLE_NAME` names the table; the endpoint comes from `AWS_ENDPOINT_URL_DYNAMODB`.

use aws_config::BehaviorVersion;
use aws_sdk_dynamodb::types::AttributeValue;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde::Deserialize;
use serde_json::{Value, json};

/// The key to read.
#[derive(Deserialize)]
struct Key {
    pk: String,
    sk: String,
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let table = std::env::var("TABLE_NAME").map_err(|_| "TABLE_NAME is required")?;
    let client = match std::env::var("GETITEM_CLIENT").as_deref() {
        Ok("shared") => shared::store::dynamodb_client(&shared::Config::from_env()?),
        Ok("plain") | Err(_) => aws_sdk_dynamodb::Client::new(
            &aws_config::load_defaults(BehaviorVersion::latest()).await,
        ),
        Ok(other) => {
            return Err(format!("GETITEM_CLIENT must be plain or shared, got {other:?}").into());
        }
    };
    let client = &client;
    let table = table.as_str();
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Key>| async move {
        let item = client
            .get_item()
            .table_name(table)
            .key("PK", AttributeValue::S(event.payload.pk))
            .key("SK", AttributeValue::S(event.payload.sk))
            .send()
            .await?
            .item;
        Ok::<Value, Error>(json!({"found": item.is_some()}))
    }))
    .await
}
