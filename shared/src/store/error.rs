//! What can go wrong in the store, said in the domain's terms: a version that moved on, a
//! unique value already taken, a missing or departing client, a lost idempotency claim,
//! or a database that is unavailable or failed. The store never decides HTTP statuses or
//! caller-facing texts; `crate::error` maps these to Problem Details in one place.

use std::error::Error as StdError;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;

use crate::BoxError;

/// A value that two items may not share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unique {
    /// A client's email address (case-insensitive).
    Email,
    /// A client's document number.
    DocumentNumber,
    /// A user's username.
    Username,
}

/// A failed database call, with what the store was doing at the time.
#[derive(Debug, thiserror::Error)]
#[error("{context}")]
pub struct DbError {
    context: &'static str,
    #[source]
    source: BoxError,
}

impl DbError {
    /// A failure of `context` caused by `source`.
    pub fn new(context: &'static str, source: impl Into<BoxError>) -> Self {
        Self {
            context,
            source: source.into(),
        }
    }
}

/// Why a store operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The item changed (or went) since it was read: its version is not the one the
    /// write was conditional on.
    #[error("the item changed since it was read")]
    Stale,
    /// The value is already another item's.
    #[error("{0:?} is taken")]
    Taken(Unique),
    /// The client the write needs does not exist.
    #[error("the client does not exist")]
    MissingClient,
    /// The client is being deleted and takes no new loans or logins.
    #[error("the client is being deleted")]
    ClientDeleting,
    /// The client already has as many `pending` loans as it may.
    #[error("the client has the most pending loans it may have")]
    PendingLimit,
    /// The product a loan is applied for through is gone or no longer active.
    #[error("the product is not active")]
    ProductInactive,
    /// The change would leave no enabled admin.
    #[error("the last enabled admin must stay")]
    LastAdmin,
    /// The item has dependants that keep it (a product loans were made from).
    #[error("the item is in use")]
    InUse,
    /// Another attempt took over this request's idempotency claim (after its lease
    /// lapsed); this attempt wrote nothing.
    #[error("the idempotency claim was taken over")]
    ClaimLost,
    /// DynamoDB kept cancelling the transaction for a concurrent one on the same items,
    /// past the SDK's retries; nothing was written.
    #[error("a concurrent transaction kept conflicting")]
    Conflict,
    /// The database is unreachable, too slow or throttling: retry later. The write, if
    /// any, may or may not have happened.
    #[error("the database is unavailable")]
    Unavailable(#[source] DbError),
    /// Anything else: a bug, a misconfiguration, or an item that cannot be read.
    #[error("the store failed")]
    Internal(#[source] DbError),
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

impl StoreError {
    /// A failed SDK call: `Unavailable` when the database did not answer, timed out or
    /// is throttling, `Internal` otherwise.
    pub fn sdk<E, R>(context: &'static str, err: SdkError<E, R>) -> Self
    where
        E: StdError + ProvideErrorMetadata + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        let unavailable = match &err {
            SdkError::TimeoutError(_)
            | SdkError::DispatchFailure(_)
            | SdkError::ResponseError(_) => true,
            SdkError::ServiceError(service) => service
                .err()
                .code()
                .is_some_and(|code| RETRYABLE_CODES.contains(&code)),
            _ => false,
        };
        let failure = DbError::new(context, err);
        if unavailable {
            Self::Unavailable(failure)
        } else {
            Self::Internal(failure)
        }
    }

    /// A failed transaction that no condition of ours explains: throttled items are
    /// `Unavailable`, a conflict with a concurrent transaction is `Conflict`, anything
    /// else goes through [`StoreError::sdk`].
    pub fn transaction(context: &'static str, err: SdkError<TransactWriteItemsError>) -> Self {
        let codes = cancellation_codes(&err).unwrap_or_default();
        if codes.iter().any(|c| {
            matches!(
                c.as_str(),
                "ThrottlingError" | "ProvisionedThroughputExceeded"
            )
        }) {
            return Self::Unavailable(DbError::new(context, err));
        }
        if codes.iter().any(|c| c == "TransactionConflict") {
            tracing::info!(context, "transaction conflict");
            return Self::Conflict;
        }
        Self::sdk(context, err)
    }

    /// A request the store could not even build (a bug).
    pub fn invalid_request(err: impl Into<BoxError>) -> Self {
        Self::Internal(DbError::new("build a request", err))
    }

    /// An item that could not be converted to or from its stored form.
    pub fn item(context: &'static str, err: serde_dynamo::Error) -> Self {
        Self::Internal(DbError::new(context, err))
    }

    /// Whether the write this error ended may still have happened: the database did
    /// not answer, or answered with a failure of its own.
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::Internal(_))
    }
}

/// The reason code of each item of a cancelled transaction (`ConditionalCheckFailed`,
/// `TransactionConflict`, `None`...), or `None` when the failure was not a cancellation.
pub fn cancellation_codes(err: &SdkError<TransactWriteItemsError>) -> Option<Vec<String>> {
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

/// Whether the action at `index` of a cancelled transaction failed its condition.
pub fn failed_condition(err: &SdkError<TransactWriteItemsError>, index: usize) -> bool {
    cancellation_codes(err)
        .and_then(|codes| codes.get(index).cloned())
        .is_some_and(|code| code == "ConditionalCheckFailed")
}

/// The outcome of a single-item write conditional on the version read: a failed condition
/// means the item changed (or went) since.
pub fn conditional<T, E, R>(
    result: Result<T, SdkError<E, R>>,
    context: &'static str,
) -> Result<(), StoreError>
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
            Err(StoreError::Stale)
        }
        Err(err) => Err(StoreError::sdk(context, err)),
    }
}
