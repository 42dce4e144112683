//! `/clients/{client_id}/loans`, `/loans`, `/loans/{loan_id}`, `/loans/{loan_id}/schedule`
//! and `/quotes`, as `functions/loans` serves them.

use utoipa::openapi::path::HttpMethod::{Delete, Get, Patch, Post, Put};

use utoipa::openapi::link::Link;

use super::{Op, link};
use crate::examples;
use crate::problems::Problem::{Conflict, Forbidden, NotFound, Validation};
use crate::security::Access::{Admin, Anyone};

const TAG: &str = "Loans";
const CLIENT_LOANS: &str = "/clients/{client_id}/loans";
const ONE: &str = "/loans/{loan_id}";

const NOT_ITS_CLIENT: &str = "No client has this id, or it is not the caller's.";
const NOT_ITS_LOAN: &str = "No loan has this id, or it is not the caller's.";
const CONTENDED: &str = "Other requests kept changing the loan; retry.";
const TERMS_FIXED: &str = "The loan is no longer `pending`, so its terms cannot change.";

/// What can follow a response that carries a loan (and its `ETag`).
fn loan_links() -> Vec<(&'static str, Link)> {
    let id = ("path.loan_id", "$response.body#/id");
    let version = ("header.If-Match", "$response.header.ETag");
    vec![
        ("GetLoan", link("getLoan", "Read the loan.", &[id])),
        (
            "ReplaceLoan",
            link(
                "replaceLoan",
                "Replace the loan's terms, if it is still at this version.",
                &[id, version],
            ),
        ),
        (
            "UpdateLoan",
            link(
                "updateLoan",
                "Change the loan's terms or status, if it is still at this version.",
                &[id, version],
            ),
        ),
        (
            "DeleteLoan",
            link(
                "deleteLoan",
                "Delete the loan, if it is still at this version.",
                &[id, version],
            ),
        ),
        (
            "GetLoanSchedule",
            link("getLoanSchedule", "Read the loan's schedule.", &[id]),
        ),
        (
            "GetLoanClient",
            link(
                "getClient",
                "Read the loan's client.",
                &[("path.client_id", "$response.body#/client_id")],
            ),
        ),
    ]
}

/// The operations this module declares.
pub(super) fn operations() -> Vec<Op> {
    let loan = || Some("Loan");
    vec![
        Op::new(
            Post,
            CLIENT_LOANS,
            "applyForLoan",
            TAG,
            "Apply for a loan",
            Anyone("only for its own client (another is `404`)."),
        )
        .describe(
            "Creates a loan for the client, always `pending`, with its monthly payment and \
             totals computed from the terms.",
        )
        .param("ClientId")
        .body("LoanInput", "The terms of the loan.")
        .idempotent()
        .answers(
            201,
            "The new loan, `pending`, at version 1.",
            loan(),
            &["Location", "ETag"],
            None,
        )
        .links(201, loan_links())
        .fails(NotFound, NOT_ITS_CLIENT)
        .fails(Conflict, "The client is being deleted.")
        .fails(
            Validation,
            "`status` was sent (every new loan is `pending`), or the terms cannot be scheduled.",
        ),
        Op::new(
            Get,
            CLIENT_LOANS,
            "listClientLoans",
            TAG,
            "List a client's loans",
            Anyone("only its own client's (another is `404`)."),
        )
        .describe("The client's loans, newest first.")
        .param("ClientId")
        .list()
        .param("StatusFilter")
        .answers(
            200,
            "A page of the client's loans.",
            Some("LoanPage"),
            &[],
            None,
        )
        .fails(NotFound, NOT_ITS_CLIENT),
        Op::new(
            Get,
            "/loans",
            "listLoans",
            TAG,
            "List loans",
            Anyone(
                "only its own loans, whatever the filters (another client's `client_id` \
                 gives an empty page).",
            ),
        )
        .describe("Loans, newest first. Filters combine; a blank filter is the same as none.")
        .list()
        .param("StatusFilter")
        .param("ClientIdFilter")
        .param("MinAmount")
        .param("MaxAmount")
        .param("CreatedFrom")
        .param("CreatedTo")
        .answers(200, "A page of loans.", Some("LoanPage"), &[], None)
        .fails(
            Validation,
            "`min_amount` is greater than `max_amount`, or `created_from` is after `created_to`.",
        ),
        Op::new(
            Get,
            ONE,
            "getLoan",
            TAG,
            "Read a loan",
            Anyone("only its own loans (another's is `404`)."),
        )
        .param("LoanId")
        .answers(200, "The loan.", loan(), &["ETag"], None)
        .links(200, loan_links())
        .fails(NotFound, NOT_ITS_LOAN),
        Op::new(
            Put,
            ONE,
            "replaceLoan",
            TAG,
            "Replace a loan's terms",
            Admin,
        )
        .describe(
            "Sets every term of a `pending` loan and recomputes its figures; a left-out \
                 `currency` is `MXN` and a left-out `purpose` is cleared.",
        )
        .param("LoanId")
        .conditional()
        .body("LoanInput", "Every term of the loan.")
        .answers(200, "The loan as it now is.", loan(), &["ETag"], None)
        .links(200, loan_links())
        .fails(Forbidden, "")
        .fails(NotFound, NOT_ITS_LOAN)
        .fails(Conflict, TERMS_FIXED)
        .fails(Conflict, CONTENDED)
        .fails(Validation, "`status` was sent (change it with `PATCH`)."),
        Op::new(
            Patch,
            ONE,
            "updateLoan",
            TAG,
            "Change a loan's terms or status",
            Anyone(
                "may only send `{\"status\": \"cancelled\"}` for its own `pending` loan: \
                 another status is `403`, any other field `422`; another client's loan is \
                 `404`.",
            ),
        )
        .describe(
            "Changes the terms sent (only while `pending`) and/or moves the loan to another \
             status, stamping that status's timestamp. `pending` → `approved` | `rejected` | \
             `cancelled`; `approved` → `active` (disbursed) | `cancelled`; `active` → `paid`.",
        )
        .param("LoanId")
        .conditional()
        .body("LoanPatch", "The terms and/or the status to change.")
        .answers(200, "The loan as it now is.", loan(), &["ETag"], None)
        .links(200, loan_links())
        .fails(
            Forbidden,
            "A customer asked for a status other than `cancelled`.",
        )
        .fails(NotFound, NOT_ITS_LOAN)
        .fails(
            Conflict,
            "The status change is not allowed from the current status (the detail names \
             both).",
        )
        .fails(Conflict, TERMS_FIXED)
        .fails(Conflict, CONTENDED)
        .fails(Validation, "A customer sent a field other than `status`."),
        Op::new(Delete, ONE, "deleteLoan", TAG, "Delete a loan", Admin)
            .describe("Deletes a loan that is `pending`, `rejected` or `cancelled`.")
            .param("LoanId")
            .conditional()
            .answers(204, "The loan is gone.", None, &[], None)
            .fails(Forbidden, "")
            .fails(NotFound, NOT_ITS_LOAN)
            .fails(
                Conflict,
                "The loan is `approved`, `active` or `paid`; only `pending`, `rejected` or \
                 `cancelled` loans can be deleted.",
            )
            .fails(Conflict, CONTENDED),
        Op::new(
            Get,
            "/loans/{loan_id}/schedule",
            "getLoanSchedule",
            TAG,
            "Read a loan's amortization schedule",
            Anyone("only for its own loans (another's is `404`)."),
        )
        .describe(
            "The French amortization schedule of the loan; due dates run monthly from the \
             disbursement date (from today while the loan is not disbursed).",
        )
        .param("LoanId")
        .answers(200, "The schedule.", Some("Schedule"), &[], None)
        .fails(NotFound, NOT_ITS_LOAN),
        Op::new(
            Post,
            "/quotes",
            "createQuote",
            "Quotes",
            "Preview a schedule",
            Anyone("may ask for quotes."),
        )
        .describe("The schedule that terms would give, due monthly from today. Nothing is stored.")
        .body("QuoteInput", "The terms to quote.")
        .stateless()
        .answers(
            200,
            "The schedule the terms would give (`loan_id` is `null`).",
            Some("Schedule"),
            &[],
            examples::schedule_json(None),
        )
        .fails(Validation, "The terms cannot be scheduled."),
    ]
}
