//! Handler tests of the lending API against DynamoDB Local, one table per test.

mod auth;
mod clients;
mod clients_concurrency;
mod clients_list;
mod security;
mod template;
mod round_trips;
