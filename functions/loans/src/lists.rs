//! `GET /loans` and `GET /clients/{client_id}/loans`: pages of loans, newest first.
//!
//! A customer sees only its own loans in both lists, whatever it asks for: its client
//! filter is forced, and asking for another client gives an empty page (`/loans`) or
//! `404` (`/clients/{other}/loans`).

use std::sync::Arc;

use axum::extract::State;
use chrono::NaiveDate;
use shared::auth::Caller;
use shared::domain::ids::ClientId;
use shared::domain::loan_status::LoanStatus;
use shared::error::FieldError;
use shared::http::extract::client_not_found;
use shared::http::{Query, QueryPairs, Reply, VisibleClient};
use shared::list::{self, PageRequest};
use shared::store::loans::LoanFilter;
use shared::{ApiError, App};

use crate::wire::parse_decimal;

const LOANS_PARAMETERS: [&str; 9] = [
    "limit",
    "cursor",
    "status",
    "client_id",
    "min_amount",
    "max_amount",
    "created_from",
    "created_to",
    "days_past_due_min",
];

/// The largest `days_past_due_min` accepted: more than the oldest book a disbursement's
/// value date may load.
const MAX_DAYS_PAST_DUE: u32 = 99_999;

/// `days_past_due_min`: a whole number (its range is checked apart, as a `422`).
fn parse_days(raw: &str) -> Result<u32, String> {
    if raw.len() > 9 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err("must be a whole number of days".into());
    }
    raw.parse::<u32>()
        .map_err(|_| "must be a whole number of days".into())
}

fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|_| raw.len() == 10)
        .ok_or_else(|| "must be a date in YYYY-MM-DD form".into())
}

/// The start of `date` in the fixed-width form that `created_at` sort keys use.
fn start_of(date: NaiveDate) -> String {
    format!("{}T00:00:00.000Z", date.format("%Y-%m-%d"))
}

/// The end of `date`, as an inclusive bound on `created_at` and on `<created_at>#<id>`
/// sort keys: the day's last millisecond followed by `~`, which sorts after the `#` and
/// every character of an id. Any date of the four-digit form is a valid bound, 9999-12-31
/// included: no day after it has to be represented.
fn end_of(date: NaiveDate) -> String {
    format!("{}T23:59:59.999Z~", date.format("%Y-%m-%d"))
}

/// The parsed value, or `None` with its error recorded.
fn keep<T>(errors: &mut Vec<FieldError>, result: Result<Option<T>, FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok().flatten()
}

/// Reads every filter: a value of the wrong form is `400` at once; the rules a well-formed
/// value breaks are collected into one `422`.
fn parse_filter(query: &Query) -> Result<LoanFilter, ApiError> {
    let min_amount = query.syntax("min_amount", parse_decimal)?;
    let max_amount = query.syntax("max_amount", parse_decimal)?;
    let from = query.syntax("created_from", parse_date)?;
    let to = query.syntax("created_to", parse_date)?;
    let mut errors = Vec::new();
    let status = keep(&mut errors, query.parse_with("status", LoanStatus::parse));
    let client_id = keep(
        &mut errors,
        query.parse_with("client_id", |raw| {
            ClientId::parse(raw).ok_or_else(|| "must be a client id".to_owned())
        }),
    );
    if let (Some(min), Some(max)) = (min_amount, max_amount)
        && min > max
    {
        errors.push(FieldError::query(
            "min_amount",
            "must not be greater than max_amount",
        ));
    }
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        errors.push(FieldError::query(
            "created_from",
            "must not be after created_to",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok(LoanFilter {
        status,
        client_id,
        min_amount,
        max_amount,
        created_from: from.map(start_of),
        created_through: to.map(end_of),
    })
}

fn page_and_filter(query: &Query) -> Result<(PageRequest, LoanFilter), ApiError> {
    Ok((PageRequest::from_query(query)?, parse_filter(query)?))
}

fn binding(operation: &str, caller: &Caller, filter: &LoanFilter, limit: usize) -> String {
    let min = filter.min_amount.map(|d| d.normalize().to_string());
    let max = filter.max_amount.map(|d| d.normalize().to_string());
    list::binding(
        operation,
        &caller.username,
        &[
            ("status", filter.status.map(LoanStatus::as_str)),
            ("client_id", filter.client_id.as_ref().map(ClientId::as_str)),
            ("min_amount", min.as_deref()),
            ("max_amount", max.as_deref()),
            ("created_from", filter.created_from.as_deref()),
            ("created_through", filter.created_through.as_deref()),
        ],
        limit,
    )
}

/// `GET /loans`: every filter of [`LoanFilter`]; for a customer, its own loans only.
#[cfg_attr(feature = "openapi", utoipa::path(
    get,
    path = "/loans",
    operation_id = "listLoans",
    tag = "Loans",
    summary = "List loans",
    description = "Loans, newest first. Filters combine; a blank filter is the same as none. \
        With `days_past_due_min` (admins only, alone or with `limit` and `cursor`): the \
        arrears list, `active` loans at least that many days overdue today, most overdue \
        first.",
    security(("bearerAuth" = ["admin"]), ("bearerAuth" = ["user"])),
    extensions(("x-customer" = json!(
        "only its own loans, whatever the filters (another client's `client_id` gives an \
         empty page)."
    ))),
    params(PageRequest, crate::openapi::LoanFilters),
    responses(
        (status = 200, description = "A page of loans.", body = shared::openapi::LoanPage),
        (status = 403, description = "A customer asked for the arrears list \
            (`days_past_due_min`)."),
        (status = 422, description = "`min_amount` is greater than `max_amount`, or \
            `created_from` is after `created_to`, or `days_past_due_min` is combined with \
            another filter."),
    ),
))]
pub async fn loans(
    State(app): State<Arc<App>>,
    caller: Caller,
    pairs: QueryPairs,
) -> Result<Reply, ApiError> {
    let query = Query::parse(pairs, &LOANS_PARAMETERS)?;
    if let Some(days) = query.syntax("days_past_due_min", parse_days)? {
        return arrears(&app, &caller, &query, days).await;
    }
    let (page, mut filter) = page_and_filter(&query)?;
    if !caller.is_admin() {
        match (&filter.client_id, &caller.client_id) {
            (Some(asked), Some(own)) if asked != own => {
                return Reply::ok(&list::Page::<()> {
                    items: Vec::new(),
                    next_cursor: None,
                });
            }
            (_, own) => filter.client_id = own.clone(),
        }
    }
    let binding = binding("loans.list", &caller, &filter, page.limit);
    let start = page.resume(&app.cursors, &binding)?;
    let (items, next) = app.store.list_loans(&filter, page.limit, start).await?;
    Reply::ok(&list::page(items, next, &app.cursors, &binding)?)
}

/// `GET /loans?days_past_due_min=N` (admins): `active` loans at least `days` days overdue
/// today, most overdue first, from the arrears index.
async fn arrears(app: &App, caller: &Caller, query: &Query, days: u32) -> Result<Reply, ApiError> {
    caller.require_admin()?;
    if !(1..=MAX_DAYS_PAST_DUE).contains(&days) {
        return Err(ApiError::Validation(vec![FieldError::query(
            "days_past_due_min",
            format!("must be from 1 to {MAX_DAYS_PAST_DUE}"),
        )]));
    }
    let others: Vec<FieldError> = LOANS_PARAMETERS
        .iter()
        .filter(|name| !matches!(**name, "limit" | "cursor" | "days_past_due_min"))
        .filter(|name| query.get(name).is_some())
        .map(|name| FieldError::query(name, "cannot be combined with days_past_due_min"))
        .collect();
    if !others.is_empty() {
        return Err(ApiError::Validation(others));
    }
    let page = PageRequest::from_query(query)?;
    let days_text = days.to_string();
    let binding = list::binding(
        "loans.arrears",
        &caller.username,
        &[("days_past_due_min", Some(days_text.as_str()))],
        page.limit,
    );
    let start = page.resume(&app.cursors, &binding)?;
    let today = shared::domain::time::Timestamp::now()
        .as_datetime()
        .date_naive();
    let due_by = today
        .checked_sub_days(chrono::Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MIN);
    let (items, next) = app.store.list_arrears(due_by, page.limit, start).await?;
    Reply::ok(&list::page(items, next, &app.cursors, &binding)?)
}

/// `GET /clients/{client_id}/loans`: one client's loans, optionally of one `status`; `404`
/// when the client does not exist or is not the caller's.
#[cfg_attr(feature = "openapi", utoipa::path(
    get,
    path = "/clients/{client_id}/loans",
    operation_id = "listClientLoans",
    tag = "Loans",
    summary = "List a client's loans",
    description = "The client's loans, newest first.",
    security(("bearerAuth" = ["admin"]), ("bearerAuth" = ["user"])),
    extensions(("x-customer" = json!("only its own client's (another is `404`)."))),
    params(VisibleClient, PageRequest, crate::openapi::StatusFilter),
    responses(
        (status = 200, description = "A page of the client's loans.",
            body = shared::openapi::LoanPage),
        (status = 404, description = crate::openapi::NOT_ITS_CLIENT),
    ),
))]
pub async fn client_loans(
    State(app): State<Arc<App>>,
    caller: Caller,
    VisibleClient(client_id): VisibleClient,
    pairs: QueryPairs,
) -> Result<Reply, ApiError> {
    let query = Query::parse(pairs, &["limit", "cursor", "status"])?;
    let (page, filter) = page_and_filter(&query)?;
    let filter = LoanFilter {
        status: filter.status,
        client_id: Some(client_id.clone()),
        ..LoanFilter::default()
    };
    let binding = binding("client.loans", &caller, &filter, page.limit);
    let start = page.resume(&app.cursors, &binding)?;
    let first_page = start.is_none();
    let (items, next) = app.store.list_loans(&filter, page.limit, start).await?;
    // Loans never outlive their client, so only an empty first page needs to ask.
    if first_page && items.is_empty() && app.store.get_client(&client_id).await?.is_none() {
        return Err(client_not_found());
    }
    Reply::ok(&list::page(items, next, &app.cursors, &binding)?)
}
