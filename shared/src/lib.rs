//! The domain crate every lending API function shares: configuration, the DynamoDB
//! table and store, domain types, errors as Problem Details, and HTTP glue.

pub mod app;
pub mod auth;
pub mod config;
pub mod cursor;
pub mod domain;
pub mod error;
#[cfg(feature = "factories")]
pub mod factories;
pub mod http;
pub mod idempotency;
pub mod list;
pub mod store;
pub mod table;
pub mod telemetry;

pub use app::App;
pub use config::Config;
pub use error::{ApiError, FieldError};
pub use store::Store;
