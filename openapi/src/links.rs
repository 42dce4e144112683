//! The links of a success response (what a client, or Schemathesis's stateful run, can call
//! next with values taken from it), chosen by the resource the response carries: every
//! response that returns a client, a loan or a login links to what can be done with it.

use utoipa::openapi::link::{Link, LinkBuilder};

/// The links of a response whose body is the component schema `schema`.
pub(crate) fn following(schema: &str) -> Vec<(&'static str, Link)> {
    match schema {
        "Client" => client(),
        "Loan" => loan(),
        "Transaction" => transaction(),
        "User" => user(),
        _ => Vec::new(),
    }
}

/// A link to the operation `id`, filling its `parameters` (`in.name`, as `path.client_id`
/// or `header.If-Match`) with runtime expressions on the response (`$response.body#/id`,
/// `$response.header.ETag`).
fn link(id: &str, description: &str, parameters: &[(&str, &str)]) -> Link {
    parameters
        .iter()
        .fold(
            LinkBuilder::new().operation_id(id).description(description),
            |link, (name, expression)| link.parameter(*name, *expression),
        )
        .build()
}

const VERSION: (&str, &str) = ("header.If-Match", "$response.header.ETag");

fn client() -> Vec<(&'static str, Link)> {
    let id = ("path.client_id", "$response.body#/id");
    vec![
        ("GetClient", link("getClient", "Read the client.", &[id])),
        (
            "ReplaceClient",
            link(
                "replaceClient",
                "Replace the client, if it is still at this version.",
                &[id, VERSION],
            ),
        ),
        (
            "UpdateClient",
            link(
                "updateClient",
                "Change the client, if it is still at this version.",
                &[id, VERSION],
            ),
        ),
        (
            "DeleteClient",
            link(
                "deleteClient",
                "Delete the client, if it is still at this version.",
                &[id, VERSION],
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

fn loan() -> Vec<(&'static str, Link)> {
    let id = ("path.loan_id", "$response.body#/id");
    vec![
        ("GetLoan", link("getLoan", "Read the loan.", &[id])),
        (
            "ReplaceLoan",
            link(
                "replaceLoan",
                "Replace the loan's terms, if it is still at this version.",
                &[id, VERSION],
            ),
        ),
        (
            "UpdateLoan",
            link(
                "updateLoan",
                "Change the loan's terms or status, if it is still at this version.",
                &[id, VERSION],
            ),
        ),
        (
            "DeleteLoan",
            link(
                "deleteLoan",
                "Delete the loan, if it is still at this version.",
                &[id, VERSION],
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
        (
            "PostRepayment",
            link("postRepayment", "Post a repayment to the loan.", &[id]),
        ),
        (
            "ListTransactions",
            link("listTransactions", "List the loan's transactions.", &[id]),
        ),
        (
            "GetBalance",
            link("getBalance", "Read the loan's balance.", &[id]),
        ),
        (
            "GetPayoff",
            link("getPayoff", "Quote the loan's payoff amount.", &[id]),
        ),
    ]
}

fn transaction() -> Vec<(&'static str, Link)> {
    let loan = ("path.loan_id", "$response.body#/loan_id");
    let id = ("path.txn_id", "$response.body#/id");
    vec![
        (
            "GetTransaction",
            link("getTransaction", "Read the transaction.", &[loan, id]),
        ),
        (
            "ReverseTransaction",
            link(
                "reverseTransaction",
                "Reverse the transaction (repayments only, once).",
                &[loan, id],
            ),
        ),
        (
            "GetTransactionLoan",
            link("getLoan", "Read the transaction's loan.", &[loan]),
        ),
    ]
}

fn user() -> Vec<(&'static str, Link)> {
    vec![(
        "DeleteUser",
        link(
            "deleteUser",
            "Delete the login, if it is still at this version.",
            &[("path.username", "$response.body#/username"), VERSION],
        ),
    )]
}
