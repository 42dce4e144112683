//! Domain types: values that are valid by construction, and the entities built from them.

pub mod client;
pub mod fields;
pub mod loan;
pub mod loan_status;
pub mod money;
pub mod schedule;
pub mod time;
pub mod user;
