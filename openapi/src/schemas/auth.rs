//! Authentication and user schemas: `Role`, the login `Credentials` and the `Token` they
//! buy, `Me`, and the `User` logins an admin creates (`NewUser`: an admin without a client,
//! or a customer bound to one). Limits come from `shared::domain::user` and
//! `shared::auth`.

use serde_json::json;
use shared::auth::Role;
use shared::auth::password::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use shared::auth::token::TOKEN_LIFETIME_SECS;
use shared::domain::user::Username;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    Discriminator, KnownFormat, ObjectBuilder, OneOfBuilder, Schema, Type,
};

use super::common::{id, timestamp, version};
use super::{closed, formatted, integer, object, or_null, page, record, reference, string};
use crate::examples;

/// Every role. The match below stops compiling when `Role` gains a variant.
const ROLES: [Role; 2] = [Role::Admin, Role::User];
const _: fn(Role) = |role| match role {
    Role::Admin | Role::User => {}
};

/// This module's component schemas, by name.
pub(super) fn schemas() -> Vec<(&'static str, Schema)> {
    vec![
        ("Role", role()),
        ("Credentials", credentials()),
        ("Token", token()),
        ("Me", me()),
        ("User", user()),
        (
            "UserPage",
            page("User", examples::page_json(examples::user_json())),
        ),
        ("NewUser", new_user()),
        ("NewAdmin", new_login(Role::Admin)),
        ("NewCustomer", new_login(Role::User)),
    ]
}

fn role() -> Schema {
    string(
        "What a login may do: `admin` runs the book (every operation); `user` is a customer \
         bound to one client (see each operation's `x-roles`).",
    )
    .enum_values(Some(ROLES.map(Role::as_str)))
    .build()
    .into()
}

fn username() -> ObjectBuilder {
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

fn client_id() -> ObjectBuilder {
    id("The client a customer is bound to; `null` for an admin").schema_type(or_null(Type::String))
}

fn credentials() -> Schema {
    let username = string("The username (compared case-insensitively).")
        .min_length(Some(1))
        .max_length(Some(Username::MAX_CHARS));
    let password = formatted(KnownFormat::Password, "The password.")
        .min_length(Some(1))
        .max_length(Some(MAX_PASSWORD_CHARS));
    closed(object(
        "A username and password to log in with.",
        vec![("username", username.into()), ("password", password.into())],
        &["username", "password"],
        Some(json!({"username": "admin", "password": "correct-horse-battery"})),
    ))
}

fn token() -> Schema {
    let access = string(
        "An HS256 JWT. Send it as `Authorization: Bearer <access_token>` on every other \
         request.",
    );
    let kind = string("Always `Bearer`.").enum_values(Some(["Bearer"]));
    let expires = integer(
        1,
        None,
        &format!("Seconds until the token expires ({TOKEN_LIFETIME_SECS})."),
    );
    record(
        "A bearer token, the answer to a successful login.",
        vec![
            ("access_token", access.into()),
            ("token_type", kind.into()),
            ("expires_in", expires.into()),
        ],
        Some(examples::token_json()),
    )
}

fn me() -> Schema {
    record(
        "Who the caller is, as its token says.",
        vec![
            ("username", username().into()),
            ("role", reference("Role")),
            ("client_id", client_id().into()),
        ],
        examples::me_json(),
    )
}

fn user() -> Schema {
    record(
        "A login of the API. Its password is never returned.",
        vec![
            ("username", username().into()),
            ("role", reference("Role")),
            ("client_id", client_id().into()),
            ("created_at", timestamp("When the user was created.").into()),
            ("version", version().into()),
        ],
        examples::user_json(),
    )
}

fn new_user() -> Schema {
    let mut discriminator = Discriminator::new("role");
    for (role, schema) in [("admin", "NewAdmin"), ("user", "NewCustomer")] {
        discriminator
            .mapping
            .insert(role.into(), format!("#/components/schemas/{schema}"));
    }
    OneOfBuilder::new()
        .item(reference("NewAdmin"))
        .item(reference("NewCustomer"))
        .discriminator(Some(discriminator))
        .description(Some(
            "A new login: an admin (no client) or a customer (`user`) bound to an existing \
             client.",
        ))
        .build()
        .into()
}

fn new_login(role: Role) -> Schema {
    let password = formatted(
        KnownFormat::Password,
        &format!(
            "{MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters; stored only as an \
             Argon2id hash."
        ),
    )
    .min_length(Some(MIN_PASSWORD_CHARS))
    .max_length(Some(MAX_PASSWORD_CHARS));
    let role_schema = string("The role.").enum_values(Some([role.as_str()]));
    let (description, client, required, example): (_, RefOr<Schema>, &[&str], _) = match role {
        Role::Admin => (
            "A new admin: it has no client (`client_id` must be absent or `null`).",
            ObjectBuilder::new()
                .schema_type(Type::Null)
                .description(Some("An admin has no client."))
                .into(),
            &["username", "password", "role"],
            json!({"username": "ops", "password": "a-long-admin-passphrase", "role": "admin"}),
        ),
        Role::User => (
            "A new customer login, bound to an existing client (an unknown client is `422` \
             on `/client_id`).",
            id("The client this customer is bound to").into(),
            &["username", "password", "role", "client_id"],
            json!({
                "username": "ana",
                "password": "ana-secret-passphrase",
                "role": "user",
                "client_id": examples::CLIENT_ID,
            }),
        ),
    };
    closed(object(
        description,
        vec![
            ("username", username().into()),
            ("password", password.into()),
            ("role", role_schema.into()),
            ("client_id", client),
        ],
        required,
        Some(example),
    ))
}
