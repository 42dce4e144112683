//! Who is calling, and what they may do.
//!
//! [`TokenKeys`] is the only code that reads a bearer token; it hands handlers an
//! authenticated [`Caller`]. Authorization is deny-by-default: handlers ask the caller
//! for the permission an operation needs ([`Caller::require_admin`]) and whether a client's
//! data is theirs to see ([`Caller::can_see_client`]); a customer asking for another
//! client's data gets the same `404` as for data that does not exist.

use serde::{Deserialize, Serialize};

use crate::error::ApiError;

pub mod password;
pub mod token;

pub use token::TokenKeys;

/// The two roles of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

/// An authenticated caller, as its token describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Caller {
    /// The user's (lower-case) username, the token's `sub`.
    pub username: String,
    /// What the caller may do.
    pub role: Role,
    /// The client a customer is bound to; `None` for admins.
    pub client_id: Option<String>,
}

impl Caller {
    /// Whether the caller has the [`Role::Admin`] role.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// `403` unless the caller is an admin.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// Whether the caller may see data of `client_id`: admins see all, a customer only its
    /// own client.
    pub fn can_see_client(&self, client_id: &str) -> bool {
        self.is_admin() || self.client_id.as_deref() == Some(client_id)
    }
}
