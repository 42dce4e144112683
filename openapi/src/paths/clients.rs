//! `/clients` and `/clients/{client_id}`, as `functions/clients` serves them.

use utoipa::openapi::path::HttpMethod::{Delete, Get, Patch, Post, Put};

use utoipa::openapi::link::Link;

use super::{Op, link};
use crate::problems::Problem::{Conflict, Forbidden, NotFound};
use crate::security::Access::{Admin, Anyone};

const TAG: &str = "Clients";
const ONE: &str = "/clients/{client_id}";

const TAKEN: &str = "The email (compared case-insensitively) or the document number belongs \
                     to another client.";
const CONTENDED: &str = "Other requests kept changing the client; retry.";
const MISSING: &str = "No client has this id.";

/// What can follow a response that carries a client (and its `ETag`).
fn client_links() -> Vec<(&'static str, Link)> {
    let id = ("path.client_id", "$response.body#/id");
    let version = ("header.If-Match", "$response.header.ETag");
    vec![
        ("GetClient", link("getClient", "Read the client.", &[id])),
        (
            "ReplaceClient",
            link(
                "replaceClient",
                "Replace the client, if it is still at this version.",
                &[id, version],
            ),
        ),
        (
            "UpdateClient",
            link(
                "updateClient",
                "Change the client, if it is still at this version.",
                &[id, version],
            ),
        ),
        (
            "DeleteClient",
            link(
                "deleteClient",
                "Delete the client, if it is still at this version.",
                &[id, version],
            ),
        ),
        (
            "ApplyForLoan",
            link("applyForLoan", "Apply for a loan for the client.", &[id]),
        ),
        (
            "ListClientLoans",
            link("listClientLoans", "List the client's loans.", &[id]),
        ),
        (
            "ListLoansOfClient",
            link(
                "listLoans",
                "List the loans filtered by this client.",
                &[("query.client_id", "$response.body#/id")],
            ),
        ),
    ]
}

/// The operations this module declares.
pub(super) fn operations() -> Vec<Op> {
    let client = || Some("Client");
    vec![
        Op::new(
            Post,
            "/clients",
            "createClient",
            TAG,
            "Create a client",
            Admin,
        )
        .describe("Registers a borrower. Its email and document number must be unique.")
        .body("ClientInput", "Every editable field of the client.")
        .idempotent()
        .answers(
            201,
            "The new client, at version 1.",
            client(),
            &["Location", "ETag"],
            None,
        )
        .links(201, client_links())
        .fails(Forbidden, "")
        .fails(Conflict, TAKEN),
        Op::new(Get, "/clients", "listClients", TAG, "List clients", Admin)
            .describe("Clients, newest first. Filters combine; a blank filter is the same as none.")
            .list()
            .param("EmailFilter")
            .param("DocumentNumberFilter")
            .param("NameFilter")
            .answers(200, "A page of clients.", Some("ClientPage"), &[], None)
            .fails(Forbidden, ""),
        Op::new(
            Get,
            ONE,
            "getClient",
            TAG,
            "Read a client",
            Anyone("only its own client; any other is `404`."),
        )
        .param("ClientId")
        .answers(200, "The client.", client(), &["ETag"], None)
        .links(200, client_links())
        .fails(
            NotFound,
            "No client has this id, or it is not the caller's.",
        ),
        Op::new(Put, ONE, "replaceClient", TAG, "Replace a client", Admin)
            .describe(
                "Sets every editable field; an optional field left out is cleared. A change \
                 that alters nothing returns the client as it is, at the same version.",
            )
            .param("ClientId")
            .conditional()
            .body("ClientInput", "Every editable field of the client.")
            .answers(200, "The client as it now is.", client(), &["ETag"], None)
            .links(200, client_links())
            .links(200, client_links())
            .fails(Forbidden, "")
            .fails(NotFound, MISSING)
            .fails(Conflict, TAKEN)
            .fails(Conflict, CONTENDED),
        Op::new(
            Patch,
            ONE,
            "updateClient",
            TAG,
            "Change some fields of a client",
            Admin,
        )
        .describe(
            "Changes only the fields sent; `null` clears `phone` or `monthly_income`. A \
                 change that alters nothing returns the client as it is, at the same version.",
        )
        .param("ClientId")
        .conditional()
        .body("ClientPatch", "The fields to change.")
        .answers(200, "The client as it now is.", client(), &["ETag"], None)
        .links(200, client_links())
        .fails(Forbidden, "")
        .fails(NotFound, MISSING)
        .fails(Conflict, TAKEN)
        .fails(Conflict, CONTENDED),
        Op::new(Delete, ONE, "deleteClient", TAG, "Delete a client", Admin)
            .describe(
                "Deletes the client with all its loans and customer logins and frees its \
                 email and document number; refused while it has a loan that is `pending`, \
                 `approved` or `active`. No loan or login is ever left without its client.",
            )
            .param("ClientId")
            .conditional()
            .answers(204, "The client is gone.", None, &[], None)
            .fails(Forbidden, "")
            .fails(NotFound, MISSING)
            .fails(
                Conflict,
                "The client has a loan that is `pending`, `approved` or `active`.",
            )
            .fails(Conflict, CONTENDED),
    ]
}
