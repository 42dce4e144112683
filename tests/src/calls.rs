//! Counts the DynamoDB operations a client makes, through an SDK interceptor, so tests can
//! assert how many round trips an API operation costs.

use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;

/// The names of the operations made (`GetItem`, `Query`, `TransactWriteItems`...), in order,
/// and the `ClientRequestToken` of every `TransactWriteItems` (empty when it had none).
#[derive(Debug, Clone, Default)]
pub struct CallLog(Arc<Mutex<Vec<String>>>, Arc<Mutex<Vec<String>>>);

impl CallLog {
    /// A client like `client` that records every operation it makes here.
    pub fn attach(&self, client: aws_sdk_dynamodb::Client) -> aws_sdk_dynamodb::Client {
        let conf = client
            .config()
            .to_builder()
            .interceptor(self.clone())
            .build();
        aws_sdk_dynamodb::Client::from_conf(conf)
    }

    /// The `ClientRequestToken` of each transaction recorded since the last call to this
    /// method (`""` for one without), which forgets them.
    pub fn transaction_tokens(&self) -> Vec<String> {
        self.1
            .lock()
            .map(|mut tokens| std::mem::take(&mut *tokens))
            .unwrap_or_default()
    }

    /// The operations recorded since the last call, which forgets them.
    pub fn take(&self) -> Vec<String> {
        self.0
            .lock()
            .map(|mut calls| std::mem::take(&mut *calls))
            .unwrap_or_default()
    }
}

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "CallLog"
    }

    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg
            .load::<Metadata>()
            .map_or("unknown", Metadata::name)
            .to_owned();
        if let Some(input) = context.input().downcast_ref::<TransactWriteItemsInput>()
            && let Ok(mut tokens) = self.1.lock()
        {
            tokens.push(input.client_request_token().unwrap_or_default().to_owned());
        }
        if let Ok(mut calls) = self.0.lock() {
            calls.push(operation);
        }
        Ok(())
    }
}
