//! Who is calling, and what they may do.
//!
//! [`TokenKeys`] is the only code that reads a bearer token; it hands handlers an
//! authenticated [`Caller`]. Authorization is deny-by-default: handlers ask the caller
//! for the permission an operation needs ([`Caller::require_admin`]) and whether a client's
//! data is theirs to see ([`Caller::can_see_client`]); a customer asking for another
//! client's data gets the same `404` as for data that does not exist.

use serde::Serialize;

use crate::domain::ids::ClientId;
use crate::domain::loan_status::Actor;
use crate::domain::user::User;
use crate::error::ApiError;

pub mod password;
pub mod rules;
pub mod token;

pub use crate::domain::user::Role;
pub use token::TokenKeys;

/// An authenticated caller, as its token describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = Me, description = "Who the caller is, as its token says.")
)]
pub struct Caller {
    /// The user's (lower-case) username, the token's `sub`.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::user::username))]
    pub username: String,
    /// What the caller may do.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::user::role))]
    pub role: Role,
    /// The client a customer is bound to; `None` for admins.
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::openapi::user::client_id, required = true)
    )]
    pub client_id: Option<ClientId>,
}

impl From<&User> for Caller {
    /// The caller a user becomes once logged in.
    fn from(user: &User) -> Self {
        Self {
            username: user.username().as_str().to_owned(),
            role: user.role(),
            client_id: user.client_id().cloned(),
        }
    }
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
    pub fn can_see_client(&self, client_id: &ClientId) -> bool {
        self.is_admin() || self.client_id.as_ref() == Some(client_id)
    }

    /// Who the caller is to the loan lifecycle.
    pub fn actor(&self) -> Actor {
        match self.role {
            Role::Admin => Actor::Admin,
            Role::User => Actor::Customer,
        }
    }
}
