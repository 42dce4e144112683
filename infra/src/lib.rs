//! Operator tooling behind `lending-admin`: seeding demo data (the other commands are thin
//! calls into `shared` and live in the binary).

pub mod seed;
