//! `/auth/login`, `/auth/me`, `/users` and `/users/{username}`, as `functions/auth`
//! serves them.

use shared::auth::token::TOKEN_LIFETIME_SECS;
use shared::store::logins::{MAX_FAILURES, WINDOW_SECS};
use utoipa::openapi::path::HttpMethod::{Delete, Get, Post};

use super::{Op, link};
use crate::problems::Problem::{
    Conflict, Forbidden, NotFound, TooManyRequests, Unauthorized, Validation,
};
use crate::security::Access::{Admin, Anyone, Public};

/// The operations this module declares.
pub(super) fn operations() -> Vec<Op> {
    let minutes = |secs: i64| secs / 60;
    vec![
        Op::new(
            Post,
            "/auth/login",
            "login",
            "Authentication",
            "Log in",
            Public,
        )
        .describe(&format!(
            "Trades a username and password for a bearer token that lives {} minutes. \
                 A wrong username and a wrong password give the same `401` after the same \
                 work. After {MAX_FAILURES} failures within {} minutes a username is locked \
                 (`429`) until that window ends, whether or not it exists.",
            minutes(TOKEN_LIFETIME_SECS),
            minutes(WINDOW_SECS),
        ))
        .body("Credentials", "The username and password.")
        .answers(200, "A bearer token.", Some("Token"), &[], None)
        .fails(
            Unauthorized,
            "The username or the password is wrong (one answer for both).",
        )
        .fails(TooManyRequests, ""),
        Op::new(
            Get,
            "/auth/me",
            "getMe",
            "Authentication",
            "Who am I",
            Anyone("yes."),
        )
        .describe("The caller, as its token describes it.")
        .stateless()
        .answers(200, "The caller.", Some("Me"), &[], None),
        Op::new(
            Post,
            "/users",
            "createUser",
            "Users",
            "Create a login",
            Admin,
        )
        .describe(
            "Creates an admin, or a customer login (`user`) bound to an existing client; \
             the login is deleted with its client.",
        )
        .body("NewUser", "The new login.")
        .idempotent()
        .answers(
            201,
            "The new login, at version 1.",
            Some("User"),
            &["Location", "ETag"],
            None,
        )
        .links(
            201,
            vec![(
                "DeleteUser",
                link(
                    "deleteUser",
                    "Delete the login, if it is still at this version.",
                    &[
                        ("path.username", "$response.body#/username"),
                        ("header.If-Match", "$response.header.ETag"),
                    ],
                ),
            )],
        )
        .fails(Forbidden, "")
        .fails(Conflict, "The username is taken.")
        .fails(
            Validation,
            "A customer's `client_id` is missing or names no client (or one being \
             deleted), or an admin has one.",
        ),
        Op::new(Get, "/users", "listUsers", "Users", "List logins", Admin)
            .describe("Logins, newest first.")
            .list()
            .answers(200, "A page of logins.", Some("UserPage"), &[], None)
            .fails(Forbidden, ""),
        Op::new(
            Delete,
            "/users/{username}",
            "deleteUser",
            "Users",
            "Delete a login",
            Admin,
        )
        .describe(
            "Deletes a login: it cannot log in again, and a token it already holds stops \
                 working when it expires. An admin cannot delete its own login.",
        )
        .param("Username")
        .conditional()
        .answers(204, "The login is gone.", None, &[], None)
        .fails(Forbidden, "")
        .fails(NotFound, "No login has this username.")
        .fails(Conflict, "An admin tried to delete its own login."),
    ]
}
