//! A login of the API: an admin, or a customer bound to one client.
//!
//! The password hash lives only in the store's record; [`User`] (what responses show)
//! has no field for it, so it cannot leak through serialization.

use serde::{Deserialize, Serialize};

use super::time::Timestamp;
use crate::auth::{Caller, Role};

/// A username: 3 to 64 characters of lower-case letters, digits, `.`, `_` and `-`,
/// starting with a letter or digit. Usernames are case-insensitive (stored lower-case).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

impl Username {
    /// Shortest username accepted, in characters.
    pub const MIN_CHARS: usize = 3;
    /// Longest username accepted, in characters.
    pub const MAX_CHARS: usize = 64;

    /// Trims and lower-cases `input`, then checks its length and characters; the error is a
    /// message for the caller.
    pub fn parse(input: &str) -> Result<Self, String> {
        let lowered = input.trim().to_lowercase();
        if !(Self::MIN_CHARS..=Self::MAX_CHARS).contains(&lowered.len()) {
            return Err(format!(
                "must be {} to {} characters",
                Self::MIN_CHARS,
                Self::MAX_CHARS
            ));
        }
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
        if !lowered.chars().all(allowed)
            || !lowered.starts_with(|c: char| c.is_ascii_alphanumeric())
        {
            return Err("may contain only letters, digits, '.', '_' and '-', starting with a letter or digit".into());
        }
        Ok(Self(lowered))
    }

    /// The lower-case username.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Username {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl From<Username> for String {
    fn from(value: Username) -> String {
        value.0
    }
}

/// A user as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The login name and the user's identity; it cannot change.
    pub username: Username,
    /// What the user may do.
    pub role: Role,
    /// The client a customer is bound to; `None` for admins. It existed when the user was
    /// created but is not kept in step: deleting the client leaves it dangling.
    pub client_id: Option<String>,
    /// When the user was created.
    pub created_at: Timestamp,
    /// The user's `ETag`, which `DELETE /users/{username}` is conditional on; no operation
    /// updates a user, so it is 1.
    pub version: u64,
}

impl User {
    /// The API path of this user.
    pub fn location(&self) -> String {
        format!("/users/{}", self.username.as_str())
    }

    /// The caller this user becomes once logged in.
    pub fn caller(&self) -> Caller {
        Caller {
            username: self.username.as_str().to_owned(),
            role: self.role,
            client_id: self.client_id.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lower_cased_and_restricted() {
        assert_eq!(
            Username::parse(" Ana.Lopez ").unwrap().as_str(),
            "ana.lopez"
        );
        let invalid = [
            ("ab", "too short"),
            (&"a".repeat(65) as &str, "too long"),
            ("ana lopez", "a space"),
            ("-ana", "starts with a dash"),
            ("ana@x", "an @"),
            ("añа", "non-ASCII letters"),
        ];
        for (input, why) in invalid {
            assert!(Username::parse(input).is_err(), "{why} must be refused");
        }
    }
}
