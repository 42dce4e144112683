//! Who may call what: the bearer token scheme, and per operation the roles it admits.
//!
//! OpenAPI 3.1 lets a requirement of a non-OAuth scheme list role names, so the roles are
//! this scheme's "scopes": an operation carries one requirement per role it admits
//! (alternatives), the same roles in an `x-roles` extension for tools that ignore scopes,
//! and a sentence saying what a customer may do with it.

use shared::auth::Role;
use shared::auth::token::{LEEWAY_SECS, TOKEN_LIFETIME_SECS};
use utoipa::openapi::extensions::{Extensions, ExtensionsBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};

/// The name of the bearer scheme in `components/securitySchemes`.
pub(crate) const SCHEME: &str = "bearerAuth";

/// Who may call an operation.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Access {
    /// No token needed (`POST /auth/login` alone).
    Public,
    /// Admins only: a customer gets `403`.
    Admin,
    /// Admins, and customers within the limits this sentence states.
    Anyone(&'static str),
}

impl Access {
    /// The roles admitted, as the token's `role` claim names them.
    pub(crate) fn roles(self) -> Vec<&'static str> {
        match self {
            Self::Public => Vec::new(),
            Self::Admin => vec![Role::Admin.as_str()],
            Self::Anyone(_) => vec![Role::Admin.as_str(), Role::User.as_str()],
        }
    }

    /// One requirement per admitted role; none at all for a public operation.
    pub(crate) fn requirements(self) -> Vec<SecurityRequirement> {
        self.roles()
            .into_iter()
            .map(|role| SecurityRequirement::new(SCHEME, [role]))
            .collect()
    }

    /// `x-roles`: the same roles, for readers and tools that ignore requirement scopes.
    pub(crate) fn extension(self) -> Extensions {
        ExtensionsBuilder::new()
            .add("x-roles", serde_json::json!(self.roles()))
            .build()
    }

    /// The sentence that ends the operation's description.
    pub(crate) fn describe(self) -> String {
        match self {
            Self::Public => "**Access:** anyone; no token.".into(),
            Self::Admin => "**Access:** `admin` only; a `user` gets `403`.".into(),
            Self::Anyone(customer) => format!("**Access:** `admin`; `user`: {customer}"),
        }
    }
}

/// The bearer scheme, with the roles it knows.
pub(crate) fn scheme() -> SecurityScheme {
    let description = format!(
        "An access token from `POST /auth/login`, sent as `Authorization: Bearer <token>`. \
         Tokens are HS256 JWTs that live {} minutes ({LEEWAY_SECS} s of clock skew allowed) \
         and carry the caller's `role` and, for a customer, its `client_id`. A missing, \
         malformed, expired or forged token is `401` with `WWW-Authenticate: Bearer`.\n\n\
         Roles (this scheme's scopes, listed per operation in `security` and `x-roles`):\n\
         - `{}`: runs the book; may call every operation.\n\
         - `{}`: a customer bound to one client; may read that client, apply for, list \
         and read its loans and their schedules, cancel its own `pending` loan, ask for \
         quotes and read `GET /auth/me`. Another client's resources are `404` to it (their \
         existence is never revealed); any other operation is `403`.",
        TOKEN_LIFETIME_SECS / 60,
        Role::Admin.as_str(),
        Role::User.as_str(),
    );
    SecurityScheme::Http(
        HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .description(Some(description))
            .build(),
    )
}
