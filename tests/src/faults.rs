//! Fault injection for failures DynamoDB Local never produces: throttling, transaction
//! conflicts, and answers lost on the way back. An SDK interceptor catches a chosen
//! operation before it is sent and either turns the request into a harmless `ListTables`
//! (so nothing is written) and hands the SDK the error response DynamoDB would have sent
//! instead, or lets the request through and replaces DynamoDB's answer with a server
//! error, as when a write commits but its response never arrives.

use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextMut, BeforeTransmitInterceptorContextMut,
};
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::{Storable, StoreReplace};
use serde_json::{Value, json};

/// One planned failure: the operation it hits, the error body DynamoDB would return, and
/// how many attempts it hits (`None`: every one).
#[derive(Debug, Clone)]
struct Fault {
    operation: String,
    body: Value,
    remaining: Option<usize>,
    /// Whether the request is sent for real and only its answer replaced.
    after_sending: bool,
}

/// Planned failures, shared with the client it is attached to.
#[derive(Debug, Clone, Default)]
pub struct Faults(Arc<Mutex<Vec<Fault>>>);

/// The error body chosen for the attempt in flight, and its HTTP status.
#[derive(Debug, Clone)]
struct Injected(String, u16);

impl Storable for Injected {
    type Storer = StoreReplace<Self>;
}

impl Faults {
    /// A client like `client` that suffers the planned failures.
    pub fn attach(&self, client: aws_sdk_dynamodb::Client) -> aws_sdk_dynamodb::Client {
        let conf = client
            .config()
            .to_builder()
            .interceptor(self.clone())
            .build();
        aws_sdk_dynamodb::Client::from_conf(conf)
    }

    fn plan(&self, operation: &str, body: Value, times: Option<usize>) {
        self.push(Fault {
            operation: operation.to_owned(),
            body,
            remaining: times,
            after_sending: false,
        });
    }

    fn push(&self, fault: Fault) {
        if let Ok(mut faults) = self.0.lock() {
            faults.push(fault);
        }
    }

    /// The next `times` attempts of `operation` reach DynamoDB and take effect, but the
    /// SDK receives a `500 InternalServerError` instead of DynamoDB's answer: the write's
    /// outcome is unknown to the API.
    pub fn lose_responses(&self, operation: &str, times: usize) {
        self.push(Fault {
            operation: operation.to_owned(),
            body: json!({"__type": "com.amazon.coral.service#InternalServerError",
                         "message": "Internal server error"}),
            remaining: Some(times),
            after_sending: true,
        });
    }

    /// Every attempt of `operation` is throttled.
    pub fn throttle(&self, operation: &str) {
        self.plan(
            operation,
            json!({"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                   "message": "The level of configured provisioned throughput for the table was exceeded."}),
            None,
        );
    }

    /// The next `times` transactions are cancelled by a conflicting transaction on their
    /// first item (`items` is how many items the transaction has).
    pub fn transaction_conflict(&self, items: usize, times: usize) {
        let mut reasons = vec![
            json!({"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}),
        ];
        reasons.extend((1..items).map(|_| json!({"Code": "None"})));
        self.plan(
            "TransactWriteItems",
            json!({"__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                   "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]",
                   "CancellationReasons": reasons}),
            Some(times),
        );
    }

    /// The next attempt of `operation` fails with an error the API does not expect
    /// (`__type` `error_type`), as a bug or a misconfiguration would.
    pub fn fail_once(&self, operation: &str, error_type: &str) {
        self.plan(
            operation,
            json!({"__type": format!("com.amazonaws.dynamodb.v20120810#{error_type}"),
                   "message": format!("{error_type}: arn:aws:dynamodb:us-east-1:123456789012:table/secret")}),
            Some(1),
        );
    }

    /// Forgets every planned failure.
    pub fn clear(&self) {
        if let Ok(mut faults) = self.0.lock() {
            faults.clear();
        }
    }

    fn take(&self, operation: &str) -> Option<(Value, bool)> {
        let mut faults = self.0.lock().ok()?;
        let fault = faults
            .iter_mut()
            .find(|f| f.operation == operation && f.remaining != Some(0))?;
        if let Some(left) = fault.remaining.as_mut() {
            *left -= 1;
        }
        Some((fault.body.clone(), fault.after_sending))
    }
}

impl Intercept for Faults {
    fn name(&self) -> &'static str {
        "Faults"
    }

    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let operation = request
            .headers()
            .get("x-amz-target")
            .and_then(|target| target.rsplit('.').next())
            .unwrap_or_default()
            .to_owned();
        match self.take(&operation) {
            Some((body, true)) => {
                cfg.interceptor_state()
                    .store_put(Injected(body.to_string(), 500));
            }
            Some((body, false)) => {
                request
                    .headers_mut()
                    .insert("x-amz-target", "DynamoDB_20120810.ListTables");
                *request.body_mut() = SdkBody::from("{}");
                request.headers_mut().insert("content-length", "2");
                cfg.interceptor_state()
                    .store_put(Injected(body.to_string(), 400));
            }
            None => {
                cfg.interceptor_state().unset::<Injected>();
            }
        }
        Ok(())
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(Injected(body, status)) = cfg.load::<Injected>().cloned() {
            let mut response = Response::new(StatusCode::try_from(status)?, SdkBody::from(body));
            response
                .headers_mut()
                .insert("content-type", "application/x-amz-json-1.0");
            *context.response_mut() = response;
        }
        Ok(())
    }
}
