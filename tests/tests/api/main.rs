//! Handler tests of the lending API against DynamoDB Local, one table per test.

mod applications;
mod auth;
mod brake;
mod clients;
mod clients_concurrency;
mod clients_list;
mod events;
mod exactly_once;
mod faults;
mod idempotency;
mod lists;
mod loans;
mod loans_lifecycle;
mod loans_lists;
mod owasp;
mod products;
mod quotes;
mod races;
mod round_trips;
mod seed;
mod servicing;
mod sessions;
mod template;
