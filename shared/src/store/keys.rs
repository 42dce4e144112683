//! Every key and attribute name of the single table, once.
//!
//! | item | PK | SK | GSI1 (all of a kind, newest first) |
//! |---|---|---|---|
//! | client | `CLIENT#<id>` | `CLIENT` | `CLIENT` / `<created_at>#<id>` |
//! | loan | `CLIENT#<client_id>` | `LOAN#<id>` | `LOAN` / `<created_at>#<id>` |
//! | customer login link | `CLIENT#<client_id>` | `USER#<username>` | |
//! | email guard | `EMAIL#<lower-cased email>` | `EMAIL` | |
//! | document guard | `DOCUMENT#<number>` | `DOCUMENT` | |
//! | user | `USER#<username>` | `USER` | `USER` / `<created_at>#<username>` |
//! | failed logins of a username from an address | `LOGIN#<username>#<ip>` | `FAILURES` | |
//! | failed logins from an address | `LOGIN_IP#<ip>` | `FAILURES` | |
//! | refresh token | `REFRESH#<keyed hash>` | `REFRESH` | |
//! | refresh token family (one login) | `FAMILY#<id>` | `FAMILY` | |
//! | count of enabled admins | `ADMINS` | `ADMINS` | |
//! | idempotency record | `IDEMPOTENCY#<hash>` | `IDEMPOTENCY` | |
//! | product | `PRODUCT#<id>` | `PRODUCT` | `PRODUCT` / `<created_at>#<id>` |
//! | loan transaction | `CLIENT#<client_id>` | `TXN#<loan_id>#<seq>` | |
//!
//! A loan also carries GSI2 (`LOAN_STATUS#<status>` / `<created_at>#<id>`: loans by
//! status) and GSI3 (`LOAN#<id>`: a loan by id alone); a product carries GSI2
//! (`PRODUCT_ACTIVE#true|false` / `<created_at>#<id>`: the products customers may see). An
//! active loan with an unpaid installment carries GSI4 (`ARREARS` / `<oldest unpaid due
//! date>#<id>`: the arrears list, most overdue first). A loan transaction's `<seq>` is its
//! posting number, zero-padded so that the key sorts in posting order. Nothing outside this module spells
//! a key prefix or a key attribute's name.

use crate::domain::loan_status::LoanStatus;
use crate::domain::time::Timestamp;

/// The table's partition key attribute.
pub const PK: &str = "PK";
/// The table's sort key attribute.
pub const SK: &str = "SK";
/// Items with this attribute (epoch seconds) are deleted by DynamoDB once it passes.
pub const TTL: &str = "expires_at";
/// GSI1's partition key: the kind of item (`CLIENT`, `LOAN`, `USER`).
pub const GSI1PK: &str = "GSI1PK";
/// GSI1's sort key: `<created_at>#<id>`.
pub const GSI1SK: &str = "GSI1SK";
/// GSI2's partition key: `LOAN_STATUS#<status>`.
pub const GSI2PK: &str = "GSI2PK";
/// GSI2's sort key: `<created_at>#<id>`.
pub const GSI2SK: &str = "GSI2SK";
/// GSI3's partition key: `LOAN#<id>`.
pub const GSI3PK: &str = "GSI3PK";
/// Partition key of the arrears index: [`ARREARS_KIND`] on every loan in it.
pub const GSI4PK: &str = "GSI4PK";
/// Sort key of the arrears index: the loan's oldest unpaid due date, then its id.
pub const GSI4SK: &str = "GSI4SK";

/// What an item is (`client`, `loan`, `user`, `user_link`), for people reading the table.
pub const ENTITY: &str = "entity";
/// The version every conditional write of a client, loan or user is conditional on.
pub const VERSION: &str = "version";
/// A client's count of loans ever applied for: bumped with each new loan, so a client
/// delete conditional on the value it read retries when a loan appears meanwhile.
pub const LOAN_SEQ: &str = "loan_seq";
/// A client's count of customer logins ever created, the same way as [`LOAN_SEQ`].
pub const USER_SEQ: &str = "user_seq";
/// Set on a client being deleted in several steps; it refuses new loans and logins.
pub const DELETING: &str = "deleting";
/// A number copy of a loan's `amount`, so that amount ranges compare numerically.
pub const AMOUNT_NUMBER: &str = "amount_n";
/// The lower-cased first name of a client, for case-insensitive search.
pub const FIRST_NAME_SEARCH: &str = "first_name_lc";
/// The lower-cased last name of a client, for case-insensitive search.
pub const LAST_NAME_SEARCH: &str = "last_name_lc";
/// The owner of a guard item, and a loan's client.
pub const CLIENT_ID: &str = "client_id";
/// A loan's creation time (its partition's list filters on it).
pub const CREATED_AT: &str = "created_at";
/// A loan's status (its partition's list filters on it).
pub const STATUS: &str = "status";
/// A user's session stamp: every refresh token is bound to the stamp it was issued
/// under, and replacing the stamp revokes them all at once.
pub const SESSION_STAMP: &str = "session_stamp";
/// The count of enabled admins in the [`ADMINS_KEY`] item.
pub const ENABLED_ADMINS: &str = "enabled";
/// The username a customer login link points at.
pub const USERNAME: &str = "username";
/// A client's count of `pending` loans, kept in the transaction of every write that makes
/// or ends one, so the limit holds under any concurrency.
pub const PENDING_LOANS: &str = "pending_loans";
/// A product's count of the loans made from it.
pub const LOANS_MADE: &str = "loans_made";
/// Whether a product takes new applications.
pub const ACTIVE: &str = "active";
/// On a loan item: how many transactions its ledger holds (the last one's `seq`).
pub const TXN_COUNT: &str = "txn_count";

/// GSI1's partition of every client.
pub const CLIENT_KIND: &str = "CLIENT";
/// GSI1's partition of every loan.
pub const LOAN_KIND: &str = "LOAN";
/// GSI1's partition of every user.
pub const USER_KIND: &str = "USER";
/// GSI1's partition of every product.
pub const PRODUCT_KIND: &str = "PRODUCT";
/// The sort key of a product item.
pub const PRODUCT_SK: &str = "PRODUCT";
/// GSI4's one partition: every loan in the arrears index.
pub const ARREARS_KIND: &str = "ARREARS";

/// The sort key of a client item.
pub const CLIENT_SK: &str = "CLIENT";
/// The sort key of an email guard.
pub const EMAIL_SK: &str = "EMAIL";
/// The sort key of a document guard.
pub const DOCUMENT_SK: &str = "DOCUMENT";
/// The sort key of a user item.
pub const USER_SK: &str = "USER";
/// The sort key of a username's failed-login counter.
pub const FAILURES_SK: &str = "FAILURES";
/// The sort key of a refresh token.
pub const REFRESH_SK: &str = "REFRESH";
/// The sort key of a refresh token family.
pub const FAMILY_SK: &str = "FAMILY";
/// The key (partition and sort) of the count of enabled admins.
pub const ADMINS_KEY: &str = "ADMINS";
/// The sort key of an idempotency record.
pub const IDEMPOTENCY_SK: &str = "IDEMPOTENCY";
/// What every loan's sort key starts with, in its client's partition.
pub const LOAN_PREFIX: &str = "LOAN#";
/// What every customer login link's sort key starts with, in its client's partition.
pub const USER_LINK_PREFIX: &str = "USER#";
/// What every loan transaction's sort key starts with, in its client's partition.
pub const TXN_PREFIX: &str = "TXN#";

/// The partition of a client: the client, its loans and its logins' links.
pub fn client_pk(client_id: &str) -> String {
    format!("CLIENT#{client_id}")
}

/// The sort key of a loan in its client's partition, which is also its GSI3 key.
pub fn loan_sk(loan_id: &str) -> String {
    format!("{LOAN_PREFIX}{loan_id}")
}

/// The sort key of a loan's transaction number `seq`.
pub fn txn_sk(loan_id: &str, seq: u32) -> String {
    format!("{}{seq:06}", txn_prefix(loan_id))
}

/// What every sort key of a loan's transactions begins with.
pub fn txn_prefix(loan_id: &str) -> String {
    format!("{TXN_PREFIX}{loan_id}#")
}

/// The arrears index's sort key of a loan whose oldest unpaid installment fell due on
/// `due`.
pub fn arrears_sort_key(due: chrono::NaiveDate, loan_id: &str) -> String {
    format!("{due}#{loan_id}")
}

/// GSI2's partition of the loans of `status`.
pub fn status_pk(status: LoanStatus) -> String {
    format!("LOAN_STATUS#{}", status.as_str())
}

/// The `<created_at>#<id>` sort key of the GSI1 and GSI2 entries, newest last.
pub fn created_sort_key(created_at: Timestamp, id: &str) -> String {
    format!("{}#{id}", created_at.to_rfc3339())
}

/// The guard of a (lower-cased) email address.
pub fn email_pk(normalized: &str) -> String {
    format!("EMAIL#{normalized}")
}

/// The guard of a (upper-cased) document number.
pub fn document_pk(number: &str) -> String {
    format!("DOCUMENT#{number}")
}

/// The partition of a user.
pub fn user_pk(username: &str) -> String {
    format!("USER#{username}")
}

/// The sort key of a customer login's link in its client's partition.
pub fn user_link_sk(username: &str) -> String {
    format!("{USER_LINK_PREFIX}{username}")
}

/// The partition of the failed-login counter of `username` from address `ip`.
pub fn login_failures_pk(username: &str, ip: &str) -> String {
    format!("LOGIN#{username}#{ip}")
}

/// The partition of the failed-login counter of address `ip`, across usernames.
pub fn address_failures_pk(ip: &str) -> String {
    format!("LOGIN_IP#{ip}")
}

/// The partition of a refresh token, by its keyed hash.
pub fn refresh_pk(digest: &str) -> String {
    format!("REFRESH#{digest}")
}

/// The partition of a refresh token family.
pub fn family_pk(family: &str) -> String {
    format!("FAMILY#{family}")
}

/// The partition of a product.
pub fn product_pk(product_id: &str) -> String {
    format!("PRODUCT#{product_id}")
}

/// GSI2's partition of the products that are (or are not) active.
pub fn product_state_pk(active: bool) -> String {
    format!("PRODUCT_ACTIVE#{active}")
}

/// The partition of an idempotency record, from the hash of its caller and key.
pub fn idempotency_pk(hash: &str) -> String {
    format!("IDEMPOTENCY#{hash}")
}
