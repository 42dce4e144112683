//! Query-string parameters: parsed once, each name at most once, unknown names refused,
//! so a typo in a filter is an error rather than a silently wider result.

use std::collections::HashMap;

use http::request::Parts;
use lambda_http::RequestExt;

use crate::error::{ApiError, FieldError};

/// The query parameters of a request, in order, as sent: from the URI or, when an event
/// carries them only parsed, from API Gateway's parameters.
#[derive(Debug, Default, Clone)]
pub struct QueryPairs(Vec<(String, String)>);

impl QueryPairs {
    /// Reads the parameters of a request.
    pub fn of(parts: &Parts) -> Self {
        let mut pairs: Vec<(String, String)> = match parts.uri.query() {
            Some(raw) => form_urlencoded::parse(raw.as_bytes())
                .into_owned()
                .collect(),
            None => Vec::new(),
        };
        if pairs.is_empty() {
            let parsed = parts.query_string_parameters();
            for (name, _) in parsed.iter() {
                for value in parsed.all(name).unwrap_or_default() {
                    pairs.push((name.to_owned(), value.to_owned()));
                }
            }
        }
        Self(pairs)
    }
}

/// The query parameters of a request, checked against the names an operation accepts.
#[derive(Debug, Default)]
pub struct Query {
    values: HashMap<String, String>,
}

impl Query {
    /// Checks the parameters against the names an operation accepts, refusing repeated or
    /// unknown names with `400`.
    pub fn parse(pairs: QueryPairs, allowed: &[&str]) -> Result<Self, ApiError> {
        let mut values = HashMap::new();
        for (name, value) in pairs.0 {
            if !allowed.contains(&name.as_str()) {
                return Err(ApiError::BadRequest(format!(
                    "unknown query parameter {name:?}; this operation accepts: {}",
                    allowed.join(", ")
                )));
            }
            if values.insert(name.clone(), value).is_some() {
                return Err(ApiError::BadRequest(format!(
                    "query parameter {name:?} is given more than once"
                )));
            }
        }
        Ok(Self { values })
    }

    /// The value of `name` exactly as sent (blank included); `None` only when absent. For
    /// parameters such as `limit` whose blank value is not the same as none.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The value of `name`, with surrounding whitespace removed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// Reads `name` with `parse`, for values whose *form* is wrong (not a number, not a
    /// date): its message becomes a `400` for `#/query/<name>`.
    pub fn syntax<T>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ApiError> {
        self.get(name)
            .map(|raw| {
                parse(raw).map_err(|detail| ApiError::InvalidQuery(FieldError::query(name, detail)))
            })
            .transpose()
    }

    /// Parses `name` with `parse`, turning its message into a `422` for `#/query/<name>`.
    pub fn parse_with<T>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, FieldError> {
        self.get(name)
            .map(|raw| parse(raw).map_err(|detail| FieldError::query(name, detail)))
            .transpose()
    }
}
