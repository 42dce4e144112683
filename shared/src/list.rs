//! The one pagination contract of every list: `limit` (1–100, default 20) and `cursor` in,
//! `{"items": [...], "next_cursor": ... | null}` out, newest first.

use chrono::Utc;
use serde::Serialize;

use crate::cursor::{CursorCodec, ResumeKey};
use crate::error::{ApiError, FieldError};
use crate::http::Query;

/// Items per page when the caller gives no `limit`.
pub const DEFAULT_LIMIT: usize = 20;
/// The largest `limit` accepted; it bounds the work and the response of one request.
pub const MAX_LIMIT: usize = 100;

/// What page the caller asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// Items wanted, 1 to [`MAX_LIMIT`].
    pub limit: usize,
    /// The `next_cursor` of the previous page, still sealed; `None` for the first page.
    pub cursor: Option<String>,
}

impl PageRequest {
    /// Reads `limit` and `cursor`: a `limit` that is not a whole number is a `400`, one out
    /// of range a `422` on `#/query/limit`.
    pub fn from_query(query: &Query) -> Result<Self, ApiError> {
        // Unlike the filters, a blank or padded `limit` is not the same as none: the
        // parameter is an integer, and `limit=` is a client bug worth naming.
        let limit = match query.raw("limit") {
            None => DEFAULT_LIMIT,
            Some(raw) => {
                let digits = raw.strip_prefix('-').unwrap_or(raw);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(ApiError::InvalidQuery(FieldError::query(
                        "limit",
                        "must be a whole number",
                    )));
                }
                // Negative or too big for any page: out of range rather than malformed.
                raw.parse::<usize>().unwrap_or(usize::MAX)
            }
        };
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::Validation(vec![FieldError::query(
                "limit",
                format!("must be from 1 to {MAX_LIMIT}"),
            )]));
        }
        Ok(Self {
            limit,
            cursor: query.get("cursor").map(str::to_owned),
        })
    }
}

/// One page of a list.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    /// At most `limit` items, newest first.
    pub items: Vec<T>,
    /// The sealed cursor of the next page; `None` (JSON `null`) on the last one.
    pub next_cursor: Option<String>,
}

/// The identity of a list query that a cursor is bound to: the operation, the caller,
/// every filter (absent ones included) and the limit.
pub fn binding(
    operation: &str,
    caller: &str,
    filters: &[(&str, Option<&str>)],
    limit: usize,
) -> String {
    let mut out = format!("{operation}\u{1f}{caller}\u{1f}limit={limit}");
    for (name, value) in filters {
        out.push('\u{1f}');
        out.push_str(name);
        out.push('=');
        out.push_str(value.unwrap_or("\u{0}"));
    }
    out
}

impl PageRequest {
    /// Opens the request's cursor, if any, for the list identified by `binding`.
    pub fn resume(
        &self,
        cursors: &CursorCodec,
        binding: &str,
    ) -> Result<Option<ResumeKey>, ApiError> {
        self.cursor
            .as_deref()
            .map(|cursor| cursors.decode(cursor, binding, Utc::now().timestamp()))
            .transpose()
    }
}

/// Seals a page's resume key into the `next_cursor` of its response.
pub fn page<T>(
    items: Vec<T>,
    next: Option<ResumeKey>,
    cursors: &CursorCodec,
    binding: &str,
) -> Result<Page<T>, ApiError> {
    let next_cursor = next
        .map(|key| cursors.encode(key, binding, Utc::now().timestamp()))
        .transpose()?;
    Ok(Page { items, next_cursor })
}
