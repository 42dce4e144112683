//! Operator tooling behind `lending-admin`: seeding demo data, the fixtures the API Gateway
//! events in `events/` refer to, and dev tokens (the other commands are thin calls into
//! `shared` and live in the binary).

pub mod fixtures;
pub mod seed;
