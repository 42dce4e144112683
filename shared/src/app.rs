//! What a function builds once per cold start and lends to every request.

use crate::auth::TokenKeys;
use crate::config::Config;
use crate::cursor::CursorCodec;
use crate::error::ApiError;
use crate::store::{Store, dynamodb_client};
use std::sync::Arc;

/// The long-lived parts of a function: the store, the cursor codec and the token keys.
#[derive(Debug)]
pub struct App {
    /// The DynamoDB table every handler reads and writes.
    pub store: Store,
    /// Seals and opens the `next_cursor` of every list.
    pub cursors: CursorCodec,
    /// Issues tokens at login and authenticates every other request.
    pub tokens: TokenKeys,
}

impl App {
    /// Builds the DynamoDB client and the codecs from the configuration. Reads no file and
    /// makes no network call, so a cold start stays short.
    pub fn from_config(config: &Config) -> Result<Arc<Self>, ApiError> {
        let client = dynamodb_client(config);
        Self::new(Store::new(client, &config.table_name), config).map(Arc::new)
    }

    /// Assembles an app around an existing store (tests give each one its own table).
    pub fn new(store: Store, config: &Config) -> Result<Self, ApiError> {
        Ok(Self {
            store,
            cursors: CursorCodec::new(&config.cursor_secret)?,
            tokens: TokenKeys::new(&config.token_secret),
        })
    }
}
