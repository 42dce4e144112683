//! Who may call what: the bearer token scheme, and per operation the roles it admits.
//!
//! OpenAPI 3.1 lets a requirement of a non-OAuth scheme list role names, so the roles are
//! this scheme's "scopes". A handler's `#[utoipa::path]` lists one requirement per role it
//! admits (none for a public operation) and, when customers are admitted, what they may do
//! in an `x-customer` extension; [`Access::take`] reads both, and the completion writes back
//! the same requirements, the roles in `x-roles` for tools that ignore scopes, and a
//! sentence ending the description.

use serde_json::Value;
use shared::auth::Role;
use shared::auth::token::{LEEWAY_SECS, TOKEN_LIFETIME_SECS};
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};

/// The name of the bearer scheme in `components/securitySchemes`.
pub(crate) const SCHEME: &str = "bearerAuth";

/// The extension that says what a customer may do with an operation it is admitted to.
const CUSTOMER: &str = "x-customer";

/// Who may call an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Access {
    /// No token needed (`POST /auth/login`, `/auth/refresh`, `/auth/logout`).
    Public,
    /// Admins only: a customer gets `403`.
    Admin,
    /// Admins, and customers within the limits this sentence states.
    Anyone(String),
}

impl Access {
    /// The access `operation` declares, taking its `x-customer` mark away.
    pub(crate) fn take(operation: &mut Operation) -> Result<Self, String> {
        let customer = crate::operations::take_extension(operation, CUSTOMER);
        let mut roles = Vec::new();
        for requirement in operation.security.iter().flatten() {
            // The requirement's map is private; its serialized form is the document's.
            let value = serde_json::to_value(requirement).map_err(|err| err.to_string())?;
            for (scheme, scopes) in value.as_object().into_iter().flatten() {
                if scheme != SCHEME {
                    return Err(format!("unknown security scheme {scheme}"));
                }
                for scope in scopes.as_array().into_iter().flatten() {
                    roles.push(Role::parse(scope.as_str().unwrap_or_default())?);
                }
            }
        }
        match (roles.as_slice(), customer) {
            ([], None) => Ok(Self::Public),
            ([Role::Admin], None) => Ok(Self::Admin),
            ([Role::Admin, Role::User], Some(Value::String(text))) => Ok(Self::Anyone(text)),
            (roles, customer) => Err(format!(
                "security must admit nobody, `admin`, or `admin` then `user` with an \
                 `{CUSTOMER}` sentence; it admits {roles:?} with {customer:?}"
            )),
        }
    }

    /// The roles admitted, as the token's `role` claim names them.
    pub(crate) fn roles(&self) -> Vec<&'static str> {
        match self {
            Self::Public => Vec::new(),
            Self::Admin => vec![Role::Admin.as_str()],
            Self::Anyone(_) => vec![Role::Admin.as_str(), Role::User.as_str()],
        }
    }

    /// One requirement per admitted role; none at all for a public operation.
    pub(crate) fn requirements(&self) -> Vec<SecurityRequirement> {
        self.roles()
            .into_iter()
            .map(|role| SecurityRequirement::new(SCHEME, [role]))
            .collect()
    }

    /// The sentence that ends the operation's description.
    pub(crate) fn describe(&self) -> String {
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
        "An access token from `POST /auth/login` or `POST /auth/refresh`, sent as \
         `Authorization: Bearer <token>`. \
         Tokens are HS256 JWTs that live {} minutes ({LEEWAY_SECS} s of clock skew allowed) \
         and carry the caller's `role` and, for a customer, its `client_id`. A missing, \
         malformed, expired or forged token is `401` with `WWW-Authenticate: Bearer`.\n\n\
         Roles (this scheme's scopes, listed per operation in `security` and `x-roles`):\n\
         - `{}`: runs the book; may call every operation.\n\
         - `{}`: a customer bound to one client; may read that client, apply for, list \
         and read its loans and their schedules, cancel its own `pending` loan, ask for \
         quotes, read `GET /auth/me` and change its own password. Another client's \
         resources are `404` to it (their \
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
