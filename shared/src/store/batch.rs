//! Bulk writes for seeding: `BatchWriteItem` in DynamoDB's batches of 25, retrying the
//! items DynamoDB hands back as unprocessed (throttling) with exponential backoff.
//!
//! Batch writes are unconditional, so the API never uses them; they load demo and
//! benchmark data into tables whose contents the loader owns.

use std::time::Duration;

use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};

use super::error::{DbError, StoreError};
use super::{Item, Store};

/// Items per `BatchWriteItem`, DynamoDB's limit.
pub const BATCH_SIZE: usize = 25;
/// Rounds of retrying unprocessed items before giving up.
const MAX_RETRIES: u32 = 10;

impl Store {
    /// Writes every item, calling `on_progress` with the number written after each batch.
    pub async fn put_all(
        &self,
        items: Vec<Item>,
        mut on_progress: impl FnMut(usize),
    ) -> Result<(), StoreError> {
        let mut requests = Vec::with_capacity(items.len());
        for item in items {
            let put = PutRequest::builder()
                .set_item(Some(item))
                .build()
                .map_err(StoreError::invalid_request)?;
            requests.push(WriteRequest::builder().put_request(put).build());
        }
        while !requests.is_empty() {
            let rest = requests.split_off(requests.len().min(BATCH_SIZE));
            let batch = std::mem::replace(&mut requests, rest);
            let written = batch.len();
            self.write_batch(batch).await?;
            on_progress(written);
        }
        Ok(())
    }

    async fn write_batch(&self, mut pending: Vec<WriteRequest>) -> Result<(), StoreError> {
        for attempt in 0..=MAX_RETRIES {
            if attempt > 0 {
                let backoff = Duration::from_millis(25 << attempt.min(8));
                tokio::time::sleep(backoff).await;
            }
            let output = self
                .client()
                .batch_write_item()
                .request_items(self.table(), pending)
                .send()
                .await
                .map_err(|e| StoreError::sdk("batch write", e))?;
            pending = output
                .unprocessed_items
                .and_then(|mut unprocessed| unprocessed.remove(self.table()))
                .unwrap_or_default();
            if pending.is_empty() {
                return Ok(());
            }
        }
        Err(StoreError::Unavailable(DbError::new(
            "batch write",
            format!(
                "{} items still unprocessed after {MAX_RETRIES} retries",
                pending.len()
            ),
        )))
    }
}
