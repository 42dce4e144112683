//! A login of the API: an admin, or a customer bound to one client.
//!
//! The password hash lives only in the store's record; [`User`] (what responses show)
//! has no field for it, so it cannot leak through serialization. A user's role and client
//! always agree: an admin has no client, a customer always has one.

use serde::{Deserialize, Serialize};

use super::ids::ClientId;
use super::time::Timestamp;
#[cfg(feature = "openapi")]
use crate::openapi::user as doc;

/// The two roles of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(description = crate::openapi::user::ROLE)
)]
pub enum Role {
    /// Runs the book: every operation.
    Admin,
    /// A customer bound to one client.
    User,
}

impl Role {
    /// The wire name (`"admin"` or `"user"`), the same text serde and tokens use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::User => "user",
        }
    }

    /// Parses a wire name exactly (lower case); the error is a message for the caller.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "admin" => Ok(Self::Admin),
            "user" => Ok(Self::User),
            _ => Err("must be \"admin\" or \"user\"".into()),
        }
    }
}

/// A username: 3 to 64 characters of lower-case letters, digits, `.`, `_` and `-`,
/// starting with a letter or digit. Usernames are case-insensitive (stored lower-case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

/// Why a user cannot be made: its role and client disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    /// A customer without a client.
    #[error("is required for a user")]
    CustomerWithoutClient,
    /// An admin bound to a client.
    #[error("must be null for an admin")]
    AdminWithClient,
}

/// A user as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "UserFields")]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(description = "A login of the API. Its password is never returned.")
)]
pub struct User {
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::username))]
    username: Username,
    role: Role,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::client_id, required = true))]
    client_id: Option<ClientId>,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::disabled))]
    disabled: bool,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::created_at))]
    created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::common::version))]
    version: u64,
}

/// The stored and serialized fields of a [`User`], checked again when read.
#[derive(Deserialize)]
struct UserFields {
    username: Username,
    role: Role,
    client_id: Option<ClientId>,
    // Users stored before logins could be disabled are enabled.
    #[serde(default)]
    disabled: bool,
    created_at: Timestamp,
    version: u64,
}

impl TryFrom<UserFields> for User {
    type Error = UserError;
    fn try_from(fields: UserFields) -> Result<Self, UserError> {
        let mut user = Self::new(
            fields.username,
            fields.role,
            fields.client_id,
            fields.created_at,
        )?;
        user.version = fields.version;
        user.disabled = fields.disabled;
        Ok(user)
    }
}

impl User {
    /// A new user at version 1; a customer must name its client, an admin must not.
    pub fn new(
        username: Username,
        role: Role,
        client_id: Option<ClientId>,
        now: Timestamp,
    ) -> Result<Self, UserError> {
        match (role, &client_id) {
            (Role::User, None) => return Err(UserError::CustomerWithoutClient),
            (Role::Admin, Some(_)) => return Err(UserError::AdminWithClient),
            _ => {}
        }
        Ok(Self {
            username,
            role,
            client_id,
            disabled: false,
            created_at: now,
            version: 1,
        })
    }

    /// This user with another role, client binding or disabled flag, at the next version;
    /// the role and client must still agree.
    pub fn changed(
        &self,
        role: Role,
        client_id: Option<ClientId>,
        disabled: bool,
    ) -> Result<Self, UserError> {
        let mut next = Self::new(self.username.clone(), role, client_id, self.created_at)?;
        next.disabled = disabled;
        next.version = self.version + 1;
        Ok(next)
    }

    /// Whether the user is disabled (it can neither log in nor refresh).
    pub fn disabled(&self) -> bool {
        self.disabled
    }

    /// Whether the user is an admin that is not disabled: the API always keeps one.
    pub fn is_enabled_admin(&self) -> bool {
        self.role == Role::Admin && !self.disabled
    }

    /// The login name and the user's identity; it cannot change.
    pub fn username(&self) -> &Username {
        &self.username
    }

    /// What the user may do.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The client a customer is bound to; `None` for admins.
    pub fn client_id(&self) -> Option<&ClientId> {
        self.client_id.as_ref()
    }

    /// When the user was created.
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }

    /// The user's `ETag`, which `PATCH` and `DELETE /users/{username}` are conditional on.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The API path of this user.
    pub fn location(&self) -> String {
        format!("/users/{}", self.username.as_str())
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

    #[test]
    fn a_role_and_a_client_always_agree() {
        let now = Timestamp::now();
        let name = || Username::parse("ana").unwrap();
        let client = ClientId::new_at(now);
        assert!(User::new(name(), Role::User, Some(client.clone()), now).is_ok());
        assert!(User::new(name(), Role::Admin, None, now).is_ok());
        assert_eq!(
            User::new(name(), Role::User, None, now),
            Err(UserError::CustomerWithoutClient)
        );
        assert_eq!(
            User::new(name(), Role::Admin, Some(client.clone()), now),
            Err(UserError::AdminWithClient)
        );
        let stored = serde_json::json!({"username": "ana", "role": "admin",
            "client_id": client.as_str(), "created_at": "2026-11-27T10:15:00.000Z", "version": 3});
        assert!(
            serde_json::from_value::<User>(stored).is_err(),
            "a stored user is checked again"
        );
    }
}
