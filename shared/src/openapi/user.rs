//! The fields of the logins and of what logging in buys: [`User`](crate::domain::user::User),
//! [`Caller`](crate::auth::Caller) (`Me`), [`TokenPair`](crate::auth::token::TokenPair),
//! the login `Credentials`, and the `NewUser` body, whose shape depends on its
//! `role` and is therefore built here by hand. Limits come from `domain::user` and `auth`.

use utoipa::openapi::schema::{Discriminator, KnownFormat, ObjectBuilder, OneOfBuilder, Type};
use utoipa::openapi::{RefOr, Schema};

use super::common::{id, optional_id, timestamp};
use super::{fields, formatted, integer, named, reference, string};
use crate::auth::Role;
use crate::auth::password::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use crate::auth::token::TOKEN_LIFETIME_SECS;
use crate::domain::user::Username;

/// The description of `Role`.
pub const ROLE: &str = "What a login may do: `admin` runs the book (every operation); \
    `user` is a customer bound to one client (see each operation's `x-roles`).";

/// A username as the API returns it (lower case).
pub fn username() -> ObjectBuilder {
    let (min, max) = (Username::MIN_CHARS, Username::MAX_CHARS);
    string(&format!(
        "{min} to {max} lower-case letters, digits, `.`, `_` and `-`, starting with a \
         letter or digit. Usernames are case-insensitive (stored lower-case)."
    ))
    .pattern(Some(format!(
        "^[a-z0-9][a-z0-9._-]{{{},{}}}$",
        min - 1,
        max - 1
    )))
}

fields! {
    /// `role`: the `Role` schema, without the field's Rust documentation beside it.
    role => reference::<Role>();
    /// `client_id` of a login.
    client_id => optional_id("The client a customer is bound to; `null` for an admin");
    /// `created_at` of a login.
    created_at => timestamp("When the user was created.");
    /// `access_token`.
    access_token => string(
        "An HS256 JWT. Send it as `Authorization: Bearer <access_token>` on every other \
         request.",
    );
    /// `token_type`.
    token_type => string("Always `Bearer`.").enum_values(Some(["Bearer"]));
    /// `expires_in`.
    expires_in => integer(
        1,
        None,
        &format!("Seconds until the access token expires ({TOKEN_LIFETIME_SECS})."),
    );
    /// `refresh_token`.
    refresh_token => string(
        "An opaque refresh token (43 characters, base64url): send it once to \
         `POST /auth/refresh` for a new pair, or to `POST /auth/logout`. Presenting it a \
         second time revokes every token descended from the same login.",
    )
    .min_length(Some(43))
    .max_length(Some(43))
    .pattern(Some("^[A-Za-z0-9_-]{43}$"));
    /// `refresh_expires_in`.
    refresh_expires_in => integer(
        1,
        None,
        "Seconds until the refresh token expires: a login's refresh tokens last 12 hours for \
         an admin and 30 days for a customer, counted from the login.",
    );
    /// A new password (`POST /auth/password`, `PATCH /users/{username}`).
    new_password => formatted(
        KnownFormat::Password,
        &format!(
            "{MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters, not all whitespace, not one \
             character repeated, not containing the username, and not one of the 30,000 most \
             common passwords; stored only as an Argon2id hash."
        ),
    )
    .min_length(Some(MIN_PASSWORD_CHARS))
    .max_length(Some(MAX_PASSWORD_CHARS));
    /// `disabled` of a login.
    disabled => ObjectBuilder::new()
        .schema_type(Type::Boolean)
        .description(Some("Whether the login is disabled: it can neither log in nor refresh."));
    /// The `username` to log in with: any text of a username's length, compared
    /// case-insensitively.
    login_username => string("The username (compared case-insensitively).")
        .min_length(Some(1))
        .max_length(Some(Username::MAX_CHARS));
    /// The `password` to log in with.
    login_password => formatted(KnownFormat::Password, "The password.")
        .min_length(Some(1))
        .max_length(Some(MAX_PASSWORD_CHARS));
}

/// `NewUser`: a `oneOf` of `NewAdmin` and `NewCustomer` on `role`. The body is one struct
/// whose rules depend on its `role` (an admin has no client, a customer must name one), so
/// no derive of it could state them.
pub fn new_user() -> RefOr<Schema> {
    let mut discriminator = Discriminator::new("role");
    for (role, schema) in [("admin", "NewAdmin"), ("user", "NewCustomer")] {
        discriminator
            .mapping
            .insert(role.into(), format!("#/components/schemas/{schema}"));
    }
    OneOfBuilder::new()
        .item(named("NewAdmin"))
        .item(named("NewCustomer"))
        .discriminator(Some(discriminator))
        .description(Some(
            "A new login: an admin (no client) or a customer (`user`) bound to an existing \
             client.",
        ))
        .into()
}

/// The two shapes of `NewUser`, by name: `NewAdmin` and `NewCustomer`.
pub fn new_logins() -> Vec<(String, RefOr<Schema>)> {
    [("NewAdmin", Role::Admin), ("NewCustomer", Role::User)]
        .into_iter()
        .map(|(name, role)| (name.to_owned(), new_login(role).into()))
        .collect()
}

fn new_login(role: Role) -> ObjectBuilder {
    let password = new_password();
    let role_schema = string("The role.").enum_values(Some([role.as_str()]));
    let (description, client, required): (_, RefOr<Schema>, &[&str]) = match role {
        Role::Admin => (
            "A new admin: it has no client (`client_id` must be absent or `null`).",
            ObjectBuilder::new()
                .schema_type(Type::Null)
                .description(Some("An admin has no client."))
                .into(),
            &["username", "password", "role"],
        ),
        Role::User => (
            "A new customer login, bound to an existing client (an unknown client is `422` \
             on `/client_id`).",
            id("The client this customer is bound to").into(),
            &["username", "password", "role", "client_id"],
        ),
    };
    let mut object = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(description))
        .property("username", username())
        .property("password", password)
        .property("role", role_schema)
        .property("client_id", client);
    for name in required {
        object = object.required(*name);
    }
    object
}
