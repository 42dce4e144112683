//! Domain types: values that are valid by construction, and the entities built from them.
//!
//! Pure code: nothing here does I/O or knows about HTTP, tokens or the store. Every rule
//! of the lending business (who may change a loan and how, what a schedule is) lives here
//! and is tested here.

pub mod client;
pub mod fields;
pub mod ids;
pub mod ledger;
pub mod loan;
pub mod loan_change;
pub mod loan_status;
pub mod money;
pub mod product;
pub mod schedule;
pub mod servicing;
pub mod time;
pub mod user;
