//! The crate every lending API function shares.
//!
//! - [`domain`]: the lending business as pure code: values valid by construction, the
//!   loan lifecycle and its changes, schedules. It depends on nothing else here.
//! - [`store`]: the DynamoDB table, in the domain's terms (`StoreError`, never HTTP).
//! - [`auth`]: tokens, passwords, and the authenticated [`auth::Caller`].
//! - [`http`]: the router, extractors, responses and the request wrapper.
//! - [`error`]: [`ApiError`] and its Problem Details, and the mapping of every store and
//!   domain error to it.
//! - [`config`], [`app`], [`cursor`], [`list`], [`telemetry`]: what a function builds
//!   once per cold start, and the pieces every list shares.
//! - `openapi` (feature `openapi`): the schema builders and parameters the utoipa
//!   derives on the wire types use; the Lambda binaries are built without it.

pub mod app;
pub mod auth;
pub mod config;
pub mod cursor;
pub mod domain;
pub mod error;
#[cfg(feature = "factories")]
pub mod factories;
pub mod http;
pub mod list;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod store;
pub mod telemetry;

pub use app::App;
pub use config::Config;
pub use error::{ApiError, FieldError};
pub use store::Store;

/// A boxed error kept as the cause of a failure.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;
