//! Access to the DynamoDB table: the client built once per cold start, the mapping of SDK
//! failures to [`ApiError`], and one submodule per resource.
//!
//! Every SDK call goes through [`db_error`] on failure, which keeps the SDK error as the
//! cause (for the logs) and decides between `503` (the database is unreachable, slow or
//! throttling: retry later) and `500` (a bug).

use std::collections::HashMap;
use std::error::Error as StdError;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;

use crate::config::Config;
use crate::error::{ApiError, BoxError};

pub mod batch;
pub mod client_delete;
pub mod clients;
pub mod idempotency;
pub mod loans;
pub mod logins;
pub mod page;
pub mod users;

/// A DynamoDB item.
pub type Item = HashMap<String, AttributeValue>;

/// Time to open a connection before the attempt fails.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// Time for one attempt of an operation, retries excluded.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);
/// Time for an operation with all its retries; well inside the function's timeout.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(6);
/// Attempts per operation under the standard retry mode (exponential backoff, jitter).
pub const MAX_ATTEMPTS: u32 = 3;

/// Builds the DynamoDB client: explicit timeouts, standard retries, and the local
/// endpoint when one is configured. Reads only the environment (no network) so that it
/// costs nothing at cold start.
pub async fn dynamodb_client(config: &Config) -> aws_sdk_dynamodb::Client {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS));
    if let Some(endpoint) = &config.dynamodb_endpoint {
        loader = loader.endpoint_url(endpoint);
        if std::env::var_os("AWS_REGION").is_none()
            && std::env::var_os("AWS_DEFAULT_REGION").is_none()
        {
            loader = loader.region(aws_config::Region::from_static("us-east-1"));
        }
    }
    aws_sdk_dynamodb::Client::new(&loader.load().await)
}

/// The table and the client that reaches it; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl Store {
    /// A store over `table`, reached through `client` (built by [`dynamodb_client`]).
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// The SDK client, for operations the store's methods do not cover.
    pub fn client(&self) -> &aws_sdk_dynamodb::Client {
        &self.client
    }

    /// The table's name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// Reads one item by its key, strongly consistent.
    pub async fn get_item(
        &self,
        pk: String,
        sk: &str,
        context: &'static str,
    ) -> Result<Option<Item>, ApiError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(crate::table::PK, s(pk))
            .key(crate::table::SK, s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| db_error(context, e))?;
        Ok(output.item)
    }
}

/// A failed database call, with what the API was doing at the time.
#[derive(Debug, thiserror::Error)]
#[error("{context}")]
pub struct DbError {
    context: &'static str,
    #[source]
    source: BoxError,
}

/// Error codes that mean "the database is overloaded or briefly unwell: try again".
const RETRYABLE_CODES: [&str; 7] = [
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionInProgressException",
    "LimitExceededException",
];

/// Maps an SDK failure to `503` (unreachable, timed out, throttled) or `500`.
pub fn db_error<E, R>(context: &'static str, err: SdkError<E, R>) -> ApiError
where
    E: StdError + ProvideErrorMetadata + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let unavailable = match &err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(service) => service
            .err()
            .code()
            .is_some_and(|code| RETRYABLE_CODES.contains(&code)),
        _ => false,
    };
    let failure = DbError {
        context,
        source: Box::new(err),
    };
    if unavailable {
        ApiError::Unavailable(Box::new(failure))
    } else {
        ApiError::Internal(Box::new(failure))
    }
}

/// The reason code of each item of a cancelled transaction (`ConditionalCheckFailed`,
/// `TransactionConflict`, `None`...), or `None` when the failure was not a cancellation.
pub fn cancellation_codes(
    err: &SdkError<aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError>,
) -> Option<Vec<String>> {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    match err.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => Some(
            cancelled
                .cancellation_reasons()
                .iter()
                .map(|reason| reason.code().unwrap_or("None").to_owned())
                .collect(),
        ),
        _ => None,
    }
}

/// A failed transaction that no condition of ours explains: throttled items are `503`
/// (retry later), a conflict with a concurrent transaction is `409` (retry), anything
/// else goes through [`db_error`].
pub fn transaction_error(
    context: &'static str,
    err: SdkError<aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError>,
) -> ApiError {
    let codes = cancellation_codes(&err).unwrap_or_default();
    if codes.iter().any(|c| {
        matches!(
            c.as_str(),
            "ThrottlingError" | "ProvisionedThroughputExceeded"
        )
    }) {
        return ApiError::Unavailable(Box::new(DbError {
            context,
            source: Box::new(err),
        }));
    }
    if codes.iter().any(|c| c == "TransactionConflict") {
        tracing::info!(context, "transaction conflict");
        return ApiError::Conflict("a concurrent request is changing the same data; retry".into());
    }
    db_error(context, err)
}

/// The outcome of a single-item write conditional on the version read: a failed condition
/// means the item changed (or went) since, anything else is mapped by [`db_error`].
pub fn conditional<T, E, R>(
    result: Result<T, SdkError<E, R>>,
    context: &'static str,
) -> Result<(), clients::WriteError>
where
    E: StdError + ProvideErrorMetadata + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match result {
        Ok(_) => Ok(()),
        Err(err)
            if err.as_service_error().and_then(ProvideErrorMetadata::code)
                == Some("ConditionalCheckFailedException") =>
        {
            Err(clients::WriteError::Stale)
        }
        Err(err) => Err(clients::WriteError::Api(db_error(context, err))),
    }
}

/// Wraps a failure to convert an item to or from its stored form.
pub fn item_error(context: &'static str, err: serde_dynamo::Error) -> ApiError {
    ApiError::Internal(Box::new(DbError {
        context,
        source: Box::new(err),
    }))
}

/// An `Update` that sets every attribute of `item` except its key, leaving attributes the
/// item does not mention (bookkeeping such as a client's `loan_seq`) untouched.
pub fn update_all(table: &str, mut item: Item) -> aws_sdk_dynamodb::types::builders::UpdateBuilder {
    use crate::table::{PK, SK};
    let mut update = aws_sdk_dynamodb::types::Update::builder().table_name(table);
    for key in [PK, SK] {
        if let Some(value) = item.remove(key) {
            update = update.key(key, value);
        }
    }
    let mut assignments = Vec::with_capacity(item.len());
    for (i, (name, value)) in item.into_iter().enumerate() {
        assignments.push(format!("#a{i} = :a{i}"));
        update = update
            .expression_attribute_names(format!("#a{i}"), name)
            .expression_attribute_values(format!(":a{i}"), value);
    }
    update.update_expression(format!("SET {}", assignments.join(", ")))
}

/// Waits before retrying a write that lost a race: a random pause that grows with each
/// attempt, so that writers contending for one item spread out instead of colliding again.
pub async fn backoff(attempt: usize) {
    let mut byte = [0u8; 1];
    let jitter = aws_lc_rs::rand::fill(&mut byte).map_or(0, |()| u64::from(byte[0]));
    let ceiling_ms = 4u64 << attempt.min(5);
    tokio::time::sleep(Duration::from_millis(jitter * ceiling_ms / 255)).await;
}

/// A string attribute value.
pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A number attribute value.
pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}
