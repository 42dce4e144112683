//! `GET /clients`: pages of clients, newest first, filtered by email, document number or
//! name.

use std::sync::Arc;

use axum::extract::State;
use shared::error::FieldError;
use shared::http::{Admin, Query, QueryPairs, Reply};
use shared::list::{self, PageRequest};
use shared::store::clients::ClientFilter;
use shared::{ApiError, App};

/// Query parameters of `GET /clients`.
const LIST_PARAMETERS: [&str; 5] = ["limit", "cursor", "email", "document_number", "name"];

fn parse_filter(query: &Query) -> Result<ClientFilter, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut bounded = |name: &str, max: usize, normalize: fn(&str) -> String| {
        query
            .parse_with(name, |raw| {
                if raw.chars().count() > max {
                    Err(format!("must be at most {max} characters"))
                } else {
                    Ok(normalize(raw))
                }
            })
            .map_err(|e| errors.push(e))
            .ok()
            .flatten()
    };
    let filter = ClientFilter {
        email: bounded("email", 254, str::to_lowercase),
        document_number: bounded("document_number", 30, str::to_ascii_uppercase),
        name: bounded("name", 100, str::to_lowercase),
    };
    if errors.is_empty() {
        Ok(filter)
    } else {
        Err(errors)
    }
}

#[cfg_attr(feature = "openapi", utoipa::path(
    get,
    path = "/clients",
    operation_id = "listClients",
    tag = "Clients",
    summary = "List clients",
    description = "Clients, newest first. Filters combine; a blank filter is the same as none.",
    security(("bearerAuth" = ["admin"])),
    params(PageRequest, crate::openapi::Filters),
    responses((status = 200, description = "A page of clients.", body = shared::openapi::ClientPage)),
))]
pub(crate) async fn list_clients(
    State(app): State<Arc<App>>,
    Admin(caller): Admin,
    pairs: QueryPairs,
) -> Result<Reply, ApiError> {
    let query = Query::parse(pairs, &LIST_PARAMETERS)?;
    let page = PageRequest::from_query(&query)?;
    let filter = parse_filter(&query).map_err(ApiError::Validation)?;
    let binding = list::binding(
        "clients.list",
        &caller.username,
        &[
            ("email", filter.email.as_deref()),
            ("document_number", filter.document_number.as_deref()),
            ("name", filter.name.as_deref()),
        ],
        page.limit,
    );
    let start = page.resume(&app.cursors, &binding)?;
    let (items, next) = app.store.list_clients(&filter, page.limit, start).await?;
    Reply::ok(&list::page(items, next, &app.cursors, &binding)?)
}
