//! Which failed DynamoDB calls the SDK retries beyond its defaults.
//!
//! The SDK's standard retry mode retries throttling, server errors and timeouts, but not
//! a `TransactWriteItems` that DynamoDB cancelled because another transaction was busy
//! with one of its items (`TransactionConflict`), nor one cancelled because an item was
//! throttled. A cancelled transaction applied nothing, so trying it again is safe; this
//! classifier lets the SDK do so with its usual backoff and attempt budget. A cancellation
//! with any other reason (a failed condition above all) is an answer, not a fault, and is
//! left alone.

use aws_sdk_dynamodb::config::interceptors::InterceptorContext;
use aws_sdk_dynamodb::config::retry::{ClassifyRetry, RetryAction};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;

/// Classifies cancelled transactions whose every reason is transient as retryable.
#[derive(Debug, Default, Clone, Copy)]
pub struct CancelledTransactionRetry;

/// What the reasons of a cancelled transaction call for.
fn action_for<'a>(codes: impl IntoIterator<Item = &'a str>) -> RetryAction {
    let (mut conflict, mut throttled) = (false, false);
    for code in codes {
        match code {
            "TransactionConflict" => conflict = true,
            "ThrottlingError" | "ProvisionedThroughputExceeded" => throttled = true,
            // This item was fine; another one cancelled the transaction.
            "None" => {}
            // A failed condition, a validation error...: retrying would not change it.
            _ => return RetryAction::NoActionIndicated,
        }
    }
    if throttled {
        RetryAction::throttling_error()
    } else if conflict {
        RetryAction::transient_error()
    } else {
        RetryAction::NoActionIndicated
    }
}

impl ClassifyRetry for CancelledTransactionRetry {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let Some(Err(error)) = ctx.output_or_error() else {
            return RetryAction::NoActionIndicated;
        };
        match error
            .as_operation_error()
            .and_then(|error| error.downcast_ref::<TransactWriteItemsError>())
        {
            Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => action_for(
                cancelled
                    .cancellation_reasons()
                    .iter()
                    .map(|reason| reason.code().unwrap_or("None")),
            ),
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "CancelledTransactionRetry"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_transient_cancellations_are_retried() {
        let no = RetryAction::NoActionIndicated;
        assert_eq!(
            action_for(["TransactionConflict", "None", "None"]),
            RetryAction::transient_error()
        );
        assert_eq!(
            action_for(["None", "ThrottlingError"]),
            RetryAction::throttling_error()
        );
        assert_eq!(
            action_for(["TransactionConflict", "ProvisionedThroughputExceeded"]),
            RetryAction::throttling_error()
        );
        assert_eq!(
            action_for(["TransactionConflict", "ConditionalCheckFailed"]),
            no,
            "a failed condition is an answer"
        );
        assert_eq!(action_for(["ValidationError"]), no);
        assert_eq!(action_for(["None", "None"]), no);
    }
}
