//! Typed identifiers: a client's id cannot be passed where a loan's is expected, and an
//! id that is not in the canonical form the server issues cannot be built at all.
//!
//! Every id is a ULID chosen by the server, whose time part is the creation time of what
//! it names, so ordering by id and by creation time agree.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::time::Timestamp;

/// Whether `candidate` is a ULID in the canonical (upper-case, 26-character) form.
fn is_canonical_ulid(candidate: &str) -> bool {
    candidate.len() == ulid::ULID_LEN
        && ulid::Ulid::from_string(candidate).is_ok_and(|id| id.to_string() == candidate)
}

macro_rules! ulid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// A new id whose time part is `at`.
            pub fn new_at(at: Timestamp) -> Self {
                Self(super::time::new_id_at(at))
            }

            /// The id written as `text`, if it is one the server could have issued.
            pub fn parse(text: &str) -> Option<Self> {
                is_canonical_ulid(text).then(|| Self(text.to_owned()))
            }

            /// The id's text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, String> {
                if is_canonical_ulid(&value) {
                    Ok(Self(value))
                } else {
                    Err(format!("{value:?} is not an id this API issues"))
                }
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }
    };
}

ulid_id!(
    /// The id of a client.
    ClientId
);
ulid_id!(
    /// The id of a loan.
    LoanId
);
ulid_id!(
    /// The id of a loan product.
    ProductId
);
ulid_id!(
    /// The id of a transaction in a loan's ledger.
    TxnId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_canonical_ids_parse() {
        let id = ClientId::new_at(Timestamp::now());
        assert_eq!(ClientId::parse(id.as_str()), Some(id.clone()));
        let text = id.as_str();
        let invalid = [
            (text.to_lowercase(), "lower case"),
            (format!("{text}X"), "too long"),
            (text[1..].to_owned(), "too short"),
            ("../../etc/passwd".to_owned(), "a path"),
            (String::new(), "empty"),
        ];
        for (candidate, why) in invalid {
            assert_eq!(LoanId::parse(&candidate), None, "{why} must be refused");
            assert!(
                serde_json::from_value::<LoanId>(serde_json::Value::String(candidate)).is_err(),
                "{why} must not deserialize"
            );
        }
    }

    #[test]
    fn an_id_carries_its_creation_time() {
        let at = Timestamp::now();
        let id = ulid::Ulid::from_string(LoanId::new_at(at).as_str()).unwrap();
        assert_eq!(
            i64::try_from(id.timestamp_ms()).unwrap(),
            at.as_datetime().timestamp_millis()
        );
    }
}
