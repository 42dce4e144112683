//! Full pages from DynamoDB queries.
//!
//! DynamoDB's `Limit` counts items *evaluated*, before any `FilterExpression`, so one
//! query call can return fewer matches than asked for. [`fetch_page`] keeps querying
//! until it has one match more than the page holds (to know whether another page exists)
//! or the data ends, within [`MAX_CALLS_PER_PAGE`] calls. The resume key it hands back
//! points just after the last item returned, so nothing is skipped or repeated; a page
//! that found nothing within its budget resumes where its reading stopped (past items
//! that did not match), so a walk through sparse data always moves forward.

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::AttributeValue;

use std::collections::HashMap;

use super::Item;
use super::error::StoreError;

/// A resume position: the key attributes of the last item returned (all strings). The
/// API never shows it raw: `crate::cursor` seals it into an opaque cursor.
pub type ResumeKey = HashMap<String, String>;

/// The read budget of one page request.
pub const MAX_CALLS_PER_PAGE: usize = 8;
/// Items evaluated per call when a filter may drop some.
const FILTERED_BATCH: i32 = 200;

/// One page of raw items and where the next one starts.
#[derive(Debug, Default)]
pub struct RawPage {
    /// At most `limit` items, in the query's order.
    pub items: Vec<Item>,
    /// Where the next page starts (unsealed); `None` when the data ends here.
    pub next: Option<ResumeKey>,
    /// Query calls made; the page's cost.
    pub calls: usize,
}

/// Runs `query` (key condition, index, filter and order already set) from `start` until
/// it holds `limit` items. `key_attributes` are the table's and the index's key names,
/// which make up a resume key.
pub async fn fetch_page(
    query: QueryFluentBuilder,
    key_attributes: &[&str],
    limit: usize,
    start: Option<ResumeKey>,
    filtered: bool,
) -> Result<RawPage, StoreError> {
    let mut page = RawPage::default();
    let mut start_key: Option<Item> = start.map(to_item);
    loop {
        let wanted = limit + 1 - page.items.len();
        let batch = if filtered {
            FILTERED_BATCH
        } else {
            i32::try_from(wanted).unwrap_or(i32::MAX)
        };
        let output = query
            .clone()
            .limit(batch)
            .set_exclusive_start_key(start_key.take())
            .send()
            .await
            .map_err(|e| StoreError::sdk("query a page", e))?;
        page.calls += 1;
        page.items.extend(output.items.unwrap_or_default());
        if page.items.len() > limit {
            page.items.truncate(limit);
            page.next = page
                .items
                .last()
                .map(|item| resume_key(item, key_attributes));
            return Ok(page);
        }
        match output.last_evaluated_key {
            None => return Ok(page),
            Some(key) if page.calls >= MAX_CALLS_PER_PAGE => {
                // Out of budget: resume right after the last item returned, so the next
                // page re-reads anything the filter dropped since. Only a page with no
                // item at all resumes where the reading stopped, so that paging always
                // moves forward.
                page.next = Some(match page.items.last() {
                    Some(item) => resume_key(item, key_attributes),
                    None => resume_key(&key, key_attributes),
                });
                return Ok(page);
            }
            Some(key) => start_key = Some(key),
        }
    }
}

fn resume_key(item: &Item, key_attributes: &[&str]) -> ResumeKey {
    key_attributes
        .iter()
        .filter_map(|name| {
            item.get(*name)
                .and_then(|value| value.as_s().ok())
                .map(|value| ((*name).to_owned(), value.clone()))
        })
        .collect()
}

fn to_item(key: ResumeKey) -> Item {
    key.into_iter()
        .map(|(k, v)| (k, AttributeValue::S(v)))
        .collect()
}
