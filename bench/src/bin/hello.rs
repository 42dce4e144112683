//! The floor of the cold-start and memory benchmarks: a bare `lambda_runtime` function
//! that answers every event with `{"ok": true}`.
//!
//! No tracing subscriber, no configuration, no AWS SDK: only the Tokio runtime (the same
//! multi-threaded `#[tokio::main]` as the real functions) and the Lambda runtime client.
//! Whatever a real function spends at init or holds in memory beyond this binary is the
//! cost of its own code, which is what the benchmarks' ratios to `hello` show.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|_event: LambdaEvent<serde_json::Value>| async {
        Ok::<_, Error>(json!({"ok": true}))
    }))
    .await
}
